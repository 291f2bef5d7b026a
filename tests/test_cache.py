"gitools-cache: builds, survives a kill and resumes to the same crops, reports corrupt files, and feeds gitools-finetune."
import shutil, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd, pytest
from gitools.cache import CropCache

BIN = Path(sys.executable).parent

def _cache(*args):
    return subprocess.run([str(BIN/'gitools-cache'), *map(str, args)], capture_output=True, text=True)

def test_cache_cli_reports_skipped_files_and_refuses_other_options(tiny_tree, tiny_manifest, tmp_path):
    r = _cache(tiny_tree[0], '--out', tmp_path/'c', '--crop', 32, '--crops-per-image', 2, '--n-workers', 2, '--shard-size', 16)
    assert r.returncode == 0, r.stderr[-2000:]
    c = CropCache(tmp_path/'c', tiny_manifest)
    skipped = pd.read_csv(tmp_path/'c'/'skipped.csv')
    assert len(c) == 2 * (int(tiny_manifest.readable.sum()) - len(skipped)) and 'skipped' in r.stdout
    assert set(c.index.path) | set(skipped.path) == set(tiny_manifest[tiny_manifest.readable].path)
    r = _cache(tiny_tree[0], '--out', tmp_path/'c', '--crop', 64)
    assert r.returncode == 2 and 'other images or options' in r.stderr and 'Traceback' not in r.stderr

@pytest.mark.slow
def test_killed_build_resumes_to_the_same_crops(tiny_tree, tmp_path):
    args = (tiny_tree[0], '--crop', 32, '--crops-per-image', 3, '--shard-size', 8, '--n-workers', 1)
    assert _cache(*args, '--out', tmp_path/'whole').returncode == 0
    p = subprocess.Popen([str(BIN/'gitools-cache'), *map(str, args), '--out', str(tmp_path/'killed')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while not list((tmp_path/'killed').glob('shard-00001.parquet')) and time.time() - t0 < 300: time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    assert not (tmp_path/'killed'/'index.parquet').exists()          # killed before it finished
    assert _cache(*args, '--out', tmp_path/'killed').returncode == 0
    a, b = CropCache(tmp_path/'whole'), CropCache(tmp_path/'killed')
    pd.testing.assert_frame_equal(a.index, b.index)
    assert all(np.array_equal(a[i], b[i]) for i in range(len(a)))

@pytest.mark.slow
def test_finetune_trains_from_the_cache(tiny_tree, tmp_path):
    assert _cache(tiny_tree[0], '--out', tmp_path/'c', '--crop', 32).returncode == 0
    r = subprocess.run([str(BIN/'gitools-finetune'), '--data', str(tiny_tree[0]), '--stages', 'sdv4,adm', '--arch', 'test_resnet',
                        '--crop', '32', '--head-epochs', '1', '--epochs', '1', '--unfreeze', '0', '--cache', str(tmp_path/'c'),
                        '--out', str(tmp_path/'run')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path/'run'/'final'/'model.safetensors').exists() and 'verdict' in r.stdout

def test_eval_reads_the_cache_and_refuses_a_stale_one(tiny_tree, tmp_path):
    root = tmp_path/'tree'; shutil.copytree(tiny_tree[0], root)   # a copy: one of its files is replaced below
    assert _cache(root, '--out', tmp_path/'c', '--crop', 32).returncode == 0
    args = ['matrix', '--data', str(root), '--arch', 'stats', '--crop', '32', '--cache', str(tmp_path/'c')]
    r = subprocess.run([str(BIN/'gitools-eval'), *args, '--out', str(tmp_path/'m')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    m = pd.read_csv(tmp_path/'m'/'tables'/'cross_generator_acc.csv', index_col=0)
    assert {'sdv4', 'adm', 'avg'} <= set(m.index) and m.notna().all().all()
    f = CropCache(tmp_path/'c').index.path.iloc[0]           # a cached file replaced since: the cache is stale
    Path(f).write_bytes(Path(f).read_bytes() + b'\0')
    r = subprocess.run([str(BIN/'gitools-eval'), *args, '--out', str(tmp_path/'m2')], capture_output=True, text=True)
    assert r.returncode == 2 and 'stale' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]
