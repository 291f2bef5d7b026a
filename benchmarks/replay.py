"""How much replay the main job needs: gitools-finetune's default plan on mini with several replay shares and seeds; the
final detector's verdict (trained and held-out generators) beside the stats floor. Runs resume; writes
benchmarks/results/replay.md.
    python benchmarks/replay.py [--replays 0.2,0.5] [--seeds 0,1,2] [--out runs/replay]"""
import argparse, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import pandas as pd
from gitools.data import default_stages
from gitools.load import load_data
from gitools.transfer import finetune
from gitools.benchmark import MINI_VERSION

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--replays', default='0.2,0.5'); ap.add_argument('--seeds', default='0,1,2'); ap.add_argument('--out', default='runs/replay')
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'replay.md')); a = ap.parse_args()
    m, rows = load_data(progress=False), []
    for r in map(float, a.replays.split(',')):
        for s in map(int, a.seeds.split(',')):
            out = Path(a.out)/f'r{r}-s{s}'
            res = finetune(m, out, resume=(out/'state.json').exists(), stages=default_stages(m), replay=r, seed=s, progress=False)
            v, f = res['verdict'], res['summary']['forgetting'].mean()
            rows.append({'replay': r, 'seed': s, 'forgetting': f, **{f'{k} {c}': v.loc[k, c] for k in v.index for c in ('detector', 'floor')}})
    t = pd.DataFrame(rows)
    cols = [c for c in t.columns if c not in ('replay', 'seed')]
    agg = t.groupby('replay')[cols].agg(lambda x: f"{100 * x.mean():.1f} ± {100 * x.std(ddof=0):.1f}")
    Path(a.table).write_text(f"# Replay in the main job (mini v{MINI_VERSION}, stages {default_stages(m)})\n\nCommand: `python benchmarks/replay.py --replays "
                             f"{a.replays} --seeds {a.seeds}`\n\nMean val accuracy (%) of the final detector and of the stats floor trained "
                             f"on the same images; mean ± std over seeds {a.seeds}; forgetting in points.\n\n{agg.to_markdown()}\n\n"
                             f"Per seed:\n\n{(t.set_index(['replay', 'seed']) * 100).round(1).to_markdown()}\n")
    print(Path(a.table).read_text())
