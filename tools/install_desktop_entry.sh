#!/usr/bin/env bash
# Put the standalone bundle of Medius Coach in the desktop's application menu (for this user only).
#
#   install-desktop-entry.sh [BUNDLE_DIR]              # install or update
#   install-desktop-entry.sh --uninstall               # remove the menu entry and the icons again
#
# BUNDLE_DIR is the folder holding the `medius-coach` executable. Default: the folder this script is in (it is
# shipped inside the bundle as install-desktop-entry.sh), else build/bundle/dist/medius-coach of the
# repository (when run as tools/install_desktop_entry.sh). Files go to the XDG locations:
#   ${XDG_DATA_HOME:-~/.local/share}/applications/medius-coach.desktop
#   ${XDG_DATA_HOME:-~/.local/share}/icons/hicolor/scalable/apps/medius-coach.svg
#   ${XDG_DATA_HOME:-~/.local/share}/icons/hicolor/256x256/apps/medius-coach.png
# The entry points at the bundle where it is now: run this again after moving the folder.
set -euo pipefail

APP=medius-coach
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
DESKTOP_FILE=$DATA/applications/$APP.desktop
SVG_ICON=$DATA/icons/hicolor/scalable/apps/$APP.svg
PNG_ICON=$DATA/icons/hicolor/256x256/apps/$APP.png

die() { echo "install-desktop-entry: $*" >&2; exit 1; }

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DESKTOP_FILE" "$SVG_ICON" "$PNG_ICON"
  echo "Removed $DESKTOP_FILE and the $APP icons."
  exit 0
fi
case "${1:-}" in -h|--help) sed -n '2,13p' "$0"; exit 0 ;; -*) die "unknown option $1 (try --help)" ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
if [ -n "${1:-}" ]; then BUNDLE=$1
elif [ -x "$HERE/$APP" ]; then BUNDLE=$HERE
else BUNDLE=$HERE/../build/bundle/dist/$APP
fi
[ -x "$BUNDLE/$APP" ] || die "no bundle at $BUNDLE (build it with: bash tools/build_bundle.sh)"
BUNDLE=$(cd "$BUNDLE" && pwd -P)
EXE=$BUNDLE/$APP
TEMPLATE=$BUNDLE/_internal/share/applications/$APP.desktop
ICONS=$BUNDLE/_internal/medius_assets/icons
for f in "$TEMPLATE" "$ICONS/$APP.svg" "$ICONS/$APP.png"; do [ -f "$f" ] || die "the bundle lacks $f"; done

# Exec is parsed like a command line: the path goes in double quotes, where the desktop entry spec would need
# " ` $ and \ escaped twice over; such folder names are refused rather than risked. % starts a field code: %%.
case "$EXE" in *'"'* | *'`'* | *'$'* | *'\'* | *$'\n'*)
  die "the bundle's path contains \" \` \$ \\ or a line break, which a menu entry cannot quote safely: $EXE" ;;
esac
EXEC_QUOTED="\"${EXE//%/%%}\""

mkdir -p "$(dirname "$DESKTOP_FILE")" "$(dirname "$SVG_ICON")" "$(dirname "$PNG_ICON")"
install -m 644 "$ICONS/$APP.svg" "$SVG_ICON"
install -m 644 "$ICONS/$APP.png" "$PNG_ICON"
tmp=$(mktemp "$DESKTOP_FILE.XXXXXX")
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    Exec=*) printf 'Exec=%s\n' "$EXEC_QUOTED" ;;
    TryExec=*) printf 'TryExec=%s\n' "$EXE" ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$TEMPLATE" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$DESKTOP_FILE"  # atomically: a menu reading the folder never sees half a file
# Icon caches compare their time with the folder's: a newer folder makes desktops look again.
touch "$DATA/icons/hicolor"
echo "Installed $DESKTOP_FILE"
echo "  runs $EXE"
echo "  icon $SVG_ICON (and $PNG_ICON)"
