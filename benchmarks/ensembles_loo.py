"""Ensembles under leave-one-generator-out, over seeds: for each generator of mini and each seed, the recipe study's `probe` and
`stats` detectors trained on every other generator (benchmarks/recipes.py, --out runs/recipes) are combined by every combiner of
gitools.ensemble, fitted on those detectors' own selection split (their selection.csv: train images of the other generators) and
tested on the held-out generator's val images, clean and degraded. Nothing is trained here; a missing detector is an error that
names the recipe-study command to run. Writes benchmarks/results/ensembles-loo.md.
    python benchmarks/ensembles_loo.py [--recipes runs/recipes] [--seeds 0,1,2] [--degradations jpeg:65,blur:1]"""
import argparse, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import pandas as pd, torch
from gitools.data import select
from gitools.load import load_data
from gitools.detector import is_detector_dir
from gitools.load import load_detector
from gitools.ensemble import Ensemble, COMBINERS
from gitools.evaluation import predict_rows
from gitools.metrics import binary_metrics
from gitools.benchmark import MINI_VERSION

MEMBERS = ('probe', 'stats')

def fold(m, root:Path, g:str, seed:int, degs:list) -> list:
    "Rows (detector, held-out generator, seed, degradation, acc, auc) of the members and of every combiner for one fold."
    dirs = {a: root/a/f'seed{seed}'/'loo'/'detectors'/f'{a}-without-{g}' for a in MEMBERS}
    for a, d in dirs.items():
        if not is_detector_dir(d): raise SystemExit(f"{d}: missing; run python benchmarks/recipes.py --recipes {a} --seeds {seed}")
    dets = {a: load_detector(d) for a, d in dirs.items()}
    sels = {a: pd.read_csv(d/'selection.csv') for a, d in dirs.items()}
    if len({frozenset(s.path) for s in sels.values()}) != 1: raise SystemExit(f"fold {g}, seed {seed}: the members' selection splits differ")
    sel, val = sels['probe'], select(m, g, 'val')
    assert not set(sel.path) & set(val.path)
    psel = predict_rows(dets, sel, progress=False)
    pval = predict_rows(dets, val, degs, progress=False)
    P = {s: t.pivot_table(index='path', columns='detector', values='p_fake', sort=False).loc[list(val.path)] for s, t in pval.groupby('degradation')}
    y = val.label.eq('fake').astype(int).values
    def rows(name, p, thr):
        return [dict(detector=name, held_out=g, seed=seed, degradation=s, **{k: binary_metrics(p[s], y, thr)[k] for k in ('acc', 'auc')}) for s in degs]
    out = [r for a, d in dets.items() for r in rows(a, {s: P[s][a].values for s in degs}, d.threshold)]
    for comb in COMBINERS:
        e = Ensemble([dets[a] for a in MEMBERS], comb, names=list(MEMBERS)).fit(sel, preds=psel)
        out += rows(comb, {s: e.from_members(torch.tensor(P[s][list(MEMBERS)].values)).numpy() for s in degs}, e.threshold)
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--recipes', default='runs/recipes'); ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--degradations', default='jpeg:65,blur:1')
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'ensembles-loo.md')); a = ap.parse_args()
    torch.set_num_threads(2)
    m, degs = load_data(progress=False), ['identity'] + a.degradations.split(',')
    gens = sorted(select(m, splits='val').generator.unique())
    r = pd.DataFrame([row for s in map(int, a.seeds.split(',')) for g in gens for row in fold(m, Path(a.recipes), g, s, degs)])
    order = list(MEMBERS) + list(COMBINERS)
    per_seed = r.groupby(['detector', 'degradation', 'seed'], sort=False)[['acc', 'auc']].mean().reset_index()   # average over folds
    def cell(x): return f"{100 * x.mean():.1f} ± {100 * x.std(ddof=0):.1f}"
    t = per_seed.groupby(['detector', 'degradation'], sort=False).agg(acc=('acc', cell), auc=('auc', cell)).reset_index()
    t = t.pivot(index='detector', columns='degradation', values=['acc', 'auc'])
    t.columns = [f'{v} {d}' if d != 'identity' else v for v, d in t.columns]
    t = t.loc[order, ['acc', 'auc', *[f'acc {d}' for d in degs[1:]]]]
    gen = (r[r.degradation == 'identity'].groupby(['detector', 'held_out']).acc.mean().unstack() * 100).round(1).loc[order]
    Path(a.table).write_text(
        f"# Ensembles under leave-one-generator-out (mini v{MINI_VERSION})\n\nCommand: `python benchmarks/ensembles_loo.py --seeds {a.seeds} "
        f"--degradations {a.degradations}` (after `python benchmarks/recipes.py --recipes stats,probe --seeds {a.seeds}`)\n\n"
        f"For each generator held out and each seed: `probe` and `stats` trained on the other {len(gens) - 1} generators, every "
        "combiner fitted (calibration, weights, stacker, gate, threshold) on their selection split, tested on the held-out "
        "generator's val images. Accuracy and ROC-AUC in %, averaged over the held-out generators: mean ± std over seeds.\n\n"
        f"{t.to_markdown()}\n\n### Accuracy per held-out generator (%, clean, mean over seeds)\n\n{gen.to_markdown()}\n")
    print(Path(a.table).read_text())
