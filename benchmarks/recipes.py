"""The recipe study: which detector and training recipe gitools uses by default, decided by evidence.

Each recipe is trained in-domain (one generator, tested on its own val split) and leave-one-generator-out (every other
generator, tested on the held-out one's val split), for several seeds (the seed draws the selection split, the training
order and the augmentations). The threshold is set on the selection split carved from train (no early stopping: fixed epochs); the
reported numbers are val images only. Results are kept per recipe and seed, so a rerun resumes; the table is written to
benchmarks/results/recipes.md with mean and spread over seeds, from every finished run under --out.

With --cross, each recipe is judged across datasets instead: trained on every generator of one embedded benchmark and tested on
the other's val split, both directions (mini -> far, far -> mini), at the shipped threshold and at thresholds calibrated on the
target's train split (unlabelled mixture; 8 labelled images per class), with ROC-AUC and the worst generator; the table goes to
benchmarks/results/recipes_cross.md.
    python benchmarks/recipes.py [--recipes stats,probe,...] [--seeds 0,1,2] [--data mini] [--out runs/recipes] [--cross]"""
import argparse, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import pandas as pd, torch
from gitools.load import load_data
from gitools.data import select
from gitools.protocols import leave_one_out, evaluate_run, cross_dataset, train_or_load
from gitools.metrics import binary_metrics
from gitools.benchmark import MINI_VERSION
from gitools.far import FAR_VERSION

RECIPES = {  # name -> train_detector options (crop 64: mini's images are 64 px)
    'stats': dict(arch='stats'),
    'probe': dict(arch='probe'),
    'probe-last-embedding': dict(arch='probe', arch_kwargs=dict(all_blocks=False)),
    'probe-no-upsampling': dict(arch='probe', arch_kwargs=dict(min_side=64)),
    'probe-cnnspot-aug': dict(arch='probe', augment='flip,cnnspot'),
    'probe-jitter': dict(arch='probe', augment='flip,jitter'),
    'probe-no-augmentation': dict(arch='probe', augment='none'),
    'resnet18-scratch': dict(arch='resnet18', epochs=5, lr=2e-3),
    'npr': dict(arch='npr', arch_kwargs=dict(backbone='resnet18'), epochs=5, lr=2e-3),
    'effnet-lite0-finetune': dict(arch='tf_efficientnet_lite0', pretrained=True, epochs=3, lr=1e-3),
    'resnet50-scratch': dict(arch='resnet50', epochs=5, lr=2e-3),
    'spec': dict(arch='spec', epochs=5, lr=2e-3),
    'f3net': dict(arch='f3net', epochs=5, lr=2e-3),
    'npr-10-epochs': dict(arch='npr', arch_kwargs=dict(backbone='resnet18'), epochs=10, lr=2e-3),
    'probe-process': dict(arch='probe', augment='flip,process'),
    'probe-process-3-passes': dict(arch='probe', augment='flip,process', passes=3),
    'probe-residual': dict(arch='probe', arch_kwargs=dict(inputs='residual')),
    'probe-rgb-residual': dict(arch='probe', arch_kwargs=dict(inputs='rgb+residual')),
    'probe-stats': dict(arch='probe_stats'),
    'probe-grid': dict(arch='probe', arch_kwargs=dict(grid=3, C=0.001)),
}
ABOUT = {
    'stats': 'the floor: six image statistics + logistic regression',
    'probe': 'default: frozen EfficientNet-Lite0 (packaged ImageNet weights), every block pooled, 2x inside, logistic regression',
    'probe-last-embedding': 'probe on the final embedding only (classic UnivFD)',
    'probe-no-upsampling': 'probe on the 64 px crop as it is',
    'probe-cnnspot-aug': 'probe with blur + JPEG training augmentation',
    'probe-jitter': 'probe with resize-free jitter (flip + contrast/brightness x*a+b, no resampling)',
    'probe-no-augmentation': 'probe without augmentation (not even flips)',
    'resnet18-scratch': 'ResNet-18 from scratch, 5 epochs one-cycle',
    'npr': 'NPR (ResNet-18 body) from scratch, 5 epochs',
    'effnet-lite0-finetune': 'EfficientNet-Lite0 from ImageNet, fine_tune 3 epochs',
    'resnet50-scratch': 'ResNet-50 from scratch, 5 epochs one-cycle (GenImage baseline; no offline ImageNet weights)',
    'spec': 'Spec: ResNet-34 on the log spectrum, scratch, 5 epochs',
    'f3net': 'F3Net: DCT-band and local-spectrum streams (ResNet-18 each), scratch, 5 epochs',
    'npr-10-epochs': 'NPR as above, 10 epochs: does training longer help?',
    'probe-process': 'probe with processing augmentation on both classes (random resize, JPEG or none, slight blur/noise)',
    'probe-process-3-passes': 'probe-process, the head fitted on three augmented passes over the training set',
    'probe-residual': "probe reading NPR's neighbouring-pixel residual instead of the RGB crop (Tan et al. 2024)",
    'probe-rgb-residual': 'probe reading the RGB crop and its NPR residual, features concatenated',
    'probe-stats': 'probe_stats: probe features + the six statistics (weighted 30x) in one head, C 0.001, centre + 3x3 grid of crops averaged',
    'probe-grid': 'probe with C 0.001 and the centre + 3x3 grid of crops averaged (no statistics): the grid alone',
}
DIRECTIONS = [('mini', 'far'), ('far', 'mini')]

def slug(s): return ''.join(c if c.isalnum() else '_' for c in s).strip('_')

def in_domain(m, out, seed, **kw) -> pd.DataFrame:
    rows = []
    for g in sorted(select(m, splits='train').generator.unique()):
        d = out/'detectors'/g
        det = train_or_load(m, g, kw['arch'], d, seed=seed, crop=64, bs=32, num_workers=0, **{k: v for k, v in kw.items() if k != 'arch'})
        p = evaluate_run(out, {g: det}, m, g, progress=False).dropna(subset=['p_fake'])
        r = binary_metrics(p.p_fake, p.label.eq('fake').astype(int), det.threshold)
        rows.append(dict(generator=g, acc=r['acc'], auc=r['auc']))
    return pd.DataFrame(rows)

def run(m, recipe, seed, out) -> pd.DataFrame:
    done = out/'result.csv'
    if done.exists(): return pd.read_csv(done)
    t0, kw = time.time(), RECIPES[recipe]
    ind = in_domain(m, out/'in-domain', seed, **kw).assign(protocol='in-domain')
    lo = leave_one_out(m, out/'loo', arch=kw['arch'], floor=False, seed=seed, crop=64, bs=32, num_workers=0, progress=False,
                       **{k: v for k, v in kw.items() if k != 'arch'})['metrics']
    lo = lo.rename(columns={'held_out': 'generator'})[['generator', 'acc', 'auc']].assign(protocol='leave-one-out')
    r = pd.concat([ind, lo]).assign(recipe=recipe, seed=seed, minutes=(time.time() - t0) / 60)
    r.to_csv(done, index=False)
    return r

def run_cross(data:dict, recipe, seed, out) -> pd.DataFrame:
    "Cross-dataset rows of one recipe and seed, both directions (resumed per direction by cross_dataset's run folder)."
    done = out/'cross.csv'
    if done.exists(): return pd.read_csv(done)
    t0, rows = time.time(), []
    kw = {k: v for k, v in RECIPES[recipe].items() if k != 'arch'}
    for a, b in DIRECTIONS:
        t = cross_dataset(data[a], data[b], out/f'{a}-to-{b}', arch=RECIPES[recipe]['arch'], floor=False, seed=seed, crop=64, bs=32,
                          num_workers=0, progress=False, **kw)['table'].reset_index()
        rows.append(t[t.generator.isin(['pooled', 'mean', 'worst'])].assign(direction=f'{a} -> {b}'))
    r = pd.concat(rows).assign(recipe=recipe, seed=seed, minutes=(time.time() - t0) / 60)
    r.to_csv(done, index=False)
    return r

def with_in_domain(f:Path) -> pd.DataFrame:
    "The rows of one finished cross.csv, plus each direction's in-domain row: the same detector on its own training benchmark's val split."
    r, extra = pd.read_csv(f), []
    for a, b in DIRECTIONS:
        t = f.parent/f'{a}-to-{b}'/'tables'/'in_domain.csv'
        if t.exists(): extra.append(pd.read_csv(t).assign(generator='in-domain', direction=f'{a} -> {b}', recipe=r.recipe[0], seed=r.seed[0],
                                                          minutes=r.minutes[0]))
    return pd.concat([r, *extra], ignore_index=True)

def cross_table(r:pd.DataFrame) -> str:
    "Markdown: per recipe and direction, mean ± spread over seeds of the pooled target accuracy at each threshold, AUC and the worst generator."
    def cell(x): return f"{100 * x.mean():.1f} ± {100 * x.std(ddof=0):.1f}" if len(x) > 1 else f"{100 * x.mean():.1f}"
    rows = []
    for (rec, d), g in r.groupby(['recipe', 'direction'], sort=False):
        pooled, worst, own = g[g.generator == 'pooled'], g[g.generator == 'worst'], g[g.generator == 'in-domain']
        rows.append({'recipe': rec, 'direction': d, 'seeds': g.seed.nunique(), 'in-domain AUC (source val)': cell(own['auc']) if len(own) else '',
                     'acc (shipped)': cell(pooled['acc']),
                     'acc (mixture, unlabelled)': cell(pooled['acc mixture']), 'acc (shift, 8 labelled)': cell(pooled['acc shift-8']),
                     'best acc (oracle)': cell(pooled['best_acc']), 'AUC': cell(pooled['auc']), 'TPR at 5% FPR': cell(pooled['tpr_at_5fpr']),
                     'worst generator acc': cell(worst['acc']), 'minutes per seed': f"{g.groupby('seed').minutes.first().mean():.1f}"})
    return ("### Trained on one benchmark, tested on the other (val split, pooled over its generators): mean ± spread over seeds\n\n"
            "Thresholds: shipped (set on the source's selection split), mixture (set on 200 unlabelled target train images), shift (8 labelled "
            "target train images per class); best acc is an oracle on the reported images, for the calibration gap. Worst generator: "
            "the target generator with the lowest accuracy at the shipped threshold. In-domain AUC: the same detector on the val split of the "
            "benchmark it was trained on (what it loses by changing dataset is the gap to the target AUC).\n\n" + pd.DataFrame(rows).to_markdown(index=False) + '\n')

def table(r:pd.DataFrame) -> str:
    "Markdown: per recipe, mean (spread over seeds) of in-domain and leave-one-out accuracy/AUC, per generator and on average."
    per_seed = r.groupby(['recipe', 'seed', 'protocol'], sort=False)[['acc', 'auc']].mean().reset_index()
    def cell(x): return f"{100 * x.mean():.1f} ± {100 * x.std(ddof=0):.1f}" if len(x) > 1 else f"{100 * x.mean():.1f}"
    rows = []
    for rec, g in per_seed.groupby('recipe', sort=False):
        row = {'recipe': rec, 'what': ABOUT.get(rec, ''), 'seeds': g.seed.nunique()}
        for prot in ('in-domain', 'leave-one-out'):
            h = g[g.protocol == prot]
            row[f'{prot} acc'], row[f'{prot} AUC'] = cell(h.acc), cell(h.auc)
        row['minutes per seed'] = f"{r[r.recipe == rec].groupby('seed').minutes.first().mean():.1f}"
        rows.append(row)
    overview = pd.DataFrame(rows).to_markdown(index=False)
    gens = r.groupby(['recipe', 'protocol', 'generator'], sort=False).acc.mean().unstack() * 100
    return (f"### Average over generators: mean ± spread (std over seeds)\n\n{overview}\n\n"
            f"### Accuracy per generator (%, mean over seeds)\n\n{gens.round(1).to_markdown()}\n")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--recipes', default=','.join(RECIPES)); ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--data'); ap.add_argument('--out', default='runs/recipes')
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'recipes.md'))
    ap.add_argument('--collect', action='store_true', help='only write the table, from every finished run under --out')
    ap.add_argument('--cross', action='store_true', help='judge the recipes across datasets (mini <-> far) instead'); a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out)
    if a.cross:
        data = {k: load_data(k, progress=False) for k in ('mini', 'far')} if not a.collect else {}
        for rec in a.recipes.split(',') if not a.collect else []:
            if rec not in RECIPES: raise SystemExit(f"unknown recipe {rec!r}; known: {', '.join(RECIPES)}")
            for s in map(int, a.seeds.split(',')):
                r = run_cross(data, rec, s, out/'cross'/slug(rec)/f'seed{s}')
                p = r[r.generator == 'pooled'].set_index('direction')
                print(f"{rec} seed {s}: " + '; '.join(f"{d} acc {100 * x.acc:.1f} (mixture {100 * x['acc mixture']:.1f}, shift {100 * x['acc shift-8']:.1f}) "
                                                       f"AUC {100 * x.auc:.1f}" for d, x in p.iterrows()) + f" ({r.minutes.iloc[0]:.1f} min)", flush=True)
        order = {slug(k): i for i, k in enumerate(RECIPES)}
        res = sorted((with_in_domain(f) for f in (out/'cross').glob('*/seed*/cross.csv')), key=lambda r: (order.get(slug(r.recipe[0]), 99), r.seed[0]))
        if not res: raise SystemExit(f"no finished cross-dataset runs under {out/'cross'}")
        r = pd.concat(res); r.to_csv(out/'cross'/'all.csv', index=False)
        seeds = r.groupby('recipe', sort=False).seed.apply(lambda x: ','.join(map(str, sorted(set(x)))))
        cmds = '\n'.join(f"    python benchmarks/recipes.py --cross --recipes '{k}' --seeds {v}" for k, v in seeds.items())
        dest = Path(a.table).with_name('recipes_cross.md')
        dest.write_text(f"# Recipe study across datasets: mini v{MINI_VERSION} <-> far v{FAR_VERSION}\n\nCommands (each resumes, then writes this "
                        f"table from every finished run):\n\n{cmds}\n\n" + cross_table(r))
        print(dest.read_text()); raise SystemExit(0)
    if not a.collect:
        m = load_data(a.data, progress=False)
        for rec in a.recipes.split(','):
            if rec not in RECIPES: raise SystemExit(f"unknown recipe {rec!r}; known: {', '.join(RECIPES)}")
            for s in map(int, a.seeds.split(',')):
                r = run(m, rec, s, out/slug(rec)/f'seed{s}')
                print(f"{rec} seed {s}: in-domain {100 * r[r.protocol == 'in-domain'].acc.mean():.1f}, "
                      f"leave-one-out {100 * r[r.protocol == 'leave-one-out'].acc.mean():.1f} ({r.minutes.iloc[0]:.1f} min)", flush=True)
    # the table always holds every finished run under --out, so a run of some recipes never drops the others from it
    order = {slug(k): i for i, k in enumerate(RECIPES)}
    res = sorted((pd.read_csv(f) for f in out.glob('*/seed*/result.csv')), key=lambda r: (order.get(slug(r.recipe[0]), 99), r.seed[0]))
    if not res: raise SystemExit(f"no finished runs under {out}")
    r = pd.concat(res); (out/'all.csv').parent.mkdir(parents=True, exist_ok=True); r.to_csv(out/'all.csv', index=False)
    seeds = r.groupby('recipe', sort=False).seed.apply(lambda x: ','.join(map(str, sorted(set(x)))))
    cmds = '\n'.join(f"    python benchmarks/recipes.py --recipes '{k}' --seeds {v}" for k, v in seeds.items())
    Path(a.table).write_text(f"# Recipe study on {a.data or f'mini v{MINI_VERSION}'}\n\nCommands (each resumes, then writes this table from every finished run; `--collect` only writes it):\n\n{cmds}\n\n" + table(r))
    print(Path(a.table).read_text())
