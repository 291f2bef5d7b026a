#!/usr/bin/env bash
# gitools' one entry point. The first run creates .venv in the checkout and installs gitools with pinned dependencies;
# later runs reinstall only when settings.ini or setup.py change.
#   ./run.sh finetune [options]   the main job: gitools-finetune (default data when no --data)
#   ./run.sh test                 the whole test suite: notebook tests (nbdev-test) and pytest (what CI runs)
#   ./run.sh quick                the quick loop: the same without the tests marked slow (pytest -m "not slow")
#   ./run.sh <gitools command>    any installed command, e.g. ./run.sh gitools-scan DATA
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-$(command -v python3.11 || command -v python3)}
venv=.venv
stamp=$venv/.gitools-install
want=$(cat settings.ini setup.py pyproject.toml | sha1sum | cut -c1-16)
if [ ! -x $venv/bin/python ]; then "$py" -m venv $venv; fi
if [ "$(cat $stamp 2>/dev/null)" != "$want" ]; then
  echo "run.sh: installing gitools and its pinned dependencies into $venv (first run takes a few minutes)" >&2
  $venv/bin/python -m pip install --quiet --upgrade pip
  # setuptools warns that an editable install may shadow the checkout's folder: that is what an editable install is for
  PYTHONWARNINGS="ignore:Editable installation:UserWarning" $venv/bin/python -m pip install --quiet -e ".[dev]"
  echo "$want" > $stamp
fi
export PATH="$PWD/$venv/bin:$PATH" MPLBACKEND=Agg
task=${1:-help}; shift || true
case "$task" in
  finetune) exec gitools-finetune "$@" ;;
  test)
    nbdev-test --n-workers 2 "$@"
    pytest -q -rs -n 2 --durations=10 tests ;;
  quick)
    nbdev-test --n-workers 2 "$@"
    pytest -q -rs -n 2 -m "not slow" tests ;;
  help|-h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) exec "$task" "$@" ;;
esac
