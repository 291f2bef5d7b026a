"""Build the documentation site with MkDocs (Material theme, mkdocs-jupyter): _docs/index.html and one page per notebook.

nbdev renders its site with Quarto, whose PyPI package downloads the program from GitHub while installing (not reachable
from this project's machines), so the site is built by MkDocs, which installs from PyPI. This script stages what MkDocs
reads into _docs_src/: each notebook as a reader should see it (`#| hide` cells left out, `#|` directives removed, links
between notebooks pointing at their pages), CONTRIBUTING.md as the architecture page, and a copy of every repository file
named in backticks (`nbs/15_recipes.ipynb`, `benchmarks/results/recipes.md`), which becomes a link. Then `mkdocs build`
(strict, config in mkdocs.yml) renders the site, with the notebooks in pipeline order as its navigation.
Exits 1, listing every problem, on a notebook that cannot be read, a named file that does not exist, a MkDocs warning or a
broken link in the built pages.
    python tools/docs.py [--out _docs]"""
import logging, re, shutil, sys
from pathlib import Path
import nbformat

root = Path(__file__).resolve().parent.parent
REF = re.compile(r'`((?:nbs|gitools|benchmarks|tests|apps|tools)/[\w./-]+\.\w+|[\w-]+\.ipynb)`')   # a repository file in backticks
HREF = re.compile(r'(?:href|src)="([^"#:?]+)(?:[#?][^"]*)?"')
PAGES = {'CONTRIBUTING.md': 'contributing.md'}           # repository documents that are pages of the site, not copies

def page(nb_path:Path) -> str: return 'index.html' if nb_path.stem == 'index' else nb_path.stem + '.html'

def title(nb) -> str:
    for c in nb.cells:
        if c.cell_type == 'markdown' and (m := re.search(r'^# (.+)$', c.source, re.M)): return m.group(1).strip()
    return 'gitools'

def _target(path:Path, source:bool=False) -> str:
    """Where the site links a repository file: a notebook to its page, a markdown file to its rendered page, anything else to its copy.
    `source`: as a markdown page links it (to the staged file, which MkDocs checks and turns into the page's address)."""
    rel = path.relative_to(root).as_posix()
    if path.suffix == '.ipynb' and path.parent == root/'nbs': return path.name if source else page(path)
    if rel in PAGES: return PAGES[rel] if source else PAGES[rel].replace('.md', '.html')
    return 'repo/' + (rel[:-3] + '.html' if path.suffix == '.md' and not source else rel)

def _link_refs(text:str, out:Path, problems:list, where:str, source:bool=False) -> str:
    "Turn each file named in backticks into a link, outside fenced code blocks; copy it into `out/repo`; record the ones that do not exist."
    def link(m):
        ref = m.group(1)
        path = root/ref if '/' in ref else root/'nbs'/ref
        if not path.exists(): problems.append(f"{where}: names `{ref}`, which does not exist"); return m.group(0)
        target = _target(path, source)
        if target.startswith('repo/'):
            dest = out/'repo'/path.relative_to(root)
            if not dest.exists():                    # the site is staged into a fresh folder: one copy per file, however often it is named
                dest.parent.mkdir(parents=True, exist_ok=True); shutil.copyfile(path, dest)
        return f"[`{ref}`]({target})"
    parts = text.split('```')
    return '```'.join(REF.sub(link, p) if i % 2 == 0 else p for i, p in enumerate(parts))

def prepare(nb, out:Path, problems:list, where:str):
    "The notebook as a reader sees it: hidden cells out, directives stripped, file names linked, links to notebooks pointing at their pages."
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
    nb.cells = cells
    return nb

def stage(src:Path) -> tuple:
    "Write what MkDocs reads into `src`: `(navigation, problems)`."
    if src.exists(): shutil.rmtree(src)
    src.mkdir(parents=True)
    paths = sorted((root/'nbs').glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.stem != 'tutorial', p.stem))
    problems, nav = [], []
    for p in paths:
        where = str(p.relative_to(root))
        try: nb = nbformat.read(p, as_version=4)
        except Exception as e: problems.append(f"{where}: cannot be read ({e})"); continue
        nbformat.write(prepare(nb, src, problems, where), src/(p.stem + '.ipynb'))
        nav.append({('gitools' if p.stem == 'index' else f"{p.stem.split('_')[0]} {title(nb)}" if p.stem[0].isdigit() else title(nb)): p.stem + '.ipynb'})
    for doc, name in PAGES.items():
        if (root/doc).exists():
            (src/name).write_text(_link_refs((root/doc).read_text(), src, problems, doc, source=True))
            nav.insert(2, {'Architecture and contributing': name})
    return nav, problems

def check_links(site:Path) -> list:
    "Relative links and images in the built pages that point at no file of the site."
    bad = []
    for f in site.rglob('*.html'):
        if f.relative_to(site).parts[0] in ('assets', 'search') or f.name == '404.html': continue      # 404 links from the site root
        for href in HREF.findall(f.read_text(errors='replace')):
            if not href.startswith(('data', '//', 'mailto')) and not (f.parent/href).exists():
                bad.append(f"{site.name}/{f.relative_to(site)}: broken link {href}")
    return bad

class _Warnings(logging.Handler):
    "Collect MkDocs' warnings: in strict mode each one is a problem of the site."
    def __init__(self): super().__init__(logging.WARNING); self.messages = []
    def emit(self, record): self.messages.append(record.getMessage())

def build(out=root/'_docs') -> list:
    "Stage the notebooks, build the site into `out` with MkDocs; the list of problems found (empty when the site is sound)."
    from mkdocs.config import load_config
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException
    out = Path(out).absolute()
    nav, problems = stage(root/'_docs_src')
    log, h = logging.getLogger('mkdocs'), _Warnings()
    log.addHandler(h)
    try: mkdocs_build(load_config(str(root/'mkdocs.yml'), nav=nav, site_dir=str(out)))
    except (MkDocsException, SystemExit) as e: problems.append(f"mkdocs: {e}")
    finally: log.removeHandler(h)
    problems += [f"mkdocs: {m}" for m in h.messages]
    return problems + (check_links(out) if out.exists() else [])

if __name__ == '__main__':
    out = Path(sys.argv[sys.argv.index('--out') + 1]) if '--out' in sys.argv else root/'_docs'
    problems = build(out)
    for p in problems: print(p, file=sys.stderr)
    if problems: sys.exit(f"tools/docs.py: {len(problems)} problem(s); the site in {out} is incomplete")
    print(f"tools/docs.py: {len(list(out.glob('*.html')))} pages in {out} (MkDocs, Material theme)")
