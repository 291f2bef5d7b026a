"""Write README.md from nbs/index.ipynb (markdown cells as they are, code cells as python blocks).
nbdev-readme needs Quarto; this does the same for our plain notebook. `--check` exits 1 when README.md is out of date."""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    cells = json.loads(nb_path.read_text())['cells']
    parts = []
    for c in cells:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#|'): continue
        parts.append(src if c['cell_type'] == 'markdown' else f"```python\n{src}\n```")
    return '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook -->\n\n' + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text: sys.exit('README.md is out of date: run python tools/readme.py')
    else: readme.write_text(text)
