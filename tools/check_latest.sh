#!/usr/bin/env bash
# Early warning: install the NEWEST versions that pyproject.toml's ranges allow (ignoring requirements.lock) into
# a scratch venv and run the test suite there, so a dependency release that breaks us is seen before a user's
# fresh install meets it. Prints which versions differ from the lock, then the suite's result.
#   bash tools/check_latest.sh [pytest args...]      (scratch venv: $LATEST_VENV, default /tmp/medius-latest)
# A green run means tools/lock.sh can move the lock forward; a red one names the package to hold back.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${LATEST_VENV:-/tmp/medius-latest}
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade --upgrade-strategy eager -e ".[dev,build]" || exit 1

echo "== versions that differ from requirements.lock"
"$VENV/bin/python" - <<'PY'
import re, pathlib
from importlib import metadata
locked = {}
for line in pathlib.Path("requirements.lock").read_text().splitlines():
    m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
    if m:
        locked.setdefault(m.group(1).lower().replace("_", "-"), set()).add(m.group(2))
differ = 0
for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
    name = dist.metadata["Name"].lower().replace("_", "-")
    if name in locked and dist.version not in locked[name]:
        differ += 1
        print(f"  {name}: lock {'/'.join(sorted(locked[name]))} -> newest {dist.version}")
print(f"  {differ} package(s) newer than the lock" if differ else "  none: the lock is at the newest allowed versions")
PY

echo "== test suite on the newest versions"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
