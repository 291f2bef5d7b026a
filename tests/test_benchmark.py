"The embedded benchmark `mini`: shipped with the package, the default data, GenImage's layout, no format shortcut."
import pytest
import importlib.util, shutil, subprocess, sys
from pathlib import Path
import pandas as pd
from gitools.load import load_data
from gitools.core import GitoolsError
from gitools.benchmark import MINI_GENERATORS, build_mini, mini_root, shortcut_control

def test_mini_is_the_default_data_and_has_what_the_datasheet_says():
    m = load_data()
    assert m.equals(load_data('mini'))
    assert sorted(m.generator.unique()) == sorted(MINI_GENERATORS) and m.readable.all()
    counts = m.groupby(['generator', 'split', 'label']).size()
    assert set(counts.xs('train', level='split')) == {160} and set(counts.xs('val', level='split')) == {40}
    assert set(m.format) == {'JPEG'} and set(m.width) == {64} and set(m.height) == {64} and set(m.quality) == {95}
    assert sum(f.stat().st_size for f in mini_root().rglob('*') if f.is_file()) < 25e6
    assert (mini_root()/'DATASHEET.md').exists() and (mini_root()/'contact_sheet.jpg').exists()

def test_photos_split_by_photograph():
    s = pd.read_csv(mini_root()/'sources.csv')
    assert not s[['source', 'file']].duplicated().any()           # one row per photograph
    assert set(s.pool) == {'real', 'gen'} and set(s.split) == {'train', 'val'}
    assert set(s.licence.str.split(' ').str[0]) <= {'CC0', 'CC-BY', 'public', 'Apache-2.0'}

def test_format_features_alone_are_at_chance():
    assert abs(shortcut_control(load_data())['all'] - 0.5) < 0.1

@pytest.mark.slow
def test_finetune_runs_on_default_data(tmp_path):
    r = subprocess.run([str(Path(sys.executable).parent/'gitools-finetune'), '--out', str(tmp_path/'r'), '--head-epochs', '1',
                        '--epochs', '1', '--unfreeze', '0', '--n-per-generator', '40'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    m = pd.read_csv(tmp_path/'r'/'matrix.csv', index_col=0)
    assert list(m.index) == ['start', '1:esrgan', '2:pix2pix', '3:sr3'] and sorted(m.columns) == sorted(MINI_GENERATORS)

@pytest.mark.slow
def test_a_build_that_keeps_every_generator_reproduces_the_shipped_files(tmp_path):
    if importlib.util.find_spec('ai_benchmark') is None: pytest.skip("the photographs come from gitools[build]")
    dest = shutil.copytree(mini_root(), tmp_path/'mini')
    build_mini(dest, keep=MINI_GENERATORS, log=None)
    images = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob('*.jpg') if p.name != 'contact_sheet.jpg'}
    new, shipped = images(dest), images(mini_root())
    assert len(new) == 2400 and new == shipped      # the real crops come out the same; kept fakes are copied byte for byte
    assert 'keep=' in (dest/'DATASHEET.md').read_text() and not (tmp_path/'mini.building').exists()

def test_keep_needs_a_complete_earlier_build(tmp_path):
    with pytest.raises(GitoolsError, match="lacks 200 of its images"): build_mini(tmp_path/'none', keep=['vqvae'], log=None)
    with pytest.raises(GitoolsError, match="unknown generators"): build_mini(tmp_path/'none', keep=['dalle'], log=None)
    assert not (tmp_path/'none.building').exists()
