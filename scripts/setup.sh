#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian machine: system packages (OCR, PDF
# rendering), a venv from pinned requirements, and the project itself (the `intake` command).
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-eng chromium)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Lambda runtime's Python (template.yaml: Runtime python3.13): the tests, the gates and the
# build's bytecode run on the same version. PYTHON overrides; otherwise python3.13 on PATH (a
# pyenv shim counts only if it runs), then pyenv's versions folder. The machine's python3 may
# be older: it is never used.
WANTED_PYTHON=3.13
runs_wanted() { [ -n "$1" ] && "$1" -c "import sys; sys.exit('%d.%d' % sys.version_info[:2] != '$WANTED_PYTHON')" 2>/dev/null; }
find_python() {
  if [ -n "${PYTHON:-}" ]; then
    runs_wanted "$PYTHON" && { echo "$PYTHON"; return; }
    echo "setup: PYTHON=$PYTHON is not a working Python $WANTED_PYTHON" >&2; return 1
  fi
  local candidate
  if candidate=$(command -v "python$WANTED_PYTHON") && runs_wanted "$candidate"; then
    echo "$candidate"; return
  fi
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  command -v pyenv >/dev/null && pyenv_root="$(pyenv root)"
  for candidate in $(ls -d "$pyenv_root"/versions/"$WANTED_PYTHON".* 2>/dev/null | sort -rV); do
    runs_wanted "$candidate/bin/python$WANTED_PYTHON" && { echo "$candidate/bin/python$WANTED_PYTHON"; return; }
  done
  echo "setup: Python $WANTED_PYTHON not found (tried \$PYTHON, python$WANTED_PYTHON on PATH and" \
    "$pyenv_root/versions/$WANTED_PYTHON.*): install it (e.g. \`pyenv install $WANTED_PYTHON\`) or set PYTHON" >&2
  return 1
}
PYTHON="$(find_python)"
PYTHON_VERSION="$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"

# A venv made by another Python (an older clone's 3.11) is made anew: the stamp names the
# interpreter's version beside the requirements' digest.
stamp=".venv/.requirements-$( (echo "$PYTHON_VERSION"; cat requirements/*.txt layers/*/requirements.txt pyproject.toml) | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: creating .venv (Python $PYTHON_VERSION) from requirements/dev.txt"
  runs_wanted .venv/bin/python || { rm -rf .venv; "$PYTHON" -m venv .venv; }
  .venv/bin/python -m pip install -q --upgrade pip==25.3
  .venv/bin/python -m pip install -q -r requirements/dev.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  rm -f .venv/.requirements-*
  touch "$stamp"
fi

# SAM CLI in a venv of its own (its pins would fight the project's): `make sam-build`.
sam_stamp=".tools/sam/.requirements-$( (echo "$PYTHON_VERSION"; cat requirements/sam.txt) | sha256sum | cut -c1-16)"
if [ ! -f "$sam_stamp" ]; then
  echo "setup: installing the SAM CLI into .tools/sam"
  rm -rf .tools/sam
  "$PYTHON" -m venv .tools/sam
  .tools/sam/bin/python -m pip install -q --upgrade pip==25.3
  .tools/sam/bin/python -m pip install -q -r requirements/sam.txt
  touch "$sam_stamp"
fi

# axe-core for the browser tests' accessibility check, from the npm registry with the lockfile's
# integrity hash (npm ci); node is needed only here, never when the tests run.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null; then
    echo "setup: installing axe-core (tests/browser, npm ci)"
    npm ci --prefix tests/browser --no-audit --no-fund --silent
  else
    echo "setup: npm not found: the browser tests' accessibility check will be skipped" >&2
  fi
fi
