"""The speed and scale suite in one command: every ratio measured side by side in one run on the same data, one table.
Runs the scan, loading (crop cache vs files), throughput (training and inference vs plain PyTorch, prediction memory as the
input grows) and start-up benchmarks, writes each one's own table under benchmarks/results/ and the summary to
benchmarks/results/suite.md. With a GPU, throughput also records ResNet-50 at 224 px with the fast defaults.
    python benchmarks/suite.py            # the sizes the targets are stated for (about 15 minutes on 2 CPU cores)
    python benchmarks/suite.py --quick    # small sizes, to check that the suite runs (about 3 minutes; figures are noisy)"""
import argparse, os, platform, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import pandas as pd, torch
import scan_speed, loading, throughput, startup

def sizes(quick:bool, out:Path) -> dict:
    "Arguments of each benchmark: full sizes, or small ones that only check the suite runs."
    t = lambda name: ['--table', str(out/f'{name}.md')]
    if quick: return {scan_speed: ['--n', '4000'], loading: ['--n', '60', '--repeats', '1', *t('loading')],
                      throughput: ['--n', '96', '--repeats', '1', '--memory-files', '100,400', *t('throughput')],
                      startup: ['--repeats', '1', *t('startup')]}
    return {scan_speed: ['--n', '100000'], loading: ['--n', '400', *t('loading')],
            throughput: ['--n', '300', '--repeats', '3', *t('throughput')], startup: ['--repeats', '5', *t('startup')]}

def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true', help='small sizes: checks that the suite runs, figures are noisy')
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'), help='folder of the tables'); a = ap.parse_args(argv)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    rows, t0 = [], time.time()
    for mod, args in sizes(a.quick, out).items():
        name = mod.__name__; print(f"== {name} {' '.join(args)}", flush=True)
        t = time.time(); rows += [dict(benchmark=name, **r) for r in mod.main(args)]
        print(f"== {name}: {time.time() - t:.0f} s", flush=True)
    t = pd.DataFrame(rows)
    t['met'] = t.met.map({True: 'yes', False: '**no**'}).fillna('')
    for c in ('gitools', 'baseline', 'ratio'): t[c] = t[c].map(lambda x: '' if pd.isna(x) else f'{x:,.2f}')
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'
    md = (f"# Speed and scale suite\n\nCommand: `python benchmarks/suite.py{' --quick' if a.quick else ''}` ({time.time() - t0:.0f} s). "
          f"{os.cpu_count()} CPU threads, {gpu}, Python {platform.python_version()}, torch {torch.__version__}. Each ratio compares "
          "gitools with its baseline measured side by side in the same run on the same data; each benchmark's own table (same folder) "
          f"gives the details.\n\n{t.to_markdown(index=False)}\n")
    (out/'suite.md').write_text(md); print(md)
    return t

if __name__ == '__main__': main()
