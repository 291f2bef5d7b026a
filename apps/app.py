"""Launch the gitools app, the same as the `gitools-app` command: `python apps/app.py [FOLDER ...] [--models ...] [--port ...]`.

The app itself (layout and handlers) lives in the library, `gitools/app.py` (from `nbs/17_app.ipynb`); this script only starts it."""
from gitools.cli import app_cli

if __name__ == '__main__': app_cli()
