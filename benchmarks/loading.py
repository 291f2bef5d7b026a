"""Loading throughput: training crops read from the image files (decode + crop, what `genimage_dls` does without a cache)
against the same crops read from a crop cache (`gitools-cache`); issue 14's target: at least 5x. Measured side by side in one
run on GenImage-like images (512 px PNGs and JPEGs, written here), on one process, alternating the two readers; also one
epoch through `genimage_dls` both ways.
    python benchmarks/loading.py [--n 400] [--size 512] [--crop 224] [--repeats 3]"""
import argparse, statistics, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
from PIL import Image
from gitools.data import scan
from gitools.loaders import ReadImage, ReadCached, genimage_dls
from gitools.cache import build_cache, CropCache, crop_boxes

def write_images(root:Path, n:int, size:int):
    "`n` photo-like images (smooth colour fields plus noise) as GenImage-style PNG fakes and JPEG reals of one generator."
    rng = np.random.default_rng(0)
    for i in range(n):
        base = rng.random((8, 8, 3)); img = np.asarray(Image.fromarray((base * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC), np.float32)
        img = np.clip(img + rng.normal(0, 12, img.shape), 0, 255).astype(np.uint8)
        fake = i % 2 == 0; split = 'val' if i % 5 == 0 else 'train'
        d = root/'stable_diffusion_v_1_4'/'imagenet_ai_0419_sdv4'/split/('ai' if fake else 'nature'); d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(d/(f'{i}_sdv4.png' if fake else f'n{i:08d}_{i}.JPEG'), **({} if fake else dict(quality=95)))

def rate(fn, rows) -> float:
    t0 = time.perf_counter()
    for r in rows: fn(r)
    return len(rows) / (time.perf_counter() - t0)

def epoch_rate(dls) -> float:
    t0 = time.perf_counter(); n = 0
    for x, y in dls.train: n += len(x)
    return n / (time.perf_counter() - t0)

def main(argv=None) -> list:
    "Run the benchmark, write its table, return the suite's row (see `suite.py`)."
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=400); ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--crop', type=int, default=224); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--table', default=str(Path(__file__).parent/'results'/'loading.md')); a = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp()); write_images(tmp/'data', a.n, a.size)
    m = scan(tmp/'data', progress=False, cache=False)
    t0 = time.perf_counter(); build_cache(m, tmp/'cache', crop=a.crop, n_workers=1, progress=False); build_s = time.perf_counter() - t0
    cache = CropCache(tmp/'cache', m)
    raw, cached = ReadImage(), ReadCached(cache)
    rows = [r for _, r in m.assign(is_valid=True).iterrows()]
    def raw_crop(r):   # what the loaders do per item without a cache: decode the file, cut the crop
        img = raw(r); return img.crop(crop_boxes(img.width, img.height, a.crop)[0])
    res = {'files (decode + crop)': [], 'crop cache': []}
    for _ in range(a.repeats):
        res['files (decode + crop)'].append(rate(raw_crop, rows)); res['crop cache'].append(rate(cached, rows))
    opts = dict(train='sdv4', crop=a.crop, bs=32, num_workers=0, augment='none')
    ep = {'files (decode + crop)': epoch_rate(genimage_dls(m, **opts)), 'crop cache': epoch_rate(genimage_dls(m, cache=cache, **opts))}
    t = pd.DataFrame({'reader': list(res), 'items/s (median)': [statistics.median(v) for v in res.values()],
                      'genimage_dls epoch images/s': [ep[k] for k in res]}).round(1)
    ratio = t['items/s (median)'].iloc[1] / t['items/s (median)'].iloc[0]
    text = (f"# Loading: files against the crop cache\n\nCommand: `python benchmarks/loading.py --n {a.n} --size {a.size} --crop {a.crop}`\n\n"
            f"{a.n} images of {a.size} px (half PNG, half JPEG quality 95), {a.crop} px crops, one process (num_workers=0), medians of "
            f"{a.repeats} alternated passes. Building the cache took {build_s:.1f} s ({a.n / build_s:.0f} images/s, one worker).\n\n"
            f"{t.to_markdown(index=False)}\n\n**Ratio (cache / files): {ratio:.1f}x** (target: at least 5x). The epoch column includes "
            "fastai's batching, augmentation-free item transforms and collation, which both readers share.\n")
    Path(a.table).write_text(text); print(text)
    return [dict(measure=f'loading items/s, {a.crop} px crops of {a.size} px images: crop cache vs files', gitools=t['items/s (median)'].iloc[1],
                 baseline=t['items/s (median)'].iloc[0], ratio=ratio, target='>= 5', met=ratio >= 5)]

if __name__ == '__main__': main()
