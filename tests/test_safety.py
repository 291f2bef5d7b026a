"""Nothing lost, nothing stale (issue 27): every command that writes refuses a folder or file it did not make, a run continues only
with its own options and data, one writer at a time, file names of any bytes, duplicates in a CSV under a stated rule."""
import io, json, os, shutil, subprocess, sys
from pathlib import Path
import pandas as pd, pytest
from PIL import Image

def cmd(name): return str(Path(sys.executable).parent/name)
def run(name, *args, **kw): return subprocess.run([cmd(name), *map(str, args)], capture_output=True, text=True, **kw)
QUICK = ['--arch', 'stats', '--crop', '32', '--stages', 'sdv4', '--cross-data', 'none']

def ok(r):
    assert r.returncode == 0, r.stderr[-2000:]
    return r

def refused(r, words):
    assert r.returncode == 2 and words in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]
    return r

def tree_snapshot(d:Path) -> dict: return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob('*')) if p.is_file()}

@pytest.fixture(scope='module')
def finished(tiny_tree, tmp_path_factory):
    "One finished finetune run (the stats detector, one stage): its folder."
    out = tmp_path_factory.mktemp('safety')/'run'
    ok(run('gitools-finetune', '--data', tiny_tree[0], '--out', out, *QUICK))
    return out

def test_finetune_leaves_a_users_folder_alone(tiny_tree, tmp_path):
    u = tmp_path/'u'
    for f in ('final/a', 'tmp/b'): (u/f).parent.mkdir(parents=True, exist_ok=True); (u/f).write_text('k')
    before = tree_snapshot(u)
    for extra in ([], ['--resume'], ['--overwrite']):
        refused(run('gitools-finetune', '--data', tiny_tree[0], '--out', u, *QUICK, *extra), 'files gitools did not write')
    assert tree_snapshot(u) == before

def test_a_run_continues_only_itself(finished, tiny_tree, tmp_path):
    refused(run('gitools-finetune', '--data', tiny_tree[0], '--out', finished, *QUICK), 'holds a finetune run already; --resume continues it')
    r = ok(run('gitools-finetune', '--data', tiny_tree[0], '--out', finished, *QUICK, '--resume'))   # a finished run resumes to its report
    assert 'verdict' in r.stdout
    refused(run('gitools-finetune', '--data', tiny_tree[0], '--out', finished, *QUICK, '--resume', '--seed', '3'), "--seed (0 there, 3 now)")
    other = tmp_path/'other'; shutil.copytree(tiny_tree[0], other)
    next(p for p in sorted(other.rglob('*.png')) if '/val/' in str(p)).unlink()             # one image fewer: other data
    refused(run('gitools-finetune', '--data', other, '--out', finished, *QUICK, '--resume'), 'the data (other images, labels or splits)')

def test_one_writer_at_a_time(finished, tiny_tree):
    lock = finished/'.gitools.lock'
    holder = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
    try:
        import socket
        lock.write_text(json.dumps(dict(pid=holder.pid, host=socket.gethostname(), since='just now')))
        refused(run('gitools-finetune', '--data', tiny_tree[0], '--out', finished, *QUICK, '--resume'), f'in use by gitools process {holder.pid}')
    finally: holder.kill(); holder.wait()
    ok(run('gitools-finetune', '--data', tiny_tree[0], '--out', finished, *QUICK, '--resume'))   # a dead holder's lock is taken over
    assert not lock.exists()

def test_overwrite_replaces_a_run_whole(finished, tiny_tree, tmp_path):
    out = tmp_path/'run'; shutil.copytree(finished, out)
    (out/'stages'/'marker.txt').write_text('from the old run')
    ok(run('gitools-finetune', '--data', tiny_tree[0], '--out', out, *QUICK, '--seed', '1', '--overwrite'))
    assert not (out/'stages'/'marker.txt').exists() and json.loads((out/'config.json').read_text())['seed'] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ['run']                          # the old run is gone only now, and wholly

def test_ensemble_never_replaces_a_users_folder(finished, tiny_tree, tmp_path):
    members = [f'a={finished/"final"}', f'b={finished/"floor"}']
    thesis = tmp_path/'thesis'; thesis.mkdir(); (thesis/'thesis.tex').write_text('years of work')
    args = ['--data', tiny_tree[0], '--combiner', 'mean']
    refused(run('gitools-ensemble', *members, '--out', thesis, *args), 'was not written by gitools; it is left as it is')
    refused(run('gitools-ensemble', *members, '--out', '.', *args, cwd=thesis), 'was not written by gitools')
    assert (thesis/'thesis.tex').read_text() == 'years of work'
    ok(run('gitools-ensemble', *members, '--out', tmp_path/'ens', *args))
    refused(run('gitools-ensemble', *members, '--out', tmp_path/'ens', *args), 'holds an ensemble already; choose another folder, or --overwrite to replace it')
    ok(run('gitools-ensemble', *members, '--out', tmp_path/'ens', *args, '--overwrite'))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['ens', 'thesis']

def test_eval_never_mixes_two_datasets(tiny_tree, tmp_path):
    out, a = tmp_path/'eval', ['--arch', 'stats', '--crop', '32', '--train', 'sdv4']
    ok(run('gitools-eval', 'matrix', '--data', tiny_tree[0], '--out', out, *a))
    ok(run('gitools-eval', 'matrix', '--data', tiny_tree[0], '--out', out, *a))            # a rerun continues its own run
    other = tmp_path/'other'; shutil.copytree(tiny_tree[0], other)
    next(p for p in sorted(other.rglob('*.png')) if '/val/' in str(p)).unlink()
    refused(run('gitools-eval', 'matrix', '--data', other, '--out', out, *a), 'the data (other images, labels or splits)')
    ok(run('gitools-eval', 'matrix', '--data', other, '--out', out, *a, '--overwrite'))

def test_crop_is_bounded_by_the_data(tiny_tree, tmp_path):
    refused(run('gitools-finetune', '--data', tiny_tree[0], '--out', tmp_path/'r', *QUICK[:2], '--crop', '100000', '--stages', 'sdv4'),
            '--crop is 100000: it must be between 1 and 1024')
    assert not (tmp_path/'r').exists()

def test_file_names_of_any_bytes(finished, tiny_tree, tmp_path):
    "A name that is not UTF-8 is scanned, trained on and scored like any other, and its row keeps the name's exact bytes."
    data = tmp_path/'data'; shutil.copytree(tiny_tree[0], data)
    src = next(p for p in sorted(data.rglob('*.png')) if '/train/ai/' in str(p))
    raw = os.fsencode(str(src.parent)) + b'/caf\xe9_' + os.fsencode(src.name)
    shutil.copy(src, raw)
    r = ok(run('gitools-scan', data, '--out', tmp_path/'m.csv'))
    m = pd.read_csv(tmp_path/'m.csv')
    assert m.path.str.contains('caf').sum() == 1 and m.loc[m.path.str.contains('caf'), 'readable'].all()
    ok(run('gitools-finetune', '--data', data, '--out', tmp_path/'run', *QUICK))
    folder = src.parent
    out = tmp_path/'scores.csv'
    ok(run('gitools-predict', folder, '--detector', finished/'final', '--out', out))
    names = [line.split(b',')[0] for line in out.read_bytes().splitlines()[1:]]
    assert raw in names and len(names) == sum(1 for _ in os.scandir(folder))              # every row, the odd name byte for byte
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b''.join(lines[:3]))
    r = ok(run('gitools-predict', folder, '--detector', finished/'final', '--out', out, '--resume'))
    assert 'resuming: 2 images already scored' in r.stderr
    assert sorted(line.split(b',')[0] for line in out.read_bytes().splitlines()[1:]) == sorted(names)

def test_predict_out_never_overwrites(finished, tiny_tree, tmp_path):
    det, folder = finished/'final', next(p for p in sorted(tiny_tree[0].rglob('val/ai')))
    img = tmp_path/'photo.png'; Image.new('RGB', (40, 40), 'red').save(img); before = img.read_bytes()
    refused(run('gitools-predict', img, '--detector', det, '--out', img), 'is an input image')
    assert img.read_bytes() == before
    out = tmp_path/'scores.csv'
    ok(run('gitools-predict', folder, '--detector', det, '--out', out))
    first = out.read_bytes()
    refused(run('gitools-predict', folder, '--detector', det, '--out', out), 'exists; --resume continues it, --overwrite replaces it')
    refused(run('gitools-predict', folder, '--detector', det, '--out', out, '--resume', '--tta'), 'written with another tta')
    refused(run('gitools-predict', folder, '--detector', finished/'floor', '--out', out, '--resume'), 'written with another detector')
    assert out.read_bytes() == first
    mine = tmp_path/'dataset.csv'; mine.write_text('path,label\na.png,real\n')                # a user's CSV is never appended to
    refused(run('gitools-predict', folder, '--detector', det, '--out', mine, '--resume'), 'was not written by gitools-predict')
    assert mine.read_text() == 'path,label\na.png,real\n'
    ok(run('gitools-predict', folder, '--detector', det, '--out', out, '--overwrite', '--tta'))

def test_csv_duplicates_follow_a_stated_rule(tiny_manifest, tmp_path):
    from gitools.data import scan
    from gitools.core import GitoolsError
    t = tiny_manifest[['path', 'label', 'split', 'generator']].head(6).copy()
    twice = pd.concat([t, t.head(2)])
    (tmp_path/'twice.csv').write_text(twice.to_csv(index=False))
    with pytest.warns(UserWarning, match='2 files are listed more than once'): m = scan(tmp_path/'twice.csv', progress=False, cache=False)
    assert len(m) == 6
    clash = pd.concat([t, t.head(1).assign(split='val' if t.split.iloc[0] == 'train' else 'train')])
    (tmp_path/'clash.csv').write_text(clash.to_csv(index=False))
    with pytest.raises(GitoolsError, match='listed 2 times with different labels, splits or generators'): scan(tmp_path/'clash.csv', progress=False, cache=False)
    (tmp_path/'empty.csv').write_text('path,label\n,real\nx.png,fake\n')
    with pytest.raises(GitoolsError, match="empty 'path' cell on line 2"): scan(tmp_path/'empty.csv', progress=False, cache=False)

def test_jpeg_with_data_after_its_end_is_readable(tmp_path):
    from gitools.data import probe_image
    import numpy as np
    b = io.BytesIO(); Image.fromarray(np.random.default_rng(0).integers(0, 256, (128, 128, 3), dtype=np.uint8)).save(b, 'JPEG'); data = b.getvalue()
    (tmp_path/'trailer.jpg').write_bytes(data + b'\x00' * 10 + b'SEFT trailer written by a phone' * 4)
    (tmp_path/'cut.jpg').write_bytes(data[:len(data) // 2])
    assert probe_image(tmp_path/'trailer.jpg', verify=True)['readable']
    assert 'truncated' in probe_image(tmp_path/'cut.jpg')['reason']

def test_a_damaged_cache_is_named_and_repaired(tiny_tree, tmp_path):
    out = tmp_path/'cache'
    args = [tiny_tree[0], '--out', out, '--crop', '32', '--shard-size', '4', '--n-workers', '1']
    ok(run('gitools-cache', *args))
    shard = out/'shard-00001.npy'; good = shard.read_bytes()
    shard.write_bytes(good[:len(good) // 2])                                   # a shard cut short (disk full, killed copy)
    refused(run('gitools-finetune', '--data', tiny_tree[0], '--out', tmp_path/'run', '--cache', out, *QUICK), 'damaged: shard-00001.npy has')
    shard.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))                       # same size, one bit changed
    r = ok(run('gitools-cache', *args))                                        # rerun: every checksum read, the damaged shard cut again
    assert 'shard 1 is damaged' in r.stdout and shard.read_bytes() == good
    (out/'index.parquet').write_bytes(b'not a parquet file')
    refused(run('gitools-eval', 'matrix', '--data', tiny_tree[0], '--cache', out, '--out', tmp_path/'ev', '--arch', 'stats', '--crop', '32'), 'index.parquet')
    ok(run('gitools-cache', *args)); assert shard.read_bytes() == good

def test_eval_seed_seeds_training(tiny_tree, tmp_path):
    "`gitools-eval --seed` reaches the training run: the same seed repeats its scores exactly, another seed gives others."
    a = ['--arch', 'test_resnet', '--epochs', '1', '--crop', '32', '--train', 'sdv4', '--test', 'sdv4', '--num-workers', '0']
    def scores(name, seed):
        ok(run('gitools-eval', 'matrix', '--data', tiny_tree[0], '--out', tmp_path/name, *a, '--seed', seed))
        p = pd.concat([pd.read_csv(f) if f.suffix == '.csv' else pd.read_parquet(f) for f in sorted((tmp_path/name/'preds').rglob('*.*'))])
        return p.sort_values('path').p_fake.to_numpy()
    s1, again, s2 = scores('a', 1), scores('b', 1), scores('c', 2)
    assert (s1 == again).all() and not (s1 == s2).all()

def test_detector_names_never_collide(finished, tiny_tree, tmp_path):
    "Two detectors whose names differ only in characters a file name cannot hold, or two runs' final/ folders, each keep their row."
    a, b = tmp_path/'a'/'final', tmp_path/'b'/'final'
    for d in (a, b): shutil.copytree(finished/'final', d)
    base = ['--data', tiny_tree[0], '--crop', '32', '--test', 'sdv4']
    refused(run('gitools-eval', 'matrix', *base, '--out', tmp_path/'e0', '--detectors', f'x={a},x={b}'), "two detectors are called 'x'")
    for name, spec in (('e1', f'{a},{b}'), ('e2', f'x y={a},x_y={b}')):
        ok(run('gitools-eval', 'matrix', *base, '--out', tmp_path/name, '--detectors', spec))
        preds = pd.concat(pd.read_parquet(f) for f in (tmp_path/name/'preds').rglob('*.parquet'))
        assert preds.detector.nunique() == 2, (name, sorted(preds.detector.unique()))

def test_cache_and_eval_take_file_names_of_any_bytes(tiny_tree, tmp_path):
    "The crop cache and gitools-eval store a name that is not UTF-8 like any other (once a pyarrow UnicodeEncodeError lost the dataset)."
    data = tmp_path/'data'; shutil.copytree(tiny_tree[0], data)
    src = next(p for p in sorted(data.rglob('*.png')) if '/train/ai/' in str(p))
    shutil.copy(src, os.fsencode(str(src.parent)) + b'/caf\xe9_' + os.fsencode(src.name))
    ok(run('gitools-cache', data, '--out', tmp_path/'cache', '--crop', '32', '--n-workers', '1'))
    from gitools.cache import CropCache
    from gitools.core import fs_path
    c = CropCache(tmp_path/'cache')
    odd = [p for p in c.index.path.unique() if 'caf' in p]
    assert len(odd) == 1 and os.path.exists(fs_path(odd[0])) and len(c.crops_of(odd[0])) == 1
    ok(run('gitools-eval', 'matrix', '--data', data, '--cache', tmp_path/'cache', '--out', tmp_path/'ev', '--arch', 'stats', '--crop', '32',
           '--train', 'sdv4', '--test', 'sdv4'))
