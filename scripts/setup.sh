#!/usr/bin/env bash
# Set up coopt in ./.venv on Debian 12 (bookworm) with Python 3.11, from PyPI and Debian packages only.
#   bash scripts/setup.sh          # runtime dependencies
#   bash scripts/setup.sh --test   # plus the test extras (pytest, hypothesis, ruff)
# As root it apt-installs what is missing: python3-venv, and g++ make cmake libamplsolver-dev to build
# PyNumero's ASL library (Pyomo's cyipopt interface needs it; `pyomo build-extensions` fails offline).
# Without root, coopt still works and `coopt list` marks the solver `ipopt` unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=""
[ "${1:-}" = "--test" ] && EXTRAS="[test]"
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

apt_missing=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
have_root() { [ "$(id -u)" = 0 ]; }

if ! command -v "$PY" >/dev/null 2>&1; then need_pkg python3; fi
if ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then need_pkg python3-venv; fi
for p in g++ make cmake libamplsolver-dev; do
  if command -v dpkg >/dev/null 2>&1; then need_pkg "$p"; fi
done
if [ ${#apt_missing[@]} -gt 0 ]; then
  if have_root && command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get install ${apt_missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" ca-certificates >/dev/null
  else
    echo "setup: warning: missing Debian packages ${apt_missing[*]} (need root); ipopt may be unavailable" >&2
  fi
fi

stamp="$VENV/.coopt-stamp"
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)$EXTRAS"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
installed="$(cat "$stamp" 2>/dev/null || true)"
if [ "$installed" != "$want" ] && [ "$installed" != "$want[test]" ]; then
  "$VENV/bin/python" -m pip install -q -U pip
  "$VENV/bin/python" -m pip install -q -e ".$EXTRAS"
  echo "$want" > "$stamp"
fi

# PyNumero ASL library into the venv (coopt points PYOMO_CONFIG_DIR there at import time).
cfg="$(cd "$VENV" && pwd)/share/coopt-pyomo"
asl_lib="/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libamplsolver.so"
if [ ! -f "$cfg/lib/libpynumero_ASL.so" ] && [ -f "$asl_lib" ] && command -v cmake >/dev/null 2>&1; then
  echo "setup: building PyNumero's ASL library against Debian's libamplsolver"
  PYOMO_CONFIG_DIR="$cfg" "$VENV/bin/python" -m pyomo.contrib.pynumero.build \
      -DASL_INCLUDE_DIR=/usr/include/ampl-netlib-solvers -DASL_LIBRARY="$asl_lib" >"$VENV/pynumero-build.log" 2>&1 \
    || echo "setup: warning: PyNumero build failed (see $VENV/pynumero-build.log); ipopt unavailable" >&2
fi
"$VENV/bin/coopt" list --format json | "$VENV/bin/python" -c \
  "import json,sys; s=json.load(sys.stdin)['solvers']; print('setup: solvers installed:', ', '.join(x['name'] for x in s if x['installed']))"
