"The documentation site (tools/docs.py, MkDocs): notebooks staged as a reader sees them, file names in backticks linked, broken references caught."
import importlib.util
from pathlib import Path
import nbformat

root = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location('docs', root/'tools'/'docs.py'); docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docs)

def test_files_named_in_backticks_become_links_and_missing_ones_are_reported(tmp_path):
    problems = []
    text = ("See `benchmarks/results/recipes.md`, `benchmarks/recipes.py`, `15_recipes.ipynb` and `benchmarks/nope.py`.\n"
            "```\n`tests/not-a-ref.py` in code\n```")
    out = docs._link_refs(text, tmp_path, problems, 'nbs/x.ipynb')
    assert "[`benchmarks/results/recipes.md`](repo/benchmarks/results/recipes.html)" in out            # a markdown file: its rendered page
    assert "[`benchmarks/recipes.py`](repo/benchmarks/recipes.py)" in out and (tmp_path/'repo'/'benchmarks'/'recipes.py').exists()
    assert "[`15_recipes.ipynb`](15_recipes.html)" in out
    assert problems == ["nbs/x.ipynb: names `benchmarks/nope.py`, which does not exist"]   # code blocks are left alone

def test_a_page_shows_what_a_reader_should_see(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Title\nprose'),
                                         nbformat.v4.new_code_cell('#| hide\nsecret = 1'),
                                         nbformat.v4.new_code_cell('#| export\ndef f(): return 2'),
                                         nbformat.v4.new_markdown_cell('[next](15_recipes.ipynb)')])
    nb = docs.prepare(nb, tmp_path, [], 'x')
    assert [c.source for c in nb.cells] == ['# Title\nprose', 'def f(): return 2', '[next](15_recipes.html)']
    assert docs.page(root/'nbs'/'index.ipynb') == 'index.html' and docs.title(nb) == 'Title'

def test_broken_links_in_built_pages_are_found(tmp_path):
    (tmp_path/'a.html').write_text('<a href="b.html">b</a> <img src="repo/x.png"> <a href="https://x.org">out</a> <a href="#top">top</a>')
    (tmp_path/'b.html').write_text('<a href="a.html#s">a</a>')
    assert docs.check_links(tmp_path) == [f"{tmp_path.name}/a.html: broken link repo/x.png"]

def test_the_site_builds_with_mkdocs(tmp_path):
    assert docs.build(tmp_path/'site') == []
    site = tmp_path/'site'
    assert (site/'index.html').exists() and (site/'15_recipes.html').exists() and (site/'contributing.html').exists()
    page = (site/'03a_cache.html').read_text()
    assert 'build_cache' in page and '#| export' not in page and 'from fastcore.test import' not in page   # hidden cells are left out
