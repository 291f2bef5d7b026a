"The command-line tools as a user runs them: gitools-finetune (with a killed and resumed run), gitools-predict."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd, pytest

FAST = ['--arch', 'resnet18', '--crop', '32', '--bs', '16', '--head-epochs', '1', '--epochs', '1', '--unfreeze', '0']

def cmd(name):
    "A gitools command installed beside this Python (works whether or not the venv is on PATH)."
    return str(Path(sys.executable).parent/name)

def run(name, *args, **kw):
    return subprocess.run([cmd(name), *map(str, args)], capture_output=True, text=True, **kw)

def test_finetune_runs_whole_plan(tiny_tree, tmp_path):
    out = tmp_path/'run'                                               # given relative to the working folder, as users do
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4,adm', '--out', 'run', *FAST, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    m = pd.read_csv(out/'matrix.csv', index_col=0)
    assert list(m.index) == ['start', '1:sdv4', '2:adm'] and list(m.columns) == ['adm', 'sdv4']
    assert ((m >= 0) & (m <= 1)).all().all()
    for f in ['config.json', 'summary.csv', 'matrix.md', 'matrix.png', 'final/model.safetensors', 'stages/1_sdv4/config.json']:
        assert (out/f).exists(), f
    assert 'accuracy (%) on each generator after each stage' in r.stdout

def test_killed_run_resumes_without_redoing_finished_stages(tiny_tree, tmp_path):
    out = tmp_path/'run'
    args = ['--data', tiny_tree[0], '--stages', 'sdv4,adm', '--out', out, '--arch', 'resnet18', '--crop', '32', '--bs', '16',
            '--head-epochs', '1', '--epochs', '3', '--unfreeze', '0', '--patience', '9']
    p = subprocess.Popen([cmd('gitools-finetune'), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    def stage2_started():   # stage 1 finished and at least one epoch of stage 2 checkpointed
        try: return json.loads((out/'progress.json').read_text())['stage'] == '2:adm'
        except (OSError, ValueError, KeyError): return False
    while not stage2_started() and p.poll() is None and time.time() < deadline: time.sleep(0.2)
    assert p.poll() is None, "the run finished before it could be interrupted"
    p.send_signal(signal.SIGKILL); p.wait()
    stage1 = out/'stages'/'1_sdv4'/'model.safetensors'
    t1 = stage1.stat().st_mtime_ns
    done_epoch = json.loads((out/'progress.json').read_text())['epoch']
    r = run('gitools-finetune', *args, '--resume')
    assert r.returncode == 0, r.stderr[-2000:]
    assert stage1.stat().st_mtime_ns == t1                       # finished stage not redone
    hist = pd.concat(pd.read_csv(f) for f in sorted((out/'history').glob('2_adm-*.csv')))
    assert len(hist) == 1 + 3                                    # every epoch of stage 2 ran exactly once
    assert list(pd.read_csv(out/'matrix.csv', index_col=0).index) == ['start', '1:sdv4', '2:adm']
    assert not (out/'checkpoint.pt').exists()

def test_default_recipe_keeps_roles_apart_and_gives_a_verdict(tiny_tree, tmp_path):
    "The default detector (probe), fitted in closed form; selection images are never trained on nor reported."
    out = tmp_path/'run'
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4', '--out', out, '--crop', '32')
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((out/'final'/'config.json').read_text())['arch'] == 'probe'
    assert 'verdict' in r.stdout and 'held-out generators' in r.stdout and 'floor' in r.stdout
    v = pd.read_csv(out/'verdict.csv', index_col=0)
    assert list(v.index) == ['trained generators', 'held-out generators'] and v[['detector', 'floor']].notna().all().all()
    sel = set(pd.read_csv(out/'selection.csv').path)
    from gitools.data import scan
    m = scan(tiny_tree[0], progress=False)
    assert sel and sel <= set(m[(m.split == 'train') & (m.generator == 'sdv4')].path)   # carved from train, never from val
    assert json.loads((out/'config.json').read_text())['selection'] == 0.2

@pytest.mark.parametrize('bad, message', [
    (['--stages', 'sdv4,dalle'], "generator 'dalle' is not in the data"),
    (['--stages', 'sdv4,,adm'], 'empty stage'),
    (['--arch', 'no_such_net'], 'unknown detector'),
    (['--data', '/no/such/data'], 'no such file or folder'),
    (['--order', 'random'], 'order must be'),
])
def test_finetune_bad_input_fails_fast(bad, message, tiny_tree, tmp_path):
    args = ['--data', tiny_tree[0], '--stages', 'sdv4,adm', '--out', tmp_path/'r', *FAST]
    for i in range(0, len(bad), 2):
        if bad[i] in args: args[args.index(bad[i]) + 1] = bad[i + 1]
        else: args += bad[i:i + 2]
    t = time.time(); r = run('gitools-finetune', *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr[-1500:]
    assert 'Traceback' not in r.stderr and time.time() - t < 60
    assert not (tmp_path/'r'/'stages').exists()

def test_predict_cli_streams_csv(tiny_tree, tiny_manifest, tmp_path):
    from gitools.loaders import genimage_dls
    from gitools.learner import detector_learner
    from gitools.detector import save_detector
    from gitools.data import probe_image
    dls = genimage_dls(tiny_manifest, train='sdv4', crop=32, bs=16, num_workers=0)
    learn = detector_learner(dls, 'resnet18')
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    det = save_detector(learn, tmp_path/'det')
    folder = tiny_tree[0]/'ADM'
    out = tmp_path/'scores.csv'
    r = run('gitools-predict', folder, '--detector', det, '--out', out)
    assert r.returncode == 0, r.stderr[-1500:]
    t = pd.read_csv(out)
    on_disk = [p for p in tiny_manifest.path if p.startswith(str(folder))]
    assert sorted(t.path) == sorted(on_disk)
    undecodable = {p for p in on_disk if not probe_image(p, verify=True)['readable']}
    assert undecodable and set(t.path[t.error.notna()]) == undecodable      # unreadable files reported, not fatal
    assert t.p_fake.dropna().between(0, 1).all() and 'unreadable' in r.stderr
    r = run('gitools-predict', folder, '--detector', tmp_path/'nope')
    assert r.returncode == 2 and 'no such detector folder' in r.stderr
