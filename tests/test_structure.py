"The package's shape (issue 26): every module imports only modules of notebooks before its own, so the import graph has no cycle."
import ast, re
from pathlib import Path
import gitools

PKG = Path(gitools.__file__).parent

def notebook_of(py:Path) -> str:
    m = re.search(r'File to edit: \.\./nbs/([\w-]+)\.ipynb', py.read_text())
    assert m, f"{py.name}: not generated from a notebook"
    return m.group(1)

def imports_of(py:Path) -> set:
    "Modules of the package that `py` imports, at the top or inside a function."
    mods = set()
    for n in ast.walk(ast.parse(py.read_text())):
        if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module: mods.add(n.module.split('.')[0])
        elif isinstance(n, ast.ImportFrom) and (n.module or '').startswith('gitools.'): mods.add(n.module.split('.')[1])
        elif isinstance(n, ast.Import): mods |= {a.name.split('.')[1] for a in n.names if a.name.startswith('gitools.')}
    return mods - {py.stem}

def test_imports_point_down_the_pipeline():
    mods = {p.stem: p for p in PKG.glob('*.py') if p.stem not in ('__init__', '_modidx')}
    order = {m: notebook_of(p) for m, p in mods.items()}
    upward = [(m, t, order[m], order[t]) for m, p in mods.items() for t in imports_of(p) if t in mods and order[t] >= order[m]]
    assert not upward, 'imports of modules from later notebooks: ' + '; '.join(f"{m} ({a}) imports {t} ({b})" for m, t, a, b in upward)

def test_finetune_cli_defaults_are_the_configs():
    "Every gitools-finetune option that is a FinetuneConfig field has the field's default: a default exists once (issue 26)."
    import dataclasses, inspect
    from gitools.cli import finetune_cli
    from gitools.transfer import FinetuneConfig
    cli = inspect.signature(getattr(finetune_cli, '__wrapped__', finetune_cli)).parameters
    fields = {f.name: f for f in dataclasses.fields(FinetuneConfig)}
    shared = {n: ('start' if n == 'arch' else n) for n in cli if ('start' if n == 'arch' else n) in fields and n not in ('stages', 'pretrained')}
    assert len(shared) >= 20
    for n, k in shared.items():
        f = fields[k]
        want = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        assert cli[n].default == want, f"--{n.replace('_', '-')}: {cli[n].default!r} in the CLI, {want!r} in FinetuneConfig.{k}"
