"""How `probe_stats`' two settings were chosen: the weight of the six image statistics beside the probe's features, and C.

The frozen features are extracted once for every image of mini and far (the probe's EfficientNet-Lite0 features and the six
`image_stats`, on the centre crop and averaged over the centre and a 3 x 3 grid of crops, as `probe_stats` reads them). For each
(weight, C) a logistic regression is fitted on one benchmark's train split and scored (ROC-AUC) on the **train** split of the other,
both directions: the val images that the cross-dataset table reports are never looked at. The table is written to
benchmarks/results/probe_stats_selection.md.
    python benchmarks/probe_stats_selection.py [--out runs/probe-stats-selection]"""
import argparse, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from gitools.core import open_rgb
from gitools.load import load_data
from gitools.detector import views
from gitools.models import create_detector, image_stats

def features(m:pd.DataFrame, probe) -> tuple:
    "Per image: probe features and statistics averaged over the centre and a 3 x 3 grid of 64 px crops (mini's 64 px images: the centre)."
    P, S = [], []
    with torch.inference_mode():
        for p in m.path:
            x = torch.unique(views(open_rgb(p), [(64, 3)])[(64, 3)], dim=0).float() / 255   # each distinct view once, as the detector scores them
            P.append(probe.features(x).mean(0).numpy()); S.append(image_stats(x).mean(0).numpy())
    return np.stack(P), np.stack(S)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='runs/probe-stats-selection')
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'probe_stats_selection.md')); a = ap.parse_args()
    torch.set_num_threads(2); out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    probe = create_detector('probe', crop=64).eval()
    D = {}
    for k in ('mini', 'far'):
        m = load_data(k, progress=False).reset_index(drop=True)
        f = out/f'{k}.npz'
        if not f.exists(): np.savez(f, *features(m, probe))
        z = np.load(f)
        D[k] = dict(P=z['arr_0'], S=z['arr_1'], y=m.label.eq('fake').to_numpy().astype(int), train=m.split.eq('train').to_numpy())
    rows = []
    for src, tgt in (('mini', 'far'), ('far', 'mini')):
        s, t = D[src], D[tgt]
        for w in (1, 3, 10, 30, 100):
            for C in (0.001, 0.003, 0.01):
                X, Xt = (np.concatenate([d['P'], d['S']], 1) for d in (s, t))
                mu, sd = X[s['train']].mean(0), X[s['train']].std(0) + 1e-6
                sd = sd / np.r_[np.ones(s['P'].shape[1]), np.full(6, w)]        # a weight w on each standardised statistic
                clf = LogisticRegression(C=C, max_iter=5000).fit((X[s['train']] - mu) / sd, s['y'][s['train']])
                z = clf.decision_function((Xt[t['train']] - mu) / sd)
                rows.append(dict(direction=f'{src} -> {tgt}', weight=w, C=C, auc=roc_auc_score(t['y'][t['train']], z)))
    r = pd.DataFrame(rows)
    tab = r.pivot_table(index=['weight', 'C'], columns='direction', values='auc')
    tab['mean'] = tab.mean(1); tab = (tab * 100).round(1).sort_values('mean', ascending=False)
    best = tab.index[0]
    Path(a.table).write_text("# probe_stats: choosing the statistics' weight and C on target *train* images\n\n"
                             "Command: `python benchmarks/probe_stats_selection.py`. ROC-AUC (%) on the other benchmark's train split "
                             f"(the reported val images are never used). Best: weight {best[0]}, C {best[1]}.\n\n" + tab.to_markdown() + '\n')
    print(Path(a.table).read_text())
