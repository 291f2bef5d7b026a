"""Start-up cost of a one-image prediction: `gitools-predict` against importing torch alone (issue 14's target: at most 1.3x in
time and in peak memory). Both run as fresh processes, alternated, several times; the table reports medians and their ratio.
    python benchmarks/startup.py [--detector FOLDER] [--repeats 5]   (default detector: a `stats` detector trained on the demo data)"""
import argparse, statistics, subprocess, sys, tempfile
from pathlib import Path

# Linux keeps a process's peak memory across exec, so a command forked from a large process (this one, after training) would
# report that process's size as its own peak: a small launcher forks and execs the command and reports its peak instead.
LAUNCH = ("import os, sys, time\nt0 = time.perf_counter(); pid = os.fork()\nif pid == 0:\n    os.execvp(sys.argv[1], sys.argv[1:])\n"
          "_, status, ru = os.wait4(pid, 0); print(time.perf_counter() - t0, ru.ru_maxrss / 1024, status)")

def measure(cmd) -> tuple:
    "Wall seconds and peak resident memory (MiB) of `cmd` run as a fresh process (its output discarded)."
    r = subprocess.run([sys.executable, '-c', LAUNCH, *map(str, cmd)], capture_output=True, text=True)
    secs, mib, status = r.stdout.split()[-3:]
    if int(status): raise SystemExit(f"{cmd} failed with status {status}")
    return float(secs), float(mib)

def main(argv=None) -> list:
    "Run the benchmark, write its table, return the suite's rows (see `suite.py`)."
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--detector'); ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'startup.md'))
    a = ap.parse_args(argv)
    # the image and detector are prepared in another process: a forked child inherits its parent's peak memory, so this one stays small
    det = a.detector or str(Path(tempfile.mkdtemp())/'stats')
    train = '' if a.detector else f"train_detector(m, ['sdv4'], 'stats', crop=64, out={det!r}, progress=False)"
    prep = '\n'.join(["from gitools.data import select", "from gitools.load import load_data", "from gitools.learner import train_detector",
                      "m = load_data('demo', progress=False)", train, "print(select(m, splits='val').path.iloc[0])"])
    img = subprocess.run([sys.executable, '-c', prep], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    bin_ = Path(sys.executable).parent
    cmds = {'import torch': [sys.executable, '-c', 'import torch'],
            'gitools-predict (1 image)': [str(bin_/'gitools-predict'), img, '--detector', det]}
    res = {k: [] for k in cmds}
    for _ in range(a.repeats):
        for k, c in cmds.items(): res[k].append(measure(c))
    rows = {k: (statistics.median(t for t, _ in v), statistics.median(r for _, r in v)) for k, v in res.items()}
    (t0, r0), (t1, r1) = rows['import torch'], rows['gitools-predict (1 image)']
    md = (f"# Start-up of a one-image prediction\n\nCommand: `python benchmarks/startup.py --repeats {a.repeats}` (detector: "
          f"{'a stats detector on the demo data' if not a.detector else a.detector}). Medians of {a.repeats} fresh processes each, "
          f"alternated; peak resident memory from the kernel.\n\n| process | seconds | peak MiB |\n|---|---|---|\n"
          + ''.join(f"| {k} | {t:.2f} | {r:.0f} |\n" for k, (t, r) in rows.items())
          + f"| **ratio** (target at most 1.3) | **{t1 / t0:.2f}** | **{r1 / r0:.2f}** |\n")
    Path(a.table).write_text(md); print(md)
    return [dict(measure='one-image gitools-predict vs import torch: seconds', gitools=t1, baseline=t0, ratio=t1 / t0, target='<= 1.3', met=t1 / t0 <= 1.3),
            dict(measure='one-image gitools-predict vs import torch: peak MiB', gitools=r1, baseline=r0, ratio=r1 / r0, target='<= 1.3', met=r1 / r0 <= 1.3)]

if __name__ == '__main__': main()
