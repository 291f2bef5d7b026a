"The running app: its API through gradio_client, refusal of paths it must not serve, a killed app that loses nothing, two sessions at once."
import os, signal, socket, subprocess, sys, threading, time, urllib.request, urllib.error
from pathlib import Path
import pandas as pd, pytest
from gradio_client import Client, handle_file
from gitools.annotations import Annotations
from gitools.app import build_app, launch_app

@pytest.fixture
def served(app_env, app_for):
    demo = build_app(app_for(app_env))
    _, url, _ = launch_app(demo, prevent_thread_lock=True)
    yield demo, url.rstrip('/')
    demo.close()

def _val_images(env, n=2): return list(env['manifest'].query("split == 'val' and readable").path[:n])

def test_detect_and_verdict_through_the_api(served, app_env):
    demo, url = served
    c = Client(url, verbose=False, download_files=False)
    imgs = _val_images(app_env)
    table, note, current = c.predict([handle_file(p) for p in imgs] + [handle_file(__file__)], ['stats', 'resnet'], api_name='/detect')
    t = pd.DataFrame(table['data'], columns=table['headers'])
    assert len(t) == 2 and {'stats', 'resnet', 'ensemble (mean)', 'verdict'} <= set(t.columns)
    assert 'test_app.py' in note and 'not scored' in note.lower()          # a non-image upload gets a message, not a traceback
    # the verdict of an image under a served folder, degraded: the same P(fake) as the library gives
    md, per, _ = c.predict(imgs[0], ['stats'], 50, 1.0, 0, api_name='/verdict')
    assert md.startswith('## ') and 'jpeg:50' in md
    p = pd.DataFrame(per['data'], columns=per['headers']).set_index('detector').p_fake['stats']
    from gitools.app import score
    assert abs(p - score(imgs[0], {'stats': demo.gitools.detectors(['stats'])['stats']}, 'blur:1+jpeg:50').p_fake[0]) < 1e-3

def test_paths_outside_the_roots_are_refused(served, app_env):
    demo, url = served
    c = Client(url, verbose=False, download_files=False)
    root, store = app_env['root'], demo.gitools.store.path
    for bad in ['/etc/passwd', f'{root}/../store.sqlite', f'{root}/%2e%2e/%2e%2e/etc/passwd', f'{root}/escape/hostname', str(store),
                str(app_env['tmp']/'models/stats/model.safetensors')]:
        with pytest.raises(Exception) as e: c.predict(bad, ['stats'], 100, 0, 0, api_name='/verdict')
        assert 'outside the folders' in str(e.value) or 'never served' in str(e.value) or 'no such file' in str(e.value), (bad, e.value)
        # and Gradio's own file route serves none of them
        for q in (bad, urllib.parse.quote(bad)):
            try: code = urllib.request.urlopen(f'{url}/gradio_api/file={q}', timeout=10).status
            except urllib.error.HTTPError as err: code = err.code
            assert code in (403, 404), (bad, code)
    items, msg = c.predict(f"{root}/../", api_name="/browse")
    assert 'outside the folders' in msg

def _review(c, run='eval'):
    c.predict(run, api_name='/open_run')
    return c.predict('all', 'all', 'all', 'all', 'all', api_name='/queue')     # the rows are the session's state; show all

def test_two_sessions_annotate_at_once(served, app_env):
    demo, url = served
    clients = [Client(url, verbose=False, download_files=False) for _ in range(2)]
    for c in clients: _review(c)
    def work(c, action):
        for _ in range(3): c.predict('', '', 'eval', api_name=f'/annotate_{action}')
    ts = [threading.Thread(target=work, args=(c, a)) for c, a in zip(clients, ['confirm', 'ambiguous'])]
    for t in ts: t.start()
    for t in ts: t.join()
    h = demo.gitools.store.history()
    assert len(h) == 6 and sorted(h.action.value_counts().to_dict().items()) == [('ambiguous', 3), ('confirm', 3)]

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _start(env, port, store):
    t = env['tmp']
    cmd = [sys.executable, str(Path(__file__).parents[1]/'apps/app.py'), str(env['root']), '--models', f"{t/'models'},{t/'runs'}",
           '--store', str(store), '--data', str(env['root']), '--port', str(port)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    for _ in range(240):
        try: urllib.request.urlopen(f'http://127.0.0.1:{port}/', timeout=2); return p
        except Exception: time.sleep(0.5)
        if p.poll() is not None: raise AssertionError(p.stdout.read())
    p.kill(); raise AssertionError('the app did not start')

@pytest.mark.slow
def test_killed_app_loses_nothing_and_resumes(app_env):
    store = app_env['tmp']/'killed.sqlite'
    port = _free_port()
    p = _start(app_env, port, store)
    try:
        c = Client(f'http://127.0.0.1:{port}/', verbose=False, download_files=False)
        _review(c)
        c.predict('render', 'looks like a 3-D render', 'eval', api_name='/annotate_real')
        c.predict('', '', 'eval', api_name='/annotate_broken')
    finally:
        os.killpg(p.pid, signal.SIGKILL); p.wait()
    cur = Annotations(store).current()
    assert sorted(cur.action) == ['broken', 'real'] and 'render' in set(cur.tags)
    p = _start(app_env, port, store)
    try:
        c = Client(f'http://127.0.0.1:{port}/', verbose=False, download_files=False)
        _, prog, _, info = _review(c)
        assert prog.startswith('**2 / '), prog
        assert int(info[2:info.index(' /')]) >= 3, info            # resumes at the first undecided image, past the two decided
    finally:
        os.killpg(p.pid, signal.SIGKILL); p.wait()

def test_login_name_is_recorded(app_env, app_for):
    app = app_for(app_env, 'auth.sqlite')
    demo = build_app(app)
    _, url, _ = launch_app(demo, prevent_thread_lock=True, auth=[('ann', 'secret')])
    try:
        with pytest.raises(Exception): Client(url, verbose=False, download_files=False)              # no login, no app
        c = Client(url, auth=('ann', 'secret'), verbose=False, download_files=False)
        _review(c); c.predict('', '', 'eval', api_name='/annotate_confirm')
        assert list(app.store.history().user) == ['ann']
    finally: demo.close()

def test_uploads_are_size_limited(app_env, app_for):
    demo = build_app(app_for(app_env, 'limit.sqlite'))
    _, url, _ = launch_app(demo, prevent_thread_lock=True, max_file_size='1kb')
    try:
        c = Client(url, verbose=False, download_files=False)
        big = next(p for p in app_env['manifest'].query('readable').path if Path(p).stat().st_size > 2048)
        with pytest.raises(Exception) as e: c.predict([handle_file(big)], ['stats'], api_name='/detect')
        assert 'size' in str(e.value).lower() or '413' in str(e.value), e.value
    finally: demo.close()

def test_a_taken_port_is_named(app_env):
    "A port another program listens on: one line that says so and how to choose another, no traceback."
    t = app_env['tmp']
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); s.listen(); port = s.getsockname()[1]
        r = subprocess.run([sys.executable, str(Path(__file__).parents[1]/'apps/app.py'), str(app_env['root']), '--models', str(t/'models'),
                            '--store', str(t/'port.sqlite'), '--data', str(app_env['root']), '--port', str(port)],
                           capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and f"127.0.0.1:{port} is taken" in r.stderr and f"--port {port + 1}" in r.stderr, r.stderr[-1500:]
    assert 'Traceback' not in r.stderr
