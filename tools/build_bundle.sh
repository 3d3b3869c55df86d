#!/usr/bin/env bash
# Standalone Linux bundle of Medius Coach for people who do not use pip: one folder with its own Python, Qt,
# OpenCV and MediaPipe, started by one executable that behaves like the `medius` command (no arguments: the GUI;
# `analyze VIDEO --exercise X --json`, `history`, `export`, ...: the command line).
#
#   bash tools/build_bundle.sh                # build build/bundle/dist/medius-coach/ (about 400 MB)
#   bash tools/build_bundle.sh --if-changed   # the same, unless the last build was made from the same sources
#   bash tools/build_bundle.sh --hash         # print the hash of those sources
#   bash tools/build_bundle.sh --render-icon  # re-render assets/icons/medius-coach.png from the SVG (Qt)
#
# The result runs on a Linux machine with no Python: build/bundle/dist/medius-coach/medius-coach. Ship the whole
# folder; its install-desktop-entry.sh puts it in the user's application menu. The machine needs a glibc at least
# as new as the build machine's and the usual desktop libraries (X11/xcb or Wayland, fontconfig, GL).
#
# How: the app is first installed from a copy of the sources the way its wheel installs it (pip --target, no
# index, no dependencies), so the bundle holds exactly the packages and package data pyproject.toml declares;
# then .venv's PyInstaller (the lock's `build` extra) freezes it with tools/medius-coach.spec. Nothing is
# downloaded: pip runs with --no-index, and where the kernel allows it both steps run in a private network
# namespace without interfaces (unshare -n), so an accidental download fails instead of going unnoticed.
#
# build/bundle/sources.sha256 records what the bundle was built from (app/ ui/ assets/ pyproject.toml
# requirements.lock README.md, this script, the spec, the .desktop template, the installer script and .venv's
# distributions); --if-changed compares against it. Builds are serialised with a lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
OUT=$REPO/build/bundle
PY=$REPO/.venv/bin/python
APP=medius-coach

die() { echo "build_bundle: $*" >&2; exit 1; }
[ -x "$PY" ] || die "no .venv: run bash tools/install.sh first"

render_icon() {
  # Qt's own SVG renderer, offscreen (no display needed), at 256 px: the size the desktop entry installs it as.
  QT_QPA_PLATFORM=offscreen "$PY" - "$REPO/assets/icons/$APP.svg" "$REPO/assets/icons/$APP.png" <<'EOF'
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

app = QGuiApplication(["render-icon"])
renderer = QSvgRenderer(sys.argv[1])
if not renderer.isValid():
    sys.exit(f"not a valid SVG: {sys.argv[1]}")
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(Qt.GlobalColor.transparent)
painter = QPainter(image)
painter.setRenderHint(QPainter.RenderHint.Antialiasing)
renderer.render(painter)
painter.end()
if not image.save(sys.argv[2], "PNG"):
    sys.exit(f"could not write {sys.argv[2]}")
print(f"wrote {sys.argv[2]}")
EOF
}

# Everything the bundle is made from, as one hash. File names are relative, so a copy of the tree hashes alike;
# byte code and caches are left out (they change without the sources changing).
source_hash() {
  {
    find app ui assets -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum
    sha256sum pyproject.toml requirements.lock README.md tools/build_bundle.sh "tools/$APP.spec" \
      "tools/$APP.desktop" tools/install_desktop_entry.sh
    # The frozen dependencies are whatever .venv holds: a reinstall with other versions must rebuild.
    ls "$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" | grep -E '\.dist-info$' |
      LC_ALL=C sort
    "$PY" -c 'import sys; print(sys.version)'
  } | sha256sum | cut -d' ' -f1
}

MODE=build
case "${1:-}" in
  "") ;;
  --if-changed) MODE=if-changed ;;
  --hash) source_hash; exit 0 ;;
  --render-icon) render_icon; exit 0 ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) die "unknown option $1 (try --help)" ;;
esac

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9  # a second build (another test run) waits here, then finds the bundle up to date

EXE=$OUT/dist/$APP/$APP
STAMP=$OUT/sources.sha256
HASH=$(source_hash)
if [ "$MODE" = if-changed ] && [ -x "$EXE" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
  echo "build_bundle: $EXE is up to date (sources $HASH)"
  exit 0
fi

START=$(date +%s)
rm -f "$STAMP"
rm -rf "$OUT/stage" "$OUT/work" "$OUT/dist"
mkdir -p "$OUT/stage/src"

NONET=()
if unshare -n true 2>/dev/null; then NONET=(unshare -n)
elif unshare -rn true 2>/dev/null; then NONET=(unshare -rn)
else echo "build_bundle: note: no network namespace here (unshare -n); building without that guard" >&2
fi

# 1. A copy of the sources (no caches), installed the way the wheel installs them.
cp -r app ui assets pyproject.toml README.md "$OUT/stage/src/"
find "$OUT/stage/src" -name __pycache__ -prune -exec rm -rf {} +
"${NONET[@]}" env PIP_DISABLE_PIP_VERSION_CHECK=1 "$PY" -m pip install -q --no-index --no-deps \
  --no-build-isolation --no-cache-dir --target "$OUT/stage/site" "$OUT/stage/src"
rm -rf "$OUT/stage/site/bin"  # the `medius` console script: the bundle's executable takes its place

# 2. The bundle's entry point makes the same call as the `medius` console script (pyproject [project.scripts]).
cat >"$OUT/stage/$APP.py" <<'EOF'
import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main())
EOF

# 3. Freeze. PyInstaller keeps its cache of processed libraries in build/bundle/cache, not in $HOME.
"${NONET[@]}" env PYINSTALLER_CONFIG_DIR="$OUT/cache" MEDIUS_BUNDLE_STAGE="$OUT/stage" \
  "$REPO/.venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$OUT/dist" --workpath "$OUT/work" "tools/$APP.spec"

# 4. This machine's Python (pyenv) is compiled with debug information: about 25 MB in libpython and the
#    standard library's extension modules that no user needs. Only those are stripped; the wheels' libraries
#    stay byte for byte as pip installed them (they are stripped already, several were patched by auditwheel).
INTERNAL=$OUT/dist/$APP/_internal
find "$INTERNAL" -maxdepth 1 -name 'libpython3*.so*' -type f -exec strip --strip-debug {} +
find "$INTERNAL"/python3*/lib-dynload -name '*.so' -type f -exec strip --strip-debug {} +

# 5. What a user needs next to the executable to put it in the desktop menu.
install -m 755 tools/install_desktop_entry.sh "$OUT/dist/$APP/install-desktop-entry.sh"

# 6. Smoke test: the frozen command line starts (tests/packaging/test_bundle.py checks the rest).
"$EXE" analyze --help >/dev/null || die "the built executable does not start: $EXE analyze --help"

if [ "$(source_hash)" = "$HASH" ]; then
  echo "$HASH" >"$STAMP"
else
  echo "build_bundle: the sources changed during the build; not recording this build as up to date" >&2
fi
echo "build_bundle: $EXE ($(du -sh "$OUT/dist/$APP" | cut -f1), built in $(( $(date +%s) - START )) s)"
