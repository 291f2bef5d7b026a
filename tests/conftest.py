"Shared fixtures: miniature GenImage trees written once per test session."
import warnings
import pytest
from gitools.fixtures import make_fixture
from gitools.data import scan

warnings.filterwarnings('ignore', category=UserWarning)

@pytest.fixture(scope='session')
def tiny_tree(tmp_path_factory):
    "Two generators, 24 train / 8 val images per label, quarter-size images, with defective files."
    root = tmp_path_factory.mktemp('tiny')
    truth = make_fixture(root, ['sdv4', 'adm'], n_train=24, n_val=8, scale=0.25, seed=1)
    return root, truth

@pytest.fixture(scope='session')
def tiny_manifest(tiny_tree):
    return scan(tiny_tree[0], progress=False)
