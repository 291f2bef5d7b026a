"Package metadata comes from settings.ini (its single home); pyproject.toml only names the build system and tools."
from configparser import ConfigParser
from pathlib import Path
from setuptools import setup, find_namespace_packages

here = Path(__file__).parent
cfg = ConfigParser(delimiters=['='])
cfg.read(here/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']
listed = lambda key: cfg.get(key, '').split()
readme = here/'README.md'

setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    long_description=readme.read_text(encoding='utf-8') if readme.exists() else '',
    long_description_content_type='text/markdown',
    author=cfg['author'], author_email=cfg['author_email'], license_expression='Apache-2.0',
    url=cfg['git_url'], keywords=listed('keywords'),
    # the embedded benchmark's folders (gitools/mini/...) hold data only: listed as namespace packages so that setuptools ships them
    packages=find_namespace_packages(include=['gitools', 'gitools.*']), include_package_data=False,
    package_data={'': ['*.jpg', '*.png', '*.md', '*.csv']},
    python_requires='>=' + cfg['min_python'],
    install_requires=listed('requirements'),
    extras_require={'dev': listed('dev_requirements'), 'build': listed('build_requirements')},
    entry_points={'console_scripts': listed('console_scripts')},
    classifiers=['Programming Language :: Python :: 3'],
)
