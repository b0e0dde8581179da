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

PYTHON="${PYTHON:-python3}"
stamp=".venv/.requirements-$(cat requirements/*.txt layers/*/requirements.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: creating .venv from requirements/dev.txt"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip==25.3
  .venv/bin/python -m pip install -q -r requirements/dev.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  rm -f .venv/.requirements-*
  touch "$stamp"
fi

# SAM CLI in a venv of its own (its pins would fight the project's): `make sam-build`.
sam_stamp=".tools/sam/.requirements-$(sha256sum requirements/sam.txt | cut -c1-16)"
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
