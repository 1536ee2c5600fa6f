#!/usr/bin/env bash
# Build the documentation site into out/site (`make docs`): warnings are errors, every snippet runs.
#   bash scripts/docs.sh            # set up, install the pinned `docs` extra if needed, build
#   bash scripts/docs.sh serve      # the same, then serve it on http://127.0.0.1:8000 while you edit
# The build needs no network (MathJax is loaded by the browser when a page is viewed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# the docs extra of pyproject.toml, pinned with ==; (re)install only when an installed version differs
if ! .venv/bin/python - <<'PY'
import importlib.metadata as md, re, sys, tomllib
pins = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["docs"]
bad = []
for pin in pins:
    name, want = re.split(r"==", pin)
    try:
        have = md.version(name)
    except md.PackageNotFoundError:
        have = None
    if have != want:
        bad.append(f"{name} {have} != {want}")
sys.exit(1 if bad else 0)
PY
then
  echo "docs: installing the docs extra (pyproject.toml)"
  .venv/bin/python -m pip install -q -e ".[docs]"
fi
.venv/bin/coopt list --format markdown > docs/catalogue.md
export NO_MKDOCS_2_WARNING=1
if [ "${1:-}" = "serve" ]; then
  exec .venv/bin/mkdocs serve --strict
fi
start=$(date +%s)
.venv/bin/mkdocs build --strict
echo "docs: built out/site/index.html in $(( $(date +%s) - start )) s"
