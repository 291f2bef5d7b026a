"""Per-detector parameter counts and CPU training throughput (images/s) at 64 px, measured side by side in one run.
    python benchmarks/detectors.py [--crop 64] [--bs 32] [--steps 5]
Throughput is forward + backward + optimiser step on random batches (no data loading), after one warm-up step, best of interleaved rounds, with the
detectors' default backbones (Swin-T with window 4 so that 64 px divides)."""
import argparse, time, warnings
warnings.filterwarnings('ignore')
import torch, pandas as pd
from gitools.models import create_detector, count_params, DETECTORS

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--crop', type=int, default=64); ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--steps', type=int, default=5); ap.add_argument('--rounds', type=int, default=2); a = ap.parse_args()
    torch.manual_seed(0)
    x, y = torch.rand(a.bs, 3, a.crop, a.crop), torch.randint(0, 2, (a.bs,))
    models = {}
    for arch in DETECTORS:
        kw = dict(window_size=4) if arch == 'swin_t' else dict(backbone='resnet50', pretrained=False) if arch == 'probe' else {}
        m = create_detector(arch, crop=a.crop, **kw).train()
        models[arch] = (m, torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], 1e-4))
    def step(m, opt):
        opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()
    best = {k: 0. for k in models}
    for _ in range(a.rounds):            # interleaved rounds, best of each: less exposed to a noisy machine
        for arch, (m, opt) in models.items():
            step(m, opt); t = time.time()
            for _ in range(a.steps): step(m, opt)
            best[arch] = max(best[arch], a.bs * a.steps / (time.time() - t))
    rows = [dict(detector=k, params_M=round(count_params(m) / 1e6, 2), trainable_M=round(count_params(m, True) / 1e6, 4),
                 train_img_per_s=round(best[k], 1)) for k, (m, _) in models.items()]
    t = pd.DataFrame(rows)
    t['relative_to_resnet50'] = (t.train_img_per_s / t.set_index('detector').loc['resnet50', 'train_img_per_s']).round(2)
    print(f"threads: {torch.get_num_threads()}, crop {a.crop}, batch {a.bs}")
    print(t.to_markdown(index=False))
