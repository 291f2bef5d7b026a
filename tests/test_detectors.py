"Every detector trains on a fixture tree (its loss goes down), predicts, and survives a save/load round trip unchanged."
import numpy as np, pytest, torch
from fastai.vision.all import set_seed
from gitools.loaders import genimage_dls
from gitools.learner import detector_learner
from gitools.detector import save_detector
from gitools.load import load_detector
from gitools.models import DETECTORS, fits_in_closed_form

# small backbones and a 64 px crop keep each run to seconds on a CPU; the detectors' own ideas are unchanged
CASES = dict(resnet50=({}, 1e-3), deit_s=({}, 1e-4), swin_t=(dict(window_size=2), 1e-4), cnnspot=(dict(backbone='resnet18'), 1e-3),
             spec=(dict(backbone='resnet18'), 1e-3), f3net=(dict(backbone='resnet18'), 1e-3), gramnet=(dict(backbone='resnet18'), 1e-3),
             npr=(dict(backbone='resnet18'), 1e-3), test_convnext=({}, 1e-3),
             probe=({}, None), probe_stats=({}, None), stats=({}, None))   # closed-form heads: fitted by `fit_head`, with the packaged EfficientNet-Lite0 weights

def test_every_registered_detector_is_tested():
    assert set(DETECTORS) <= set(CASES)

def _batch_loss(learn, xb, yb):
    "Loss on a fixed batch with batch statistics (train mode) and dropout off: what the optimiser sees."
    learn.model.train()
    for m in learn.model.modules():
        if isinstance(m, torch.nn.Dropout): m.eval()
    with torch.no_grad(): return learn.loss_func(learn.model(xb), yb).item()

@pytest.mark.parametrize('arch', list(CASES))
def test_detector_trains_predicts_and_round_trips(arch, tiny_manifest, tmp_path):
    kwargs, lr = CASES[arch]
    set_seed(0)
    dls = genimage_dls(tiny_manifest, train='sdv4', crop=64, bs=16, num_workers=0)
    learn = detector_learner(dls, arch, arch_kwargs=kwargs)
    xb, yb = dls.test_dl(dls.train_rows, with_labels=True, bs=32).one_batch()
    before = _batch_loss(learn, xb, yb)
    if fits_in_closed_form(learn.model): learn.fit_head()
    else:
        with learn.no_bar(), learn.no_logging(): learn.fit(6, lr)
    after = _batch_loss(learn, xb, yb)
    assert after < 0.9 * before, f"{arch}: loss {before:.3f} -> {after:.3f}"
    learn.calibrate()
    det = learn.to_detector()
    paths = dls.valid_rows.path.tolist()[:6]
    p = det.predict(paths)
    ok = ~np.isnan(p)                          # a corrupt file passes the header scan: its row is NaN, the others are scored
    assert p.shape == (6,) and ok.sum() >= 4 and np.all((p[ok] >= 0) & (p[ok] <= 1))
    det2 = load_detector(save_detector(learn, tmp_path/arch))
    np.testing.assert_array_equal(p, det2.predict(paths))
    assert (det2.arch, det2.crop, det2.threshold) == (arch, 64, learn.gitools['threshold'])
    assert det2.info['trained_on'] == ['sdv4']
