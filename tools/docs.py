"""Build the documentation site from the notebooks and their committed outputs: _docs/index.html and one page per notebook.

nbdev renders its site with Quarto, whose PyPI package downloads the program from GitHub while installing (not reachable
from this project's machines), so the pages are rendered with nbconvert the way nbdev shows a notebook: `#| hide` cells left
out, `#|` directives removed, tables and figures as the notebook keeps them. A file named in backticks (`nbs/15_recipes.ipynb`,
`benchmarks/results/recipes.md`) becomes a link: notebooks to their page, other files to a copy beside the pages.
Exits 1, listing every problem, on a notebook that cannot be rendered, a named file that does not exist or a broken link.
    python tools/docs.py [--out _docs]"""
import re, shutil, sys
from pathlib import Path
import nbformat
from nbconvert import HTMLExporter

root = Path(__file__).resolve().parent.parent
REF = re.compile(r'`((?:nbs|gitools|benchmarks|tests|apps|tools)/[\w./-]+\.\w+|[\w-]+\.ipynb)`')   # a repository file in backticks
HREF = re.compile(r'(?:href|src)="([^"#:]+)(?:#[^"]*)?"')

def page(nb_path:Path) -> str: return 'index.html' if nb_path.stem == 'index' else nb_path.stem + '.html'

def title(nb) -> str:
    for c in nb.cells:
        if c.cell_type == 'markdown' and (m := re.search(r'^# (.+)$', c.source, re.M)): return m.group(1).strip()
    return 'gitools'

def _link_refs(text:str, out:Path, problems:list, where:str) -> str:
    "Turn each file named in backticks into a link, outside fenced code blocks; record the ones that do not exist."
    def link(m):
        ref = m.group(1)
        path = root/ref if '/' in ref else root/'nbs'/ref
        if not path.exists(): problems.append(f"{where}: names `{ref}`, which does not exist"); return m.group(0)
        if path.suffix == '.ipynb' and path.parent == root/'nbs': return f"[`{ref}`]({page(path)})"
        dest = out/'repo'/path.relative_to(root)
        if not dest.exists():                        # the site is built into a fresh folder: one copy per file, however often it is named
            dest.parent.mkdir(parents=True, exist_ok=True); shutil.copyfile(path, dest)
        return f"[`{ref}`](repo/{path.relative_to(root).as_posix()})"
    parts = text.split('```')
    return '```'.join(REF.sub(link, p) if i % 2 == 0 else p for i, p in enumerate(parts))

def prepare(nb, out:Path, nav:str, problems:list, where:str):
    "The notebook as a reader sees it: hidden cells out, directives stripped, file names linked, the site's navigation on top."
    cells = []
    for c in nb.cells:
        if c.cell_type == 'code':
            lines = c.source.splitlines()
            directives = [l for l in lines if l.startswith('#|')]
            if any(re.match(r'#\|\s*(hide|default_exp)\b', d) for d in directives): continue
            c.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip('\n')
            if not c.source: continue
        elif c.cell_type == 'markdown':
            c.source = re.sub(r'\]\(([\w-]+)\.ipynb\)', r'](\1.html)', _link_refs(c.source, out, problems, where))
        cells.append(c)
    nb.cells = [nbformat.v4.new_markdown_cell(nav)] + cells
    return nb

def build(out=root/'_docs') -> list:
    "Render every notebook into `out`; the list of problems found (empty when the site is sound)."
    out = Path(out)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    paths = sorted((root/'nbs').glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.stem))
    problems, nbs = [], {}
    for p in paths:
        try: nbs[p] = nbformat.read(p, as_version=4)
        except Exception as e: problems.append(f"{p.relative_to(root)}: cannot be read ({e})")
    nav = ' · '.join(f"[{'gitools' if p.stem == 'index' else p.stem}]({page(p)})" for p in nbs)
    exporter = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    for p, nb in nbs.items():
        try:
            html, _ = exporter.from_notebook_node(prepare(nb, out, nav, problems, str(p.relative_to(root))))
            (out/page(p)).write_text(html.replace('<title>Notebook</title>', f'<title>{title(nb)}</title>'))
        except Exception as e: problems.append(f"{p.relative_to(root)}: cannot be rendered ({type(e).__name__}: {e})")
    for f in out.glob('*.html'):
        for href in HREF.findall(f.read_text()):
            if not href.startswith(('data', '//')) and not (out/href).exists(): problems.append(f"_docs/{f.name}: broken link {href}")
    return problems

if __name__ == '__main__':
    out = Path(sys.argv[sys.argv.index('--out') + 1]) if '--out' in sys.argv else root/'_docs'
    problems = build(out)
    for p in problems: print(p, file=sys.stderr)
    if problems: sys.exit(f"tools/docs.py: {len(problems)} problem(s); the site in {out} is incomplete")
    print(f"tools/docs.py: {len(list(out.glob('*.html')))} pages in {out}")
