"Shared fixtures: miniature GenImage trees written once per test session."
import pytest
from gitools.fixtures import make_fixture
from gitools.data import scan

@pytest.fixture(scope='session')
def tiny_tree(tmp_path_factory):
    "Two generators, 24 train / 8 val images per label, quarter-size images, with defective files."
    root = tmp_path_factory.mktemp('tiny')
    truth = make_fixture(root, ['sdv4', 'adm'], n_train=24, n_val=8, scale=0.25, seed=1)
    return root, truth

@pytest.fixture(scope='session')
def tiny_manifest(tiny_tree):
    return scan(tiny_tree[0], progress=False)

@pytest.fixture(scope='session')
def app_env(tmp_path_factory):
    "A served data folder (with a symlink out of it), two saved detectors and an evaluation run with per-image rows."
    from gitools.learner import train_detector
    from gitools.protocols import evaluate_run
    tmp = tmp_path_factory.mktemp('app')
    root = tmp/'data'
    make_fixture(root, ['sdv4', 'adm'], n_train=16, n_val=8, scale=0.25, seed=2)
    m = scan(root, progress=False)
    dets = {'stats': train_detector(m, ['sdv4', 'adm'], 'stats', crop=32, out=tmp/'models/stats', progress=False),
            'resnet': train_detector(m, ['sdv4', 'adm'], 'test_resnet', crop=32, epochs=1, out=tmp/'models/resnet', progress=False)}
    evaluate_run(tmp/'runs/eval', dets, m, progress=False)
    (root/'escape').symlink_to('/etc')
    return dict(root=root, tmp=tmp, manifest=m)

@pytest.fixture(scope='session')
def app_for():
    "A factory: the app over an `app_env`, with its own store."
    from gitools.app import GitoolsApp
    def make(env, store='store.sqlite'):
        t = env['tmp']
        return GitoolsApp([env['root']], [t/'models', t/'runs'], t/store, data=env['root'])
    return make

