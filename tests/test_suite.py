"The speed and scale suite runs from a clean clone with one command and writes one table with every benchmark's ratios."
import re, subprocess, sys
from pathlib import Path
import pandas as pd, pytest

ROOT = Path(__file__).parents[1]

def _md_table(text:str) -> pd.DataFrame:
    "The first markdown table of `text` as a DataFrame of strings."
    lines = [ln for ln in text.splitlines() if ln.startswith('|')]
    cells = [[c.strip() for c in ln.strip('|').split('|')] for ln in lines]
    return pd.DataFrame(cells[2:], columns=cells[0])

@pytest.mark.slow
def test_suite_quick_writes_every_benchmark(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'suite.py'), '--quick', '--out', str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    for name in ('suite', 'loading', 'throughput', 'startup'): assert (tmp_path/f'{name}.md').exists(), name
    t = _md_table((tmp_path/'suite.md').read_text())
    assert set(t.benchmark) == {'scan_speed', 'loading', 'throughput', 'startup'}
    ratios = t.ratio[t.ratio != ''].str.replace(',', '').astype(float)
    assert len(ratios) == 7 and (ratios > 0).all()
    assert set(t.met) <= {'yes', '**no**', ''}
    # the suite's ratio is the benchmark's own: loading's table states the same ratio
    load = float(t.ratio[t.benchmark == 'loading'].iloc[0])
    stated = float(re.search(r'Ratio \(cache / files\): ([\d.]+)x', (tmp_path/'loading.md').read_text()).group(1))
    assert abs(load - stated) < 0.06
