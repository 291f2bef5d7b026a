"gitools-eval as a user runs it: every task writes its run folder; a killed run resumes without redoing finished cells."
import signal, subprocess, sys, time
from pathlib import Path
import pandas as pd, pytest

FAST = ['--arch', 'resnet18', '--crop', '32', '--bs', '16', '--epochs', '1']

def cmd(name): return str(Path(sys.executable).parent/name)
def run(*args): return subprocess.run([cmd('gitools-eval'), *map(str, args)], capture_output=True, text=True)

@pytest.mark.slow
def test_matrix_resumes_after_kill(tiny_tree, tmp_path):
    out = tmp_path/'m'
    args = ['matrix', '--data', tiny_tree[0], '--out', out, *FAST]
    p = subprocess.Popen([cmd('gitools-eval'), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = out/'detectors'/'adm'/'model.safetensors'
    deadline = time.time() + 300
    while not first.exists() and p.poll() is None and time.time() < deadline: time.sleep(0.1)
    assert p.poll() is None, "finished before it could be interrupted"
    p.send_signal(signal.SIGKILL); p.wait()
    t_first = first.stat().st_mtime_ns
    r = run(*args)
    assert r.returncode == 0, r.stderr[-2000:]
    assert first.stat().st_mtime_ns == t_first                        # the finished detector was not retrained
    m = pd.read_csv(out/'tables'/'cross_generator_acc.csv', index_col=0)
    assert list(m.index) == ['adm', 'sdv4', 'avg'] and list(m.columns) == ['adm', 'sdv4', 'avg']
    for f in ['gitools-run.json', 'README.md', 'figures/cross_generator_acc.png', 'figures/generator_correlation.png', 'tables/metrics.csv']:
        assert (out/f).exists(), f
    cells = sorted(out.glob('preds/*/*/*.parquet'))
    assert len(cells) == 4
    stamps = [c.stat().st_mtime_ns for c in cells]
    assert run(*args).returncode == 0 and [c.stat().st_mtime_ns for c in cells] == stamps   # a finished run redoes nothing
    rows = pd.read_parquet(cells[0])
    assert {'path', 'generator', 'label', 'degradation', 'detector', 'p_fake', 'threshold'} <= set(rows.columns)
    # the table is the per-image rows' accuracy at each detector's threshold
    rows = pd.concat(pd.read_parquet(c) for c in cells).dropna(subset=['p_fake'])
    acc = rows.assign(ok=(rows.p_fake > rows.threshold) == rows.label.eq('fake')).groupby(['detector', 'generator']).ok.mean().unstack()
    assert (m.loc[['adm', 'sdv4'], ['adm', 'sdv4']] - acc.loc[['adm', 'sdv4'], ['adm', 'sdv4']]).abs().max().max() < 1e-9
    reported = set(pd.concat(pd.read_parquet(c) for c in cells).path)
    for d in (out/'detectors').iterdir():                               # three roles: selection images are never reported
        assert not set(pd.read_csv(d/'selection.csv').path) & reported

def test_leave_one_out_with_floor(tiny_tree, tmp_path):
    out = tmp_path/'loo'
    r = run('loo', '--data', tiny_tree[0], '--out', out, '--crop', '32', '--arch', 'probe')
    assert r.returncode == 0, r.stderr[-2000:]
    t = pd.read_csv(out/'tables'/'leave_one_generator_out.csv', index_col=0)
    assert list(t.index) == ['adm', 'sdv4', 'avg'] and list(t.columns) == ['acc probe', 'auc probe', 'acc stats', 'auc stats']
    assert t.loc['avg', 'acc probe'] == pytest.approx(t.loc[['adm', 'sdv4'], 'acc probe'].mean())
    preds = pd.concat(pd.read_parquet(c) for c in out.glob('preds/*/*/*.parquet'))
    assert set(preds.detector) == {'probe without adm', 'probe without sdv4', 'stats without adm', 'stats without sdv4'}
    for held in ('adm', 'sdv4'):   # a detector is tested only on the generator it never saw, on val images
        rows = preds[preds.detector.str.endswith(f'without {held}')]
        assert set(rows.generator) == {held}
        sel = set(pd.read_csv(out/'detectors'/f'probe-without-{held}'/'selection.csv').path)
        assert not sel & set(rows.path)
    assert (out/'figures'/'leave_one_generator_out.png').exists()

@pytest.mark.slow
def test_degrade_spectrum_size_classes(tiny_tree, tmp_path):
    out = tmp_path/'d'
    r = run('degrade', '--data', tiny_tree[0], '--out', out, '--train', 'sdv4', '--degradations', 'jpeg:30,blur:3,lr:24+jpeg:75', *FAST)
    assert r.returncode == 0, r.stderr[-2000:]
    t = pd.read_csv(out/'tables'/'robustness_acc.csv', index_col=0)
    assert list(t.columns) == ['identity', 'jpeg:30', 'blur:3', 'lr:24+jpeg:75', 'avg']
    assert (out/'figures'/'robustness.png').exists()
    r = run('spectrum', '--data', tiny_tree[0], '--out', tmp_path/'s', '--n', '5')
    assert r.returncode == 0 and (tmp_path/'s'/'figures'/'spectra.png').exists(), r.stderr[-2000:]
    r = run('size', '--data', tiny_tree[0], '--out', tmp_path/'z', '--train', 'sdv4', '--sizes', '4,8', *FAST)
    assert r.returncode == 0, r.stderr[-2000:]
    assert list(pd.read_csv(tmp_path/'z'/'tables'/'size_curve_acc.csv', index_col=0).index) == [6, 12]   # less the selection split
    r = run('classes', '--data', tiny_tree[0], '--out', tmp_path/'c', '--train', 'sdv4', '--k', '12', *FAST)
    assert r.returncode == 0 and 'unseen classes' in r.stdout, r.stderr[-2000:]

def test_eval_bad_task(tmp_path):
    r = run('table9', '--out', tmp_path/'x')
    assert r.returncode == 2 and "unknown task 'table9'" in r.stderr
