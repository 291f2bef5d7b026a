"An ensemble is a detector like any other: built by gitools-ensemble, scored by gitools-predict, evaluated by gitools-eval."
import json, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd, pytest

def cmd(name): return str(Path(sys.executable).parent/name)
def run(name, *args): return subprocess.run([cmd(name), *map(str, args)], capture_output=True, text=True)

@pytest.fixture(scope='module')
def members(tiny_tree, tmp_path_factory):
    from gitools.data import scan
    from gitools.learner import train_detector
    m = scan(tiny_tree[0], progress=False)
    d = tmp_path_factory.mktemp('members')
    for arch in ('stats', 'resnet18'):
        train_detector(m, 'sdv4', arch, out=d/arch, crop=32, bs=16, epochs=1, num_workers=0)
    return d

def test_ensemble_cli_predict_and_eval(members, tiny_tree, tmp_path):
    ens = tmp_path/'ens'
    r = run('gitools-ensemble', f"s={members/'stats'}", f"r={members/'resnet18'}", '--data', tiny_tree[0], '--fit-on', 'sdv4',
            '--combiner', 'stack', '--out', ens)
    assert r.returncode == 0, r.stderr[-2000:]
    cfg = json.loads((ens/'config.json').read_text())
    assert cfg['format'] == 'gitools-ensemble' and [m['name'] for m in cfg['members']] == ['s', 'r'] and cfg['info']['fitted_on'] > 0
    t = pd.read_csv(ens/'evaluation.csv')
    assert set(t.detector) == {'s', 'r', 'ensemble'}
    # the same P(fake) from the predict command and from the evaluation engine
    folder = tiny_tree[0]/'stable_diffusion_v_1_4'
    r = run('gitools-predict', folder, '--detector', ens, '--out', tmp_path/'p.csv')
    assert r.returncode == 0, r.stderr[-2000:]
    p = pd.read_csv(tmp_path/'p.csv').dropna(subset=['p_fake']).set_index('path').p_fake
    out = tmp_path/'eval'
    r = run('gitools-eval', 'matrix', '--data', tiny_tree[0], '--detectors', f'ens={ens}', '--test', 'sdv4', '--out', out)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = pd.concat(pd.read_parquet(f) for f in out.glob('preds/*/*/*.parquet')).set_index('path').p_fake
    common = rows.index.intersection(p.index)
    assert len(common) > 10
    np.testing.assert_allclose(rows[common].values, p[common].values, atol=1e-5)

def test_ensemble_bad_input(members, tmp_path):
    r = run('gitools-ensemble', members/'stats', '--out', tmp_path/'e', '--combiner', 'median')
    assert r.returncode == 2 and 'unknown combiner' in r.stderr
    r = run('gitools-ensemble', tmp_path/'nope', '--out', tmp_path/'e')
    assert r.returncode == 2 and 'no such detector folder' in r.stderr and 'Traceback' not in r.stderr
