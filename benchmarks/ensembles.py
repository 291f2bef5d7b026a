"""Do ensembles beat their best member on generators none of the members saw, clean and degraded? (issue 11's experiment)

Members are trained on mini's main-job generators (esrgan, pix2pix, sr3 by default): (b) architectures: the default `probe`, the
`stats` floor, ResNet-18 and NPR from scratch; (c) per-generator experts: one `probe` per trained generator, combined by every
combiner including the router (a mixture of experts); and (a) the stage snapshots of a main-job run if one is given with --run.
Every ensemble is fitted (calibration, weights, stacker, gate, threshold) on a selection split of the trained generators' train
images, and tested on the val images of the held-out generators (and of the trained ones), clean and under --degradations.
Members are scored once (one decode per image for all of them and every degradation); an ensemble's P(fake) comes from its
members' through `Ensemble.from_members`, the path its `predict` takes. Cost: seconds to score the val images (an ensemble: the sum
of its members, combining is free), and parameters. Writes benchmarks/results/ensembles.md (ensembles-seed<N>.md for seed N).
    python benchmarks/ensembles.py [--train esrgan,pix2pix,sr3] [--run runs/finetune-...] [--seed 0] [--degradations jpeg:65,blur:1]"""
import argparse, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import pandas as pd, torch
from gitools.data import select, selection_split
from gitools.load import load_data
from gitools.load import load_detector
from gitools.protocols import train_or_load
from gitools.ensemble import Ensemble, COMBINERS
from gitools.evaluation import predict_rows
from gitools.metrics import binary_metrics
from gitools.benchmark import MINI_VERSION

MEMBERS = {'probe': dict(arch='probe'), 'stats': dict(arch='stats'),
           'resnet18': dict(arch='resnet18', epochs=5, lr=2e-3), 'npr': dict(arch='npr', arch_kwargs=dict(backbone='resnet18'), epochs=5, lr=2e-3)}

def n_params(det) -> int:
    ms = det.members if hasattr(det, 'members') else [det]
    return sum(p.numel() for m in ms for p in m.model.parameters())

def trained(path, m, gens, seed, arch, **kw): return train_or_load(m, gens, arch, path, crop=64, bs=32, seed=seed, num_workers=0, **kw)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--train', default='esrgan,pix2pix,sr3'); ap.add_argument('--run'); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--degradations', default='jpeg:65,blur:1')
    ap.add_argument('--out', help='members and predictions (default: runs/ensembles-s<seed>, so that seeds never share members)')
    ap.add_argument('--table', help='default: benchmarks/results/ensembles.md for seed 0, ensembles-seed<seed>.md for the others')
    a = ap.parse_args(); torch.set_num_threads(2)
    a.out = a.out or f'runs/ensembles-s{a.seed}'
    a.table = a.table or str(Path(__file__).parent/'results'/('ensembles.md' if a.seed == 0 else f'ensembles-seed{a.seed}.md'))
    m, out, train = load_data(progress=False), Path(a.out), a.train.split(',')
    held, degs = sorted(set(m.generator) - set(train)), ['identity'] + a.degradations.split(',')
    members = {name: trained(out/'members'/name, m, train, a.seed, **kw) for name, kw in MEMBERS.items()}
    groups = {'(b) architectures': list(MEMBERS)}
    for g in train: members[f'expert {g}'] = trained(out/'experts'/g, m, [g], a.seed, arch='probe')
    groups['(c) per-generator experts'] = [f'expert {g}' for g in train]
    if a.run:
        for s in sorted((Path(a.run)/'stages').iterdir()): members[f'stage {s.name}'] = load_detector(s)
        groups['(a) stage snapshots'] = [k for k in members if k.startswith('stage ')]
    _, sel = selection_split(select(m, train, 'train'), 0.2, a.seed + 100)   # a selection split of the trained generators' train images
    val = select(m, splits='val')
    # every member scored once on the selection and val images (val under every degradation), timed alone on the clean val images
    psel = predict_rows(members, sel, progress=False)
    pval = predict_rows(members, val, degs, progress=False)
    secs = {}
    for k, d in members.items():
        t0 = time.time(); predict_rows({k: d}, val, progress=False); secs[k] = time.time() - t0
    P = {s: t.pivot_table(index='path', columns='detector', values='p_fake', sort=False).loc[list(val.path)] for s, t in pval.groupby('degradation')}
    y = val.label.eq('fake').astype(int).values
    part = val.generator.isin(held).map({True: 'held-out', False: 'trained'}).values
    def row(name, p, thr, cost, params):
        r = dict(detector=name, seconds=round(cost, 1), params_M=round(params / 1e6, 2))
        for s, ps in p.items():
            for prt in ('held-out', 'trained'):
                k = part == prt
                mt = binary_metrics(ps[k], y[k], thr)
                if s == 'identity': r[f'{prt} acc'], r[f'{prt} AUC'] = 100 * mt['acc'], 100 * mt['auc']
                elif prt == 'held-out': r[f'held-out acc {s}'] = 100 * mt['acc']
        return r
    rows = [row(k, {s: P[s][k].values for s in degs}, d.threshold, secs[k], n_params(d)) for k, d in members.items()]
    for g, names in groups.items():
        for comb in COMBINERS:
            e = Ensemble([members[k] for k in names], comb, names=names).fit(sel, preds=psel)
            p = {s: e.from_members(torch.tensor(P[s][names].values)).numpy() for s in degs}
            rows.append(row(f'{g}: {comb}', p, e.threshold, sum(secs[k] for k in names), n_params(e))); print(rows[-1], flush=True)
    t = pd.DataFrame(rows).set_index('detector').round(1)
    t = t[['held-out acc', 'held-out AUC', *[f'held-out acc {s}' for s in degs[1:]], 'trained acc', 'trained AUC', 'seconds', 'params_M']]
    Path(a.table).write_text(
        f"# Ensembles on mini v{MINI_VERSION}\n\nCommand: `python benchmarks/ensembles.py --train {a.train}{' --run ' + a.run if a.run else ''} --seed {a.seed} "
        f"--degradations {a.degradations}`\n\nMembers trained on {', '.join(train)}; held out: {', '.join(held)} (val images). Ensembles "
        f"fitted on {len(sel)} selection images of the trained generators; thresholds too. Accuracy and ROC-AUC in %; `held-out acc "
        f"jpeg:65` etc.: the held-out val images degraded. Seconds: scoring all {len(val)} clean val images on 2 CPU cores (an "
        f"ensemble: the sum over its members).\n\n{t.to_markdown()}\n")
    print(Path(a.table).read_text())
