"gitools-finetune unchanged on 2 CPU processes under `accelerate launch` (fastai's distributed context, gloo)."
import pytest
import subprocess, sys
from pathlib import Path
import pandas as pd

@pytest.mark.slow
def test_finetune_on_two_processes(tiny_tree, tmp_path):
    bin = Path(sys.executable).parent
    out = tmp_path/'run'
    r = subprocess.run([str(bin/'accelerate'), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
                        '--mixed_precision', 'no', '--dynamo_backend', 'no', str(bin/'gitools-finetune'),
                        '--data', str(tiny_tree[0]), '--stages', 'sdv4,adm', '--out', str(out), '--arch', 'resnet18', '--crop', '32', '--bs', '16',
                        '--head-epochs', '1', '--epochs', '1', '--unfreeze', '0'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('accuracy (%) on each generator after each stage') == 1       # one report, from the first process
    m = pd.read_csv(out/'matrix.csv', index_col=0)
    assert list(m.index) == ['start', '1:sdv4', '2:adm']
    assert (out/'final'/'model.safetensors').exists()
    hist = pd.read_csv(out/'history'/'2_adm-head.csv')
    assert len(hist) == 1                                                             # one log, not one per process
