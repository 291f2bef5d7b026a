"""Evaluation engine: K detectors x D degradations with shared decoding (gitools.evaluation.predict_rows) against the naive
loop that decodes and degrades every image once per detector per degradation. Same images, same run; predictions checked equal.
    python benchmarks/eval_engine.py [--n 96] [--k 3] [--d 4]"""
import argparse, tempfile, time, warnings
warnings.filterwarnings('ignore')
from pathlib import Path
import numpy as np, torch
from gitools.core import open_rgb
from gitools.fixtures import make_fixture
from gitools.data import scan, select
from gitools.models import create_detector
from gitools.detector import Detector
from gitools.transforms import degradation, PAPER_DEGRADATIONS
from gitools.evaluation import predict_rows

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=96); ap.add_argument('--k', type=int, default=3); ap.add_argument('--d', type=int, default=4)
    a = ap.parse_args()
    root = Path(tempfile.mkdtemp())
    make_fixture(root, ['sdv4', 'adm'], n_train=1, n_val=a.n // 4, defects=False)     # native sizes: 256-512 px images
    rows = select(scan(root, progress=False), splits='val')
    archs = ['resnet18', 'test_convnext', 'npr', 'test_resnet', 'gramnet'][:a.k]
    dets = {f'{x}': Detector(create_detector(x, crop=64, **({'backbone': 'resnet18'} if x in ('npr', 'gramnet') else {})), x, 64,
                             (0.5,) * 3, (0.5,) * 3) for x in archs}
    degs = (['identity'] + PAPER_DEGRADATIONS)[:a.d]
    t = time.time(); shared = predict_rows(dets, rows, degs, bs=32, progress=False); t_shared = time.time() - t
    t = time.time(); naive = {}
    for k, det in dets.items():
        for s in degs:
            d = degradation(s)
            naive[k, s] = det.predict([d(open_rgb(p)) for p in rows.path], bs=32)    # decode + degrade per detector, per degradation
    t_naive = time.time() - t
    for (k, s), p in naive.items():
        q = shared[(shared.detector == k) & (shared.degradation == s)].p_fake.values
        assert np.allclose(p, q, atol=1e-4), (k, s)
    n = len(rows) * len(dets) * len(degs)
    print(f"{len(rows)} images ({rows.width.mean():.0f} px wide on average), {len(dets)} detectors x {len(degs)} degradations {degs}, "
          f"{torch.get_num_threads()} threads")
    print(f"shared decoding: {n / t_shared:.1f} image-evaluations/s ({t_shared:.1f}s)")
    print(f"naive loop:      {n / t_naive:.1f} image-evaluations/s ({t_naive:.1f}s)")
    print(f"speed-up: {t_naive / t_shared:.2f}x (predictions equal within 1e-4)")
