"""Scanner speed: 100,000 files in GenImage layout, scanned from scratch and rescanned from the cache.
Reports files/s and, measured side by side in the same run, the ratio to a naive scan that decodes every image serially.
    python benchmarks/scan_speed.py [--n 100000] [--root /tmp/gitools-bench-scan]
Files are hard links to a few hundred fixture images (real PNG/JPEG files with GenImage names), so setup is fast."""
import argparse, os, shutil, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
from PIL import Image
from gitools.fixtures import make_fixture, fake_name, real_name
from gitools.data import scan, GENERATORS, GENIMAGE_GENERATORS

def build(root:Path, n:int):
    src = root.parent/(root.name + '-src')
    if not src.exists(): make_fixture(src, n_train=8, n_val=4, scale=0.25, defects=True)
    srcs = {}
    for p in src.rglob('*'):
        if p.is_file(): srcs.setdefault((p.parent.name, p.suffix.lower()), []).append(p)
    per = n // (len(GENIMAGE_GENERATORS) * 4)
    i = 0
    for g in map(GENERATORS.get, GENIMAGE_GENERATORS):
        for split in ('train', 'val'):
            for label, folder in (('fake', 'ai'), ('real', 'nature')):
                d = root/g.top/g.inner/split/folder; d.mkdir(parents=True, exist_ok=True)
                pool = [p for (f, _), ps in srcs.items() if f == folder for p in ps]
                for k in range(per):
                    i += 1
                    name = fake_name(g.key, k % 1000, i) if label == 'fake' else real_name(split, k % 1000, i)
                    os.link(pool[k % len(pool)], d/name)
    return i

def main(argv=None) -> list:
    "Run the benchmark, print its figures, return the suite's row (see `suite.py`)."
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=100_000); ap.add_argument('--root', default='/tmp/gitools-bench-scan')
    a = ap.parse_args(argv); root = Path(a.root)
    shutil.rmtree(root, ignore_errors=True)
    t = time.time(); n = build(root, a.n); print(f"built {n} files in {time.time() - t:.1f}s")
    t = time.time(); m = scan(root, progress=False); t_scan = time.time() - t
    t = time.time(); m2 = scan(root, progress=False); t_rescan = time.time() - t
    assert len(m) == len(m2) == n
    sample = m.path.iloc[::max(1, n // 2000)].tolist()
    t = time.time()
    for p in sample:
        try:
            with Image.open(p) as im: im.load()
        except Exception: pass
    t_naive = (time.time() - t) / len(sample) * n
    print(f"cores: {os.cpu_count()}")
    print(f"scan (headers, parallel): {n} files in {t_scan:.1f}s = {n / t_scan:,.0f} files/s; {int((~m.readable).sum())} unreadable flagged")
    print(f"rescan (cache, nothing changed): {t_rescan:.1f}s = {n / t_rescan:,.0f} files/s")
    print(f"naive serial full decode (measured on {len(sample)} files, same run): {n / t_naive:,.0f} files/s")
    print(f"speed-up of the scan over the naive decode: {t_naive / t_scan:.1f}x; rescan over scan: {t_scan / t_rescan:.1f}x")
    shutil.rmtree(root, ignore_errors=True)
    per100k = t_scan * 100_000 / n
    return [dict(measure=f'scan files/s ({n} files) vs a serial decode of every file', gitools=n / t_scan, baseline=n / t_naive,
                 ratio=t_naive / t_scan, target=f'100k files < 60 s (here {per100k:.0f} s per 100k)', met=per100k < 60)]

if __name__ == '__main__': main()
