#!/usr/bin/env bash
# One-step install for a fresh Debian/Ubuntu machine: system libraries Qt needs, then a virtual environment
# in .venv with Medius Coach and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt's xcb platform plugin and QtMultimedia need these; xvfb gives tests and screenshots a virtual screen;
# strace is how tests/privacy proves the app opens no network socket; binutils (objdump) is what PyInstaller
# uses to find the bundle's shared libraries; libxtst6 lets the bundle test type into a real X11 window.
DEB_PACKAGES="xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1 libglib2.0-0
  libfontconfig1 libdbus-1-3 libpulse0 fonts-dejavu-core strace binutils libxtst6"
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  missing=$(for p in $DEB_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  fi
else
  echo "Not a Debian-like system: install the Qt runtime libraries and Xvfb with your package manager." >&2
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# Exactly the versions the tests passed with (requirements.lock, made by tools/lock.sh from pyproject.toml's
# ranges), every file checked against its hash; then the app itself, editable, without touching the dependencies.
.venv/bin/python -m pip install -q --require-hashes -r requirements.lock
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
echo "Installed. Run the tests with: .venv/bin/python -m pytest"
