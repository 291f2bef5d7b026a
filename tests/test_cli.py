"The command-line tools as a user runs them: gitools-finetune (with a killed and resumed run), gitools-predict."
import json, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd, pytest

FAST = ['--arch', 'resnet18', '--crop', '32', '--bs', '16', '--head-epochs', '1', '--epochs', '1', '--unfreeze', '0']

def cmd(name):
    "A gitools command installed beside this Python (works whether or not the venv is on PATH)."
    return str(Path(sys.executable).parent/name)

def run(name, *args, **kw):
    return subprocess.run([cmd(name), *map(str, args)], capture_output=True, text=True, **kw)

@pytest.mark.slow
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

KILL_POINTS = [dict(stage='1:sdv4', phase='unfreeze-2', epoch=0),     # in the middle of a phase
               dict(stage='1:sdv4', phase='unfreeze0', epoch=0),      # in the middle of a stage, a later phase
               dict(stage='2:adm', phase='head', epoch=0)]            # between stages: the first epoch of stage 2 done

@pytest.mark.slow
@pytest.mark.parametrize('where', KILL_POINTS, ids=lambda w: f"{w['stage']}-{w['phase']}-{w['epoch']}")
def test_killed_run_resumes_from_anywhere(where, tiny_tree, tmp_path):
    "SIGKILL at a given point, then --resume: every epoch of every phase ran exactly once and the run's files are complete."
    out = tmp_path/'run'
    args = ['--data', tiny_tree[0], '--stages', 'sdv4,adm', '--out', out, '--arch', 'resnet18', '--crop', '32', '--bs', '16',
            '--head-epochs', '1', '--epochs', '2', '--unfreeze=-2,0', '--patience', '9']
    p = subprocess.Popen([cmd('gitools-finetune'), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    def reached():
        try: pos = json.loads((out/'progress.json').read_text())
        except (OSError, ValueError): return False
        return all(pos.get(k) == v for k, v in where.items())
    while not reached() and p.poll() is None and time.time() < deadline: time.sleep(0.02)
    assert p.poll() is None, "the run finished before it could be interrupted"
    p.send_signal(signal.SIGKILL); p.wait()
    done = json.loads((out/'state.json').read_text())['done']
    stamps = {s: (out/'stages'/s.replace(':', '_')/'model.safetensors').stat().st_mtime_ns for s in done}
    r = run('gitools-finetune', *args, '--resume')
    assert r.returncode == 0, r.stderr[-2000:]
    for s, t in stamps.items():                                   # finished stages not redone
        assert (out/'stages'/s.replace(':', '_')/'model.safetensors').stat().st_mtime_ns == t
    for stage in ('1_sdv4', '2_adm'):
        for phase, n in (('head', 1), ('unfreeze-2', 2), ('unfreeze0', 2)):
            h = pd.read_csv(out/'history'/f'{stage}-{phase}.csv')
            assert list(h.epoch) == list(range(n)), (stage, phase, list(h.epoch))   # each epoch exactly once
    assert list(pd.read_csv(out/'matrix.csv', index_col=0).index) == ['start', '1:sdv4', '2:adm']
    for f in ('final/model.safetensors', 'verdict.csv', 'summary.csv', 'matrix.png', 'selection.csv'): assert (out/f).exists(), f
    assert not (out/'checkpoint.pt').exists()

@pytest.mark.slow
def test_resume_refuses_a_pickled_checkpoint(tiny_tree, tmp_path):
    out = tmp_path/'run'
    args = ['--data', tiny_tree[0], '--stages', 'sdv4', '--out', out, *FAST]
    assert run('gitools-finetune', *args).returncode == 0
    state = json.loads((out/'state.json').read_text()); state['done'] = []; (out/'state.json').write_text(json.dumps(state))
    (out/'progress.json').write_text(json.dumps(dict(stage='1:sdv4', phase='unfreeze0', epoch=0)))
    import pickle; (out/'checkpoint.pt').write_bytes(pickle.dumps({'model': 'x'}))
    r = run('gitools-finetune', *args, '--resume')
    assert r.returncode == 2 and 'not a gitools checkpoint, refused' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-1500:]

def test_a_run_that_failed_at_start_can_be_rerun(tiny_tree, tmp_path):
    out = tmp_path/'run'
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4,dalle', '--out', out, *FAST)
    assert r.returncode == 2
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4', '--out', out, *FAST)
    assert r.returncode == 0, r.stderr[-1500:]

def test_default_recipe_keeps_roles_apart_and_gives_a_verdict(tiny_tree, tmp_path):
    "The default detector (probe), fitted in closed form; selection images are never trained on nor reported."
    out = tmp_path/'run'
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4', '--out', out, '--crop', '32')
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((out/'final'/'config.json').read_text())['arch'] == 'probe_stats'
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
    (['--bs', '0'], 'bs is 0: it must be a positive integer'),
    (['--crop', '0'], 'crop is 0'),
    (['--epochs', '-1'], 'epochs is -1'),
    (['--lr', '-0.1'], 'lr is -0.1: it must be positive'),
    (['--replay', '1'], 'replay is 1.0: it must be in [0, 1)'),
    (['--unfreeze', 'x'], "--unfreeze 'x'"),
    (['--out', '/dev/null'], '/dev/null: is a file'),                # an output folder that is a file, named
])
def test_finetune_bad_input_fails_fast(bad, message, tiny_tree, tmp_path):
    args = ['--data', tiny_tree[0], '--stages', 'sdv4,adm', '--out', tmp_path/'r', *FAST]
    for i in range(0, len(bad), 2):
        if bad[i] in args: args[args.index(bad[i]) + 1] = bad[i + 1]
        else: args += bad[i:i + 2]
    r = run('gitools-finetune', *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr[-1500:]
    assert 'Traceback' not in r.stderr
    assert not (tmp_path/'r'/'state.json').exists() and not (tmp_path/'r'/'stages').exists()    # failed before any work

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
    # a killed run (three rows and half of a fourth on disk) resumes: every image scored exactly once, the same numbers
    lines = out.read_text().splitlines(keepends=True)
    out.write_text(''.join(lines[:4]) + lines[4][:10])
    r = run('gitools-predict', folder, '--detector', det, '--out', out, '--resume')
    assert r.returncode == 0 and 'resuming: 3 images already scored' in r.stderr, r.stderr[-1500:]
    t2 = pd.read_csv(out)
    assert sorted(t2.path) == sorted(on_disk)
    pd.testing.assert_frame_equal(t2.set_index('path').sort_index(), t.set_index('path').sort_index())
    r = run('gitools-predict', folder, '--detector', tmp_path/'nope')
    assert r.returncode == 2 and 'no such detector folder' in r.stderr
    # the threshold set on images of the same source first: labelled (a dataset) or not (a plain folder); the note says which
    r = run('gitools-predict', folder, '--detector', det, '--calibrate-on', tiny_tree[0], '--out', tmp_path/'cal.csv')
    assert r.returncode == 0 and 'calibrated: shift: logit shift fitted on' in r.stderr, r.stderr[-1500:]
    thr = json.loads((tmp_path/'cal.csv.gitools.json').read_text())['threshold']            # the run's record: the exact threshold
    assert abs(thr - float(r.stderr.split('-> threshold ')[1].split()[0])) < 1e-3                # the one the note printed, rounded
    c = pd.read_csv(tmp_path/'cal.csv').dropna(subset=['p_fake'])
    c = c[(c.p_fake - thr).abs() > 1e-6]                          # scores written to 6 decimals: a tie with the threshold cannot be read back
    assert ((c.p_fake > thr).astype(int) == c.fake).all()                       # the decisions use the calibrated threshold
    flat = tmp_path/'flat'; flat.mkdir()
    for p in sorted(on_disk)[:16]: (flat/Path(p).name).write_bytes(Path(p).read_bytes())
    r = run('gitools-predict', folder, '--detector', det, '--calibrate-on', flat, '--calibration', 'prior')
    assert r.returncode == 0 and 'calibrated: prior: 50% of' in r.stderr and 'unlabelled images' in r.stderr, r.stderr[-1500:]
    r = run('gitools-predict', folder, '--detector', det, '--calibration', 'shift')
    assert r.returncode == 2 and '--calibration needs --calibrate-on' in r.stderr

@pytest.mark.slow
def test_finetune_applies_corrections(tiny_tree, tiny_manifest, tmp_path):
    "Corrections from the app: a relabel changes what a stage trains on, a broken file is dropped, a val image stays in val."
    from gitools.annotations import Annotations
    m = tiny_manifest[tiny_manifest.readable & (tiny_manifest.generator == 'sdv4')]
    tr, va = m[m.split == 'train'], m[m.split == 'val']
    relabel, broken, kept = tr[tr.label == 'real'].path.iloc[0], tr[tr.label == 'fake'].path.iloc[0], va.path.iloc[0]
    store = Annotations(tmp_path/'store.sqlite')
    store.add(relabel, 'fake', label='real', note='a render'); store.add(broken, 'broken', label='fake'); store.add(kept, 'real', label=va.label.iloc[0])
    csv = store.export(tmp_path/'corrections.csv')
    out = tmp_path/'run'
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4', '--out', out, '--arch', 'stats', '--crop', '32', '--corrections', csv)
    assert r.returncode == 0, r.stderr[-2000:]
    rep = pd.read_csv(out/'corrections.csv')
    assert sorted(rep.status) == ['dropped', 'relabelled', 'relabelled' if va.label.iloc[0] == 'fake' else 'kept']
    used = pd.concat([pd.read_csv(out/'stages/1_sdv4/train.csv'), pd.read_csv(out/'selection.csv')])
    assert used.set_index('path').loc[relabel, 'label'] == 'fake'
    assert broken not in set(used.path)
    preds = pd.concat([pd.read_parquet(f) for f in out.glob('preds/*/*/*.parquet')])
    assert kept in set(preds.path) and kept not in set(used.path)           # a corrected val image is reported, never trained on
    assert set(preds[preds.path == kept].label) == {'real'}
    from gitools.app import GitoolsApp                                      # the app reviews the run's final detector first
    rows, choices, det = GitoolsApp([tiny_tree[0]], [tmp_path], tmp_path/'s.sqlite').open_run(str(out))
    assert det == '1_sdv4' and {'start', 'floor', '1_sdv4'} <= {v for _, v in choices['detector']}   # (label, name): floor and start say what they are
    r = run('gitools-finetune', '--data', tiny_tree[0], '--stages', 'sdv4', '--out', tmp_path/'r2', '--corrections', tmp_path/'none.csv')
    assert r.returncode == 2 and 'none.csv: no such corrections file' in r.stderr, r.stderr[-500:]

def test_few_shot_is_one_command_and_takes_the_apps_corrections(tiny_tree, tiny_manifest, tmp_path):
    "gitools-finetune --arch DETECTOR --data NEW --shots K adapts a saved detector; --corrections relabel its shots first."
    start = tmp_path/'start'
    ok = lambda r: (r.returncode == 0) or pytest.fail(r.stderr[-2000:])
    ok(run('gitools-finetune', '--data', tiny_tree[0], '--arch', 'stats', '--crop', '32', '--stages', 'sdv4', '--cross-data', 'none', '--out', start))
    r = run('gitools-finetune', '--arch', start/'final', '--data', tiny_tree[0], '--shots', '4', '--out', tmp_path/'fs')
    ok(r); assert 'before and after adapting on 4 labelled images per class' in r.stdout and (tmp_path/'fs'/'final'/'shots.csv').exists()
    fakes = tiny_manifest[(tiny_manifest.split == 'train') & (tiny_manifest.label == 'fake')]
    pd.DataFrame(dict(path=fakes.path, action='real')).to_csv(tmp_path/'c.csv', index=False)      # a reviewer called every fake real
    r = run('gitools-finetune', '--arch', start/'final', '--data', tiny_tree[0], '--shots', '4', '--corrections', tmp_path/'c.csv', '--out', tmp_path/'fs2')
    assert r.returncode == 2 and 'relabelled' in r.stdout and 'holds' in r.stderr and ' 0 fake' in r.stderr, r.stdout + r.stderr
