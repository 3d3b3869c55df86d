#!/usr/bin/env bash
# Rebuild assets/models/pose_landmarker_full.task from the TFLite files in the mediapipe 0.10.21 wheel.
# Uses a throwaway virtual environment (0.10.21 needs numpy<2 and protobuf<5, which the app does not use).
# Needs a Python 3.9-3.12 interpreter: set PYTHON to choose it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --no-deps "mediapipe==0.10.21"
"$tmp/venv/bin/pip" install -q "numpy<2" "opencv-python-headless<4.11" matplotlib absl-py attrs flatbuffers "protobuf<5"
out="$repo/assets/models/pose_landmarker_full.task"
"$tmp/venv/bin/python" "$here/build_pose_model.py" "$out" | tee "$out.sha256"
