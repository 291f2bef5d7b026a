"""Transfer strategies compared on the same data in one run: naive sequential fine-tuning, the curriculum with freezing and
replay, and joint training (gitools.transfer.compare_strategies). Default: the embedded benchmark and its default stages.
    python benchmarks/transfer_comparison.py [--data ROOT] [--stages esrgan,pix2pix,sr3] [--out runs/compare]"""
import argparse, shutil, warnings
warnings.filterwarnings('ignore')
from gitools.data import default_stages
from gitools.load import load_data
from gitools.transfer import compare_strategies

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--data'); ap.add_argument('--stages')
    ap.add_argument('--out', default='runs/compare'); ap.add_argument('--seed', type=int, default=0); a = ap.parse_args()
    shutil.rmtree(a.out, ignore_errors=True)
    m = load_data(a.data)
    t = compare_strategies(m, a.out, a.stages or default_stages(m), seed=a.seed)
    print((t[['avg_all', 'avg_trained', 'forgetting', 'forward_transfer']] * 100).round(1).join(t[['order', 'minutes']].round(2)).to_markdown())
