"""Training and inference throughput against plain PyTorch, and prediction memory as the input grows (issue 14's targets:
training at least 0.95x a plain loop, inference at least 0.9x, peak memory flat within 10% from 1k to 10k files).
Measured side by side in one run on the same data, alternating, medians of --repeats:
- training: `detector_learner` (fastai) one epoch from a crop cache vs a plain PyTorch loop (same timm model, batch, optimiser,
  the same cached crops through a plain `DataLoader`);
- inference: `Detector.predict` on image files vs a plain loop (open, centre crop, normalise, forward) with the same model;
- memory: `gitools-predict` peak RSS on 1k and 10k files, as fresh processes.
    python benchmarks/throughput.py [--arch resnet18] [--crop 64] [--n 2000] [--repeats 3] [--big]
With a GPU (or --big) it also records ResNet-50 training images/s at 224 px with the fast defaults and the cache's feed rate."""
import argparse, os, statistics, sys, tempfile, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, torch, torch.nn.functional as F
from PIL import Image
from gitools.fixtures import make_fixture
from gitools.data import scan, select
from gitools.cache import build_cache, CropCache, crop_boxes
from gitools.loaders import genimage_dls
from gitools.learner import detector_learner
from gitools.detector import save_detector
from startup import measure   # wall time and peak memory of a command as a fresh process

def plain_train(model, cache, rows, bs, mean, std) -> float:
    "Images/s of one epoch of a plain loop: cached crops -> float tensors -> normalise -> forward/backward/step (Adam)."
    idx = [int(cache.crops_of(p)[0]) for p in rows.path]; y = torch.tensor(rows.label.eq('fake').astype(int).values)
    class DS(torch.utils.data.Dataset):
        def __len__(self): return len(idx)
        def __getitem__(self, i): return torch.from_numpy(np.array(cache[idx[i]])).permute(2, 0, 1), y[i]
    dev = next(model.parameters()).device; cuda = dev.type == 'cuda'
    dl = torch.utils.data.DataLoader(DS(), batch_size=bs, shuffle=True, drop_last=True, num_workers=0, pin_memory=cuda)
    m, s = torch.tensor(mean, device=dev).view(1, 3, 1, 1), torch.tensor(std, device=dev).view(1, 3, 1, 1)
    opt = torch.optim.Adam(model.parameters(), 1e-3); model.train(); n, t0 = 0, time.perf_counter()
    for xb, yb in dl:   # on a GPU: the same fast settings as gitools (channels-last, bf16 autocast)
        xb, yb = xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
        if cuda: xb = xb.contiguous(memory_format=torch.channels_last)
        with torch.autocast(dev.type, torch.bfloat16, enabled=cuda):
            loss = F.cross_entropy(model((xb.float() / 255 - m) / s), yb)
        opt.zero_grad(); loss.backward(); opt.step(); n += len(xb)
    if cuda: torch.cuda.synchronize()
    return n / (time.perf_counter() - t0)

def gitools_train(m, cache, arch, crop, bs, num_workers=0) -> float:
    "Images/s of one epoch of `detector_learner` (fastai, with its fast defaults on a GPU) on the cached crops."
    dls = genimage_dls(m, train='sdv4', crop=crop, bs=bs, num_workers=num_workers, cache=cache, augment='none', valid_pct=0.01)
    learn = detector_learner(dls, arch); n = len(dls.train) * bs
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    if torch.cuda.is_available(): torch.cuda.synchronize()
    return n / (time.perf_counter() - t0), learn

@torch.no_grad()
def plain_predict(model, paths, crop, bs, mean, std) -> float:
    dev = next(model.parameters()).device
    model.eval(); m, s = torch.tensor(mean, device=dev).view(1, 3, 1, 1), torch.tensor(std, device=dev).view(1, 3, 1, 1); t0 = time.perf_counter()
    for i in range(0, len(paths), bs):
        xs = []
        for p in paths[i:i + bs]:
            img = Image.open(p).convert('RGB'); xs.append(torch.from_numpy(np.asarray(img.crop(crop_boxes(img.width, img.height, crop)[0]))).permute(2, 0, 1))
        torch.softmax(model((torch.stack(xs).to(dev).float() / 255 - m) / s), 1)[:, 1].cpu()
    return len(paths) / (time.perf_counter() - t0)

def big_rows(tmp:Path, bs:int, n:int) -> pd.DataFrame:
    "ResNet-50 training images/s at 224 px with the fast defaults, and the crop cache's feed rate through `genimage_dls` with workers."
    from loading import write_images, epoch_rate
    write_images(tmp/'big', 2 * n, 256)
    m = scan(tmp/'big', progress=False, cache=False)
    cache = CropCache(build_cache(m, tmp/'big-cache', crop=224, progress=False), m)
    workers = min(8, os.cpu_count() or 1)
    ips, learn = gitools_train(m, cache, 'resnet50', 224, bs, num_workers=workers)
    feed = epoch_rate(genimage_dls(m, train='sdv4', crop=224, bs=bs, num_workers=workers, cache=cache, augment='none', valid_pct=0.01))
    return pd.DataFrame([dict(measure=f'ResNet-50 training images/s, 224 px, batch {bs}, {workers} workers', value=ips),
                         dict(measure=f'crop cache feed images/s through genimage_dls, 224 px, {workers} workers', value=feed)]).round(1)

def main(argv=None) -> list:
    "Run the benchmark, write its table, return the suite's rows (see `suite.py`)."
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', default='resnet18'); ap.add_argument('--crop', type=int, default=64); ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--n', type=int, default=2000, help='training images per label'); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--memory-files', default='1000,10000')
    ap.add_argument('--big', action='store_true', help='also ResNet-50 at 224 px and the cache feed rate (on by default with a GPU)')
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'throughput.md')); a = ap.parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    tmp = Path(tempfile.mkdtemp())
    make_fixture(tmp/'data', ['sdv4'], n_train=a.n, n_val=a.n // 4, scale=0.25, defects=False)
    m = scan(tmp/'data', progress=False, cache=False)
    cache = CropCache(build_cache(m, tmp/'cache', crop=a.crop, progress=False), m)
    rows = select(m, 'sdv4', 'train')
    res = {k: [] for k in ('train gitools', 'train plain', 'predict gitools', 'predict plain')}
    paths = list(select(m, 'sdv4', 'val').path)
    warm = detector_learner(genimage_dls(m, train='sdv4', crop=a.crop, bs=a.bs, num_workers=0, cache=cache, valid_pct=0.01), a.arch)
    plain_train(warm.model, cache, rows.iloc[:4 * a.bs], a.bs, warm.gitools['mean'], warm.gitools['std'])   # warm-up: kernels for these shapes
    for r in range(a.repeats):
        ips, learn = gitools_train(m, cache, a.arch, a.crop, a.bs); res['train gitools'].append(ips)
        spec = learn.gitools
        res['train plain'].append(plain_train(learn.model, cache, rows, a.bs, spec['mean'], spec['std']))
        det = learn.to_detector()
        t0 = time.perf_counter(); det.predict(paths, bs=a.bs); res['predict gitools'].append(len(paths) / (time.perf_counter() - t0))
        res['predict plain'].append(plain_predict(det.model, paths, a.crop, a.bs, det.mean, det.std))
    med = {k: statistics.median(v) for k, v in res.items()}
    # memory: gitools-predict on growing folders of the same images (hard links), fresh processes
    dpath = save_detector(det, tmp/'det'); src = paths; mem = {}
    for n in map(int, a.memory_files.split(',')):
        d = tmp/f'files{n}'; d.mkdir()
        for i in range(n): os.link(src[i % len(src)], d/f'{i:06d}{Path(src[i % len(src)]).suffix}')
        mem[n] = measure([str(Path(sys.executable).parent/'gitools-predict'), str(d), '--detector', str(dpath), '--out', str(tmp/f'p{n}.csv')])[1]
    ns = sorted(mem)
    t = pd.DataFrame([
        dict(measure=f'training images/s ({a.arch}, {a.crop} px, batch {a.bs}, 1 epoch of {len(rows)})', gitools=med['train gitools'],
             plain=med['train plain'], ratio=med['train gitools'] / med['train plain'], target='>= 0.95'),
        dict(measure=f'inference images/s ({len(paths)} files)', gitools=med['predict gitools'], plain=med['predict plain'],
             ratio=med['predict gitools'] / med['predict plain'], target='>= 0.9'),
        dict(measure=f'gitools-predict peak MiB, {ns[0]} -> {ns[-1]} files', gitools=mem[ns[-1]], plain=mem[ns[0]],
             ratio=mem[ns[-1]] / mem[ns[0]], target='<= 1.10'),
    ]).round(2)
    t['met'] = [t.ratio[0] >= 0.95, t.ratio[1] >= 0.9, t.ratio[2] <= 1.10]
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else None
    big = big_rows(tmp, a.bs, a.n) if a.big or gpu else None
    text = (f"# Throughput against plain PyTorch\n\nCommand: `python benchmarks/throughput.py --arch {a.arch} --crop {a.crop} --n {a.n} "
            f"--repeats {a.repeats}{' --big' if a.big else ''}`\n\n{os.cpu_count()} CPU threads, {gpu or 'no GPU'}; medians of {a.repeats} alternated runs. "
            f"Memory row: `gitools` = the largest input, `plain` = the smallest.\n\n{t.to_markdown(index=False)}\n"
            + (f"\n## ResNet-50 at 224 px with the fast defaults\n\n{big.to_markdown(index=False)}\n" if big is not None else ''))
    Path(a.table).write_text(text); print(text)
    rows = t.rename(columns={'plain': 'baseline'}).to_dict('records')
    if big is not None: rows += [dict(measure=r.measure, gitools=r.value, baseline=None, ratio=None, target='(recorded)', met=None) for r in big.itertuples()]
    return rows

if __name__ == '__main__': main()
