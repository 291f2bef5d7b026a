"""Do ensembles beat their best member on generators none of the members saw? (issue 11's experiment)

Members are trained on mini's main-job generators (esrgan, dcgan, ddpm by default): the default `probe`, the `stats` floor,
ResNet-18 and NPR from scratch; and (b) the three stage snapshots of a main-job run if one is given with --run. Ensembles
are fitted (weights, stacker, threshold) on a selection split of those generators' train images and tested on the val images
of the held-out generators (and of the trained ones), beside each member. Cost: seconds to score the val images, and the
number of parameters. Writes benchmarks/results/ensembles.md.
    python benchmarks/ensembles.py [--train esrgan,dcgan,ddpm] [--run runs/finetune-...] [--seed 0] [--out runs/ensembles]"""
import argparse, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import pandas as pd, torch
from gitools.data import load_data, select, selection_split
from gitools.detector import load_detector, is_detector_dir
from gitools.learner import train_detector
from gitools.ensemble import Ensemble, COMBINERS
from gitools.evaluation import predict_rows, metrics_table

MEMBERS = {'probe': dict(arch='probe'), 'stats': dict(arch='stats'),
           'resnet18': dict(arch='resnet18', epochs=5, lr=2e-3), 'npr': dict(arch='npr', arch_kwargs=dict(backbone='resnet18'), epochs=5, lr=2e-3)}

def n_params(det) -> int:
    ms = det.members if hasattr(det, 'members') else [det]
    return sum(p.numel() for m in ms for p in m.model.parameters())

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--train', default='esrgan,dcgan,ddpm'); ap.add_argument('--run'); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default='runs/ensembles'); ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'ensembles.md'))
    a = ap.parse_args(); torch.set_num_threads(2)
    m, out, train = load_data(progress=False), Path(a.out), a.train.split(',')
    held = sorted(set(m.generator) - set(train))
    members = {}
    for name, kw in MEMBERS.items():
        d = out/'members'/name
        members[name] = load_detector(d) if is_detector_dir(d) else train_detector(m, train, out=d, crop=64, bs=32, seed=a.seed, num_workers=0, **kw)
    groups = {'(b) architectures': list(MEMBERS)}
    if a.run:
        for s in sorted((Path(a.run)/'stages').iterdir()): members[f'stage {s.name}'] = load_detector(s)
        groups['(a) stage snapshots'] = [k for k in members if k.startswith('stage ')]
    _, sel = selection_split(select(m, train, 'train'), 0.2, a.seed + 100)   # a selection split of the trained generators' train images
    val = select(m, splits='val')
    dets = dict(members)
    for g, names in groups.items():
        for comb in COMBINERS:
            dets[f'{g}: {comb}'] = Ensemble([members[k] for k in names], comb, names=[k.replace(' ', '_') for k in names]).fit(sel)
    rows = []
    for name, det in dets.items():
        t0 = time.time(); p = predict_rows({name: det}, val, progress=False); secs = time.time() - t0
        t = metrics_table(p.assign(part=p.generator.isin(held).map({True: 'held-out', False: 'trained'})), by=['detector', 'part'],
                          thresholds={name: det.threshold})
        r = dict(detector=name, seconds=round(secs, 1), params_M=round(n_params(det) / 1e6, 2))
        for _, x in t.iterrows(): r[f"{x['part']} acc"], r[f"{x['part']} AUC"] = 100 * x['acc'], 100 * x['auc']
        rows.append(r); print(r, flush=True)
    t = pd.DataFrame(rows).set_index('detector').round(1)
    t = t[['held-out acc', 'held-out AUC', 'trained acc', 'trained AUC', 'seconds', 'params_M']]
    Path(a.table).write_text(f"# Ensembles on mini\n\nCommand: `python benchmarks/ensembles.py --train {a.train}"
                             f"{' --run ' + a.run if a.run else ''} --seed {a.seed}`\n\nMembers trained on {', '.join(train)}; "
                             f"held out: {', '.join(held)} (val images). Ensembles fitted on {len(sel)} selection images of the "
                             f"trained generators. Seconds: scoring all {len(val)} val images on 2 CPU cores.\n\n{t.to_markdown()}\n")
    print(Path(a.table).read_text())
