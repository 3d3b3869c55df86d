#!/usr/bin/env bash
# Move requirements.lock forward deliberately: resolve pyproject.toml's ranges (with the dev and build extras)
# for every platform and Python >= 3.11, with hashes. Run tools/check_latest.sh first, then the suite on the new
# lock (bash tools/install.sh && .venv/bin/python -m pytest) before committing it.
# uv is used only to write the file; installing from it needs nothing but pip (pip install --require-hashes).
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VENV=${UV_VENV:-/tmp/medius-uv}
[ -x "$UV_VENV/bin/uv" ] || { python3 -m venv "$UV_VENV" && "$UV_VENV/bin/pip" install -q "uv==0.13.9"; }
"$UV_VENV/bin/uv" pip compile pyproject.toml --extra dev --extra build --universal --generate-hashes \
  --python-version 3.11 --no-header --upgrade -o requirements.lock
echo "requirements.lock rewritten; now run: bash tools/install.sh && .venv/bin/python -m pytest"
