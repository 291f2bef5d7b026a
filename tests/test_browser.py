"The app in a real browser: headless Chromium (Debian's, installed by .ci/run) driven by Playwright. Screenshots go to $GITOOLS_SCREENSHOTS."
import os, shutil
from pathlib import Path
import pandas as pd, pytest
from gitools.annotations import Annotations
from gitools.app import build_app, launch_app

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='no Chromium on this machine (Debian: apt-get install chromium); .ci/run installs it')

@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'])
        yield b
        b.close()

def _open_review(page):
    page.get_by_role('tab', name='Review').click()
    page.click('#gt-open-run')
    page.wait_for_function("document.querySelector('#gt-progress').innerText.includes('reviewed')", timeout=60000)
    page.get_by_label('uncertain').check()             # every image, closest to the threshold first (a tiny run may have no errors)
    page.wait_for_selector('#gt-gallery img', timeout=60000)

def _wait_text(page, sel, text, timeout=60000):
    page.wait_for_function("([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }", arg=[sel, text], timeout=timeout)

@pytest.mark.slow
def test_detect_review_annotate_export_in_a_browser(browser, app_env, app_for, tmp_path):
    shots = Path(os.environ.get('GITOOLS_SCREENSHOTS', tmp_path)); shots.mkdir(parents=True, exist_ok=True)
    app = app_for(app_env, 'browser.sqlite')
    demo = build_app(app)
    _, url, _ = launch_app(demo, prevent_thread_lock=True)
    try:
        page = browser.new_page(viewport={'width': 1400, 'height': 1800}, accept_downloads=True)
        page.goto(url)
        # detect: upload an image, read the verdict
        img = app_env['manifest'].query("split == 'val' and readable").path.iloc[0]
        page.set_input_files('#gt-upload input[type=file]', img)
        page.wait_for_selector('#gt-verdict h2', timeout=60000)
        assert page.locator('#gt-verdict h2').inner_text().strip() in ('REAL', 'FAKE', 'UNCERTAIN')
        page.click('#gt-explain')                          # the newest detector (a small ResNet) is ticked: a patch map and Grad-CAM
        page.wait_for_selector('#gt-pmap img', timeout=120000); page.wait_for_selector('#gt-cam img', timeout=60000)
        page.screenshot(path=str(shots/'detect.png'), full_page=True)
        # the folder browser captions each image with its generator, label and split
        page.click('#gt-open-folder')
        page.wait_for_selector('#gt-browse img', timeout=60000)
        caps = page.locator('#gt-browse').inner_text()
        assert ' · real · train' in caps or ' · fake · train' in caps, caps[:500]
        # review: relabel one error with a click, the next with a key
        _open_review(page)
        page.locator('#gt-gallery img').first.click()
        _wait_text(page, '#gt-info', '1 /')
        page.click('#gt-real')
        _wait_text(page, '#gt-saved', 'saved: real')
        page.locator('#gt-info').click()                    # focus off the text boxes, so that keys are shortcuts
        page.keyboard.press('f')
        _wait_text(page, '#gt-saved', 'saved: fake')
        _wait_text(page, '#gt-progress', '2 /')
        page.screenshot(path=str(shots/'review.png'), full_page=True)
        # a reload keeps both decisions
        page.reload(); _open_review(page)
        _wait_text(page, '#gt-progress', '2 /')
        # export: download the CSV and read its rows
        page.click('#gt-export')
        page.wait_for_selector('#gt-export-file a', timeout=60000)
        with page.expect_download() as d: page.locator('#gt-export-file a').first.click()
        csv = tmp_path/'corrections.csv'; d.value.save_as(csv)
        t = pd.read_csv(csv)
        assert sorted(t.action) == ['fake', 'real'] and len(Annotations(app.store.path).current()) == 2
        _wait_text(page, '#gt-export-note', f'--corrections {app.store.path}')     # and how they reach fine-tuning
        page.screenshot(path=str(shots/'export.png'), full_page=True)
    finally:
        demo.close()

@pytest.mark.slow
def test_the_page_says_how_far_to_trust_a_verdict(browser, app_env, app_for, tmp_path):
    "Issue 27: an About box, a refusal for a tiny image, and maps that never outlive the image or degradation they explain."
    from PIL import Image
    app = app_for(app_env, 'trust.sqlite')
    demo = build_app(app)
    _, url, _ = launch_app(demo, prevent_thread_lock=True)
    try:
        page = browser.new_page(viewport={'width': 1400, 'height': 1800})
        page.goto(url)
        page.get_by_text('About this detector').click()
        _wait_text(page, '#gt-about', 'How far to trust it')
        assert 'threshold' in page.locator('#gt-about').inner_text()
        tiny = tmp_path/'tiny.png'; Image.new('RGB', (1, 1), 'white').save(tiny)
        page.set_input_files('#gt-upload input[type=file]', str(tiny))
        _wait_text(page, '#gt-note', 'too small to judge')
        assert 'tiny.png' in page.locator('#gt-note').inner_text() and '/gradio/' not in page.locator('#gt-note').inner_text()   # no server paths
        img = app_env['manifest'].query("split == 'val' and readable").path.iloc[0]
        page.set_input_files('#gt-upload input[type=file]', img)
        page.wait_for_selector('#gt-verdict h2', timeout=60000)
        assert 'A hint, not a finding' in page.locator('#gt-verdict').inner_text()
        page.click('#gt-explain')
        page.wait_for_selector('#gt-pmap img', timeout=120000)
        page.get_by_role('spinbutton', name='number input for JPEG quality').fill('50'); page.keyboard.press('Enter')      # another degradation: the old maps go
        page.wait_for_selector('#gt-pmap img', state='detached', timeout=60000)
        _wait_text(page, '#gt-verdict', 'degraded by jpeg:50')
        # a threshold that travels: set it on a served folder; the verdict on screen follows and says which threshold it used
        page.fill('#gt-calib-folder textarea, #gt-calib-folder input', str(app_env['root']))
        page.click('#gt-calibrate')
        _wait_text(page, '#gt-calibration', 'Thresholds set on this folder', timeout=120000)
        _wait_text(page, '#gt-verdict', 'Threshold set on a folder')
        page.click('#gt-uncalibrate')
        _wait_text(page, '#gt-calibration', 'Shipped thresholds restored')
        _wait_text(page, '#gt-verdict', 'A hint, not a finding')
    finally:
        demo.close()
