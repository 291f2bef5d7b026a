"The scanner against fixture truth in every supported layout, its error messages, incremental rescans and the CLI."
import subprocess, sys, shutil, os
from pathlib import Path
import pandas as pd, pytest
from gitools.fixtures import make_fixture
from gitools.data import scan, manifest_path, unreadable
from gitools.core import GitoolsError

@pytest.mark.parametrize('layout', ['genimage', 'inner', 'peer', 'csv'])
def test_scan_matches_truth(layout, tmp_path):
    truth = make_fixture(tmp_path, ['sdv4', 'glide', 'vqdm', 'biggan'], n_train=3, n_val=2, layout=layout, scale=0.25)
    m = scan(tmp_path/'images.csv' if layout == 'csv' else tmp_path, progress=False, verify=True)
    assert len(m) == len(truth)
    j = truth.merge(m, on='path', suffixes=('_truth', ''))
    for col in ['generator', 'split', 'label']: assert (j[col + '_truth'] == j[col]).all(), col
    assert (j['cls_truth'].fillna(-1) == j['cls'].fillna(-1)).all()
    assert set(j.loc[j.defect != '', 'path']) == set(unreadable(m).path)   # every defect flagged, nothing else

def test_default_scan_flags_all_but_decode_only_corruption(tmp_path):
    truth = make_fixture(tmp_path, ['adm'], n_train=3, n_val=1, scale=0.25)
    m = scan(tmp_path, progress=False)
    flagged = set(unreadable(m).path)
    assert flagged == set(truth.path[truth.defect.isin(['empty', 'truncated', 'header'])])
    reasons = dict(zip(unreadable(m).path, unreadable(m).reason))
    assert reasons[truth.path[truth.defect == 'empty'].item()] == 'empty file'
    assert m.loc[m.label == 'real', 'quality'].dropna().eq(96).all()

def test_case_and_partial_layouts(tmp_path):
    make_fixture(tmp_path, ['glide'], n_train=3, n_val=1, scale=0.25, defects=False)
    os.rename(tmp_path/'glide', tmp_path/'Glide')
    m = scan(tmp_path/'Glide'/'imagenet_glide'/'val', progress=False)
    assert set(m.generator) == {'glide'} and set(m.split) == {'val'} and len(m) == 2

def test_rescan_reads_only_changed_files(tmp_path, monkeypatch):
    make_fixture(tmp_path, ['sdv4'], n_train=3, n_val=1, scale=0.25)
    m1 = scan(tmp_path, progress=False)
    assert manifest_path(tmp_path).exists()
    new = tmp_path/'stable_diffusion_v_1_4'/'imagenet_ai_0419_sdv4'/'train'/'ai'/'001_sdv4_99999.png'
    shutil.copy(m1.path[m1.readable & (m1.format == 'PNG')].iloc[0], new)
    probed = []
    import gitools.data as gd
    real_probe = gd.probe_image
    monkeypatch.setattr(gd, 'probe_image', lambda p, v=False: probed.append(p) or real_probe(p, v))
    m2 = scan(tmp_path, progress=False, n_workers=0)
    assert probed == [str(new)] and len(m2) == len(m1) + 1
    pd.testing.assert_frame_equal(m2[m2.path != str(new)].reset_index(drop=True), m1)

def test_clear_errors(tmp_path):
    with pytest.raises(GitoolsError, match='no such file or folder'): scan(tmp_path/'missing')
    (tmp_path/'photos').mkdir(); (tmp_path/'photos'/'a.jpg').write_bytes(b'x')
    with pytest.raises(GitoolsError, match='none in a known layout'): scan(tmp_path/'photos')
    (tmp_path/'bad.csv').write_text('file,kind\na.png,fake\n')
    with pytest.raises(GitoolsError, match="needs columns 'path' and 'label'"): scan(tmp_path/'bad.csv')

def test_scan_cli(tmp_path):
    make_fixture(tmp_path/'data', ['sdv4'], n_train=3, n_val=1, scale=0.25)
    out = tmp_path/'manifest.csv'
    scan_cmd = str(Path(sys.executable).parent/'gitools-scan')
    r = subprocess.run([scan_cmd, str(tmp_path/'data'), '--out', str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert 'unreadable' in r.stdout and 'empty file' in r.stdout
    assert len(pd.read_csv(out)) == 8
    r = subprocess.run([scan_cmd, str(tmp_path/'nope')], capture_output=True, text=True)
    assert r.returncode == 2 and 'no such file or folder' in r.stderr and 'Traceback' not in r.stderr
