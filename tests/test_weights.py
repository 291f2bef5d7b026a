"Pretrained weights without a network: packaged EfficientNet-Lite0 weights load and classify; hub weights fail with a clear message."
import os, subprocess, sys
import numpy as np, torch, timm
from PIL import Image

def test_packaged_lite0_weights_classify_imagenet_photos():
    from gitools.models import _packaged_weights
    from skimage import data
    m = timm.create_model('tf_efficientnet_lite0', num_classes=1000)
    m.load_state_dict(_packaged_weights('tf_efficientnet_lite0')); m.eval()
    x = torch.tensor(np.asarray(Image.fromarray(data.chelsea()).resize((224, 224)))).permute(2, 0, 1)[None].float() / 255
    assert m((x - 0.5) / 0.5).argmax().item() == 285          # ImageNet class 285: Egyptian cat

def test_hub_weights_offline_fail_with_instructions():
    code = ("from gitools.models import create_detector\n"
            "from gitools.core import GitoolsError\n"
            "try: create_detector('resnet18', pretrained=True)\n"
            "except GitoolsError as e: print('ERR', e)\n"
            "m = create_detector('tf_efficientnet_lite0', pretrained=True); print('LITE0', sum(p.numel() for p in m.parameters()))")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300,
                       env={**os.environ, 'HF_HUB_OFFLINE': '1'})
    assert "ERR cannot get ImageNet weights for 'resnet18'" in r.stdout and "weights='model.safetensors'" in r.stdout, r.stdout + r.stderr[-1500:]
    assert 'LITE0' in r.stdout
