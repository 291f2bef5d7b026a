"""A hostile corpus (good images among bad files, links and odd names) through scan, predict, finetune and eval: no traceback,
the right reason for every bad file, every good file still processed."""
import io, json, os, struct, subprocess, sys, zlib
from pathlib import Path
import numpy as np, pandas as pd, pytest
from PIL import Image

def cmd(name): return str(Path(sys.executable).parent/name)
def run(name, *args): return subprocess.run([cmd(name), *map(str, args)], capture_output=True, text=True)

def _png_bytes(img):
    b = io.BytesIO(); img.save(b, 'PNG'); return b.getvalue()

def _bomb() -> bytes:
    "A valid small PNG whose header claims 60000 x 60000 pixels (a decompression bomb)."
    raw = bytearray(_png_bytes(Image.new('RGB', (8, 8))))
    ihdr = raw[12:29]; ihdr[4:12] = struct.pack('>II', 60000, 60000)
    raw[12:29] = ihdr; raw[29:33] = struct.pack('>I', zlib.crc32(bytes(ihdr)) & 0xffffffff)
    return bytes(raw)

BAD = {  # file name -> expected words in the scan's reason
    'empty.png': 'empty file', 'truncated.png': 'truncated', 'header.png': 'broken header', 'bomb.png': 'broken header',
    'dangling.png': 'broken symlink', 'loop_a.png': 'symlink loop', 'loop_b.png': 'symlink loop',
}

@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    "GenImage layout, two generators; good images of many kinds and the bad files of `BAD` in sdv4/train/ai."
    root = tmp_path_factory.mktemp('hostile')
    rng = np.random.default_rng(0)
    good = []
    for gen, top, inner in (('sdv4', 'stable_diffusion_v_1_4', 'imagenet_ai_0419_sdv4'), ('biggan', 'BigGAN', 'imagenet_ai_0419_biggan')):
        for split, n in (('train', 12), ('val', 4)):
            for label, folder in (('fake', 'ai'), ('real', 'nature')):
                d = root/top/inner/split/folder; d.mkdir(parents=True)
                for i in range(n):
                    a = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8) // (2 if label == 'fake' else 1)
                    p = d/(f'{i:03d}_{gen}_{i:05d}.png' if label == 'fake' else f'img {i} ünï.JPEG')   # spaces, unicode, upper-case ext
                    Image.fromarray(a).save(p, 'PNG' if label == 'fake' else 'JPEG', quality=95); good.append(str(p))
    d = root/'stable_diffusion_v_1_4'/'imagenet_ai_0419_sdv4'/'train'/'ai'
    odd = {'cmyk.jpg': Image.new('CMYK', (40, 40), (10, 20, 30, 40)), 'palette.png': Image.new('P', (40, 40), 3),
           'tiny.png': Image.new('RGB', (1, 1)), 'grey16.png': Image.fromarray((np.arange(1600).reshape(40, 40) * 40).astype(np.uint16)),
           'rgba.png': Image.new('RGBA', (40, 40), (1, 2, 3, 0))}
    for name, img in odd.items(): img.save(d/name); good.append(str(d/name))
    frames = [Image.new('RGB', (40, 40), c) for c in ('red', 'blue')]
    frames[0].save(d/'animated.gif', save_all=True, append_images=frames[1:]); good.append(str(d/'animated.gif'))
    (d/'empty.png').write_bytes(b'')
    (d/'truncated.png').write_bytes(_png_bytes(Image.new('RGB', (40, 40), 'white'))[:-30])
    (d/'header.png').write_bytes(b'\x89PNG not really a png at all')
    (d/'bomb.png').write_bytes(_bomb())
    os.symlink('/no/such/target.png', d/'dangling.png')
    os.symlink('loop_b.png', d/'loop_a.png'); os.symlink('loop_a.png', d/'loop_b.png')
    os.symlink('../..', d/'up')                       # a folder link to an ancestor: a cycle
    return root, good, d

def test_scan_flags_every_bad_file_with_its_reason(corpus):
    root, good, d = corpus
    r = run('gitools-scan', root, '--no-cache', '--out', root.parent/'m.csv')
    assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    m = pd.read_csv(root.parent/'m.csv')
    bad = m[~m.readable].set_index(m[~m.readable].path.map(lambda p: Path(p).name))
    assert set(bad.index) == set(BAD)
    for name, why in BAD.items(): assert why in bad.loc[name, 'reason'], (name, bad.loc[name, 'reason'])
    assert set(good) <= set(m[m.readable].path)                            # every good file kept, none twice
    assert m.path.is_unique and not m.path.str.contains('/up/').any()       # the cycle was not followed ...
    assert f"gitools-scan: warning: {d/'up'}: links to a folder scanned already (a symlink cycle, or a second link to one folder); not followed" in r.stderr   # ... and the user is told, in one line
    assert 'UserWarning' not in r.stderr and 'warnings.warn' not in r.stderr                  # no Python warning format, no source line

def test_predict_scores_good_files_and_reports_the_rest(corpus, tmp_path):
    root, good, d = corpus
    r = run('gitools-finetune', '--data', root, '--stages', 'sdv4', '--arch', 'stats', '--crop', '32', '--out', tmp_path/'run')
    assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    out = tmp_path/'new'/'folder'/'scores.csv'                              # --out into a folder that does not exist yet
    r = run('gitools-predict', d, d/'missing.png', good[0], '--detector', tmp_path/'run'/'final', '--out', out)
    assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    t = pd.read_csv(out).set_index('path')
    names = t.index.map(lambda p: Path(p).name)
    scored = t[t.error.isna()]
    assert set(scored.index) >= {p for p in good if p.startswith(str(d))} | {good[0]} and scored.p_fake.between(0, 1).all()
    errors = dict(zip(names[t.error.notna()], t.error.dropna()))
    assert set(errors) == set(BAD) | {'missing.png'}
    assert 'no such image file' in errors['missing.png'] and 'broken symlink or symlink loop' in errors['dangling.png']
    g16 = t.p_fake[t.index.str.endswith('grey16.png')].iloc[0]
    assert 0 <= g16 <= 1

def test_eval_runs_on_the_corpus(corpus, tmp_path):
    root, good, d = corpus
    r = run('gitools-eval', 'loo', '--data', root, '--arch', 'stats', '--crop', '32', '--out', tmp_path/'loo')
    assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert list(pd.read_csv(tmp_path/'loo'/'tables'/'leave_one_generator_out.csv', index_col=0).index) == ['biggan', 'sdv4', 'avg']

def test_csv_edge_cases(corpus, tmp_path):
    root, good, d = corpus
    (tmp_path/'empty.csv').write_text('path,label\n')
    r = run('gitools-scan', tmp_path/'empty.csv')
    assert r.returncode == 2 and 'lists no images' in r.stderr and 'Traceback' not in r.stderr
    some = [p for p in good if '/BigGAN/' in p][:4] + [p for p in good if '/stable_diffusion_v_1_4/' in p and '/nature/' in p][:4]
    pd.DataFrame(dict(path=some, label=['fake' if '/ai/' in p else 'real' for p in some])).to_csv(tmp_path/'l.csv', index=False)
    r = run('gitools-scan', tmp_path/'l.csv', '--no-cache', '--out', tmp_path/'l_m.csv')
    assert r.returncode == 0, r.stderr[-1500:]
    assert set(pd.read_csv(tmp_path/'l_m.csv').generator) == {'biggan', 'sdv4'}   # the GenImage generator, not 'ai' or 'nature'

def test_bad_detector_configs_are_named(corpus, tmp_path):
    root, good, d = corpus
    det = tmp_path/'det'
    assert run('gitools-finetune', '--data', root, '--stages', 'sdv4', '--arch', 'stats', '--crop', '32', '--out', tmp_path/'r').returncode == 0
    import shutil; shutil.copytree(tmp_path/'r'/'final', det)
    cfg = json.loads((det/'config.json').read_text())
    for broken, msg in [([1], 'not a gitools detector config'), ({**cfg, 'crop': 'big'}, "field 'crop' is 'big'"),
                        ({k: v for k, v in cfg.items() if k != 'crop'}, "field 'crop' is missing")]:
        (det/'config.json').write_text(json.dumps(broken))
        r = run('gitools-predict', good[0], '--detector', det)
        assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr[-1000:]
