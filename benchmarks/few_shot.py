"""Few-shot adaptation across datasets: the curve of issue 25.

From the default detector trained on every generator of one embedded benchmark, `gitools.transfer.adapt` refits its head on k
labelled images per class of the other benchmark's train split (k = 0, 8, 32, 128), with 64 replayed source images per class and an
L2-SP pull toward the starting head. Reported: mean val accuracy and ROC-AUC on the new benchmark (its val split: never among the
shots) and the forgetting on the source (its val accuracy before minus after), mean ± spread over seeds (the seed draws the
source detector's selection split and the shots). Every run is kept under --out, so a rerun resumes.
    python benchmarks/few_shot.py [--shots 0,8,32,128] [--seeds 0,1,2] [--arch probe_stats] [--out runs/few-shot] [--collect]"""
import argparse, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import pandas as pd, torch
from gitools.core import DEFAULT_DETECTOR
from gitools.data import select
from gitools.load import load_data
from gitools.protocols import train_or_load
from gitools.transfer import adapt
from gitools.benchmark import MINI_VERSION
from gitools.far import FAR_VERSION

DIRECTIONS = [('mini', 'far'), ('far', 'mini')]

def point(direction:str, seed:int, k:int, t:pd.DataFrame, base:pd.DataFrame) -> dict:
    "One point of the curve from an adapt table `t` and its seed's k = 0 table `base` (the starting detector's figures)."
    return dict(direction=direction, seed=seed, shots=k, acc=t.loc['new data', 'acc after'], auc=t.loc['new data', 'auc after'],
                forgetting=base.loc['source data', 'acc before'] - t.loc['source data', 'acc after'])

def curve(data:dict, arch:str, shots:list, seeds:list, out:Path):
    "Run (or resume) every point of the curve under `out`, printing each as it is measured; `collect` reads them back."
    for a, b in DIRECTIONS:
        for s in seeds:
            start = out/f'{a}-to-{b}'/f'seed{s}'/'start'
            t0 = time.time()
            train_or_load(data[a], sorted(select(data[a], splits='train').generator.unique()), arch, start, seed=s, crop=64, bs=32, num_workers=0)
            base = adapt(start, data[b], 0, out/f'{a}-to-{b}'/f'seed{s}'/'k0', source=data[a], seed=s)   # the starting detector, scored once
            for k in shots:
                t = base if k == 0 else adapt(start, data[b], k, out/f'{a}-to-{b}'/f'seed{s}'/f'k{k}', source=data[a], seed=s, score_before=False)
                r = point(f'{a} -> {b}', s, k, t, base)
                print(f"{a} -> {b} seed {s} k {k}: acc {100 * r['acc']:.1f} AUC {100 * r['auc']:.1f} "
                      f"forgetting {100 * r['forgetting']:.1f} ({(time.time() - t0) / 60:.1f} min)", flush=True)

def collect(out:Path) -> pd.DataFrame:
    "The curve's points from every finished run under `out` (each k's table, and its seed's k = 0 run for the starting detector's figures)."
    rows = []
    for a, b in DIRECTIONS:
        for seed_dir in sorted((out/f'{a}-to-{b}').glob('seed*')):
            if not (seed_dir/'k0'/'few_shot.csv').exists(): continue
            base = pd.read_csv(seed_dir/'k0'/'few_shot.csv', index_col=0)
            for f in sorted(seed_dir.glob('k*/few_shot.csv'), key=lambda f: int(f.parent.name[1:])):
                rows.append(point(f'{a} -> {b}', int(seed_dir.name[4:]), int(f.parent.name[1:]), pd.read_csv(f, index_col=0), base))
    return pd.DataFrame(rows)

def table(r:pd.DataFrame) -> str:
    def cell(x): return f"{100 * x.mean():.1f} ± {100 * x.std(ddof=0):.1f}" if len(x) > 1 else f"{100 * x.mean():.1f}"
    t = r.groupby(['direction', 'shots'], sort=False).agg(seeds=('seed', 'nunique'), acc=('acc', cell), auc=('auc', cell), forgetting=('forgetting', cell))
    return t.rename(columns={'acc': 'acc on the new data', 'auc': 'AUC on the new data', 'forgetting': 'forgetting on the source (points)'}).reset_index().to_markdown(index=False)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--shots', default='0,8,32,128'); ap.add_argument('--seeds', default='0,1,2'); ap.add_argument('--arch', default=DEFAULT_DETECTOR)
    ap.add_argument('--out', default='runs/few-shot'); ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'few_shot.md'))
    ap.add_argument('--collect', action='store_true', help='only write the table, from every finished run under --out')
    a = ap.parse_args()
    torch.set_num_threads(2)
    if not a.collect:
        data = {k: load_data(k, progress=False) for k in ('mini', 'far')}
        curve(data, a.arch, [int(k) for k in a.shots.split(',')], [int(s) for s in a.seeds.split(',')], Path(a.out))
    r = collect(Path(a.out))
    if not len(r): raise SystemExit(f"no finished few-shot runs under {a.out}")
    Path(a.table).write_text(f"# Few-shot adaptation across datasets: mini v{MINI_VERSION} <-> far v{FAR_VERSION}, {a.arch}\n\n"
                             f"Command: `python benchmarks/few_shot.py --shots {a.shots} --seeds {a.seeds} --arch {a.arch}` (it resumes; "
                             "`--collect` writes this table from the finished runs)\n\n"
                             "Mean ± spread over seeds; val splits only (the shots come from the new data's train split).\n\n" + table(r) + '\n')
    print(Path(a.table).read_text())
