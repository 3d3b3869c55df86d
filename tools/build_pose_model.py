"""Build the offline BlazePose "full" bundle (`pose_landmarker_full.task`).

Run it with `tools/build_pose_model.sh`, which makes the throwaway environment it needs.

Why this exists: the current `mediapipe` wheel ships no pose model and the app must work offline, while the
0.10.21 wheel still carries the two Apache-2.0 TFLite files of BlazePose GHUM "full". The Tasks API only accepts
them once each has image-input normalisation metadata and one output entry per tensor, and only as a zip of two
stored members. The metadata writer that works is the one inside the 0.10.21 wheel, so this script must run in
an environment where `mediapipe==0.10.21` is importable (never in the app's own environment).

The zip is written with fixed member timestamps so that the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import pathlib
import zipfile

from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

# Input normalisation each network was trained with (environment.md): the detector wants [-1, 1], the landmark
# network [0, 1].
DETECTOR = ("modules/pose_detection/pose_detection.tflite", "pose_detector.tflite", 127.5, 127.5, 2)
LANDMARKER = ("modules/pose_landmark/pose_landmark_full.tflite", "pose_landmarks_detector.tflite", 0.0, 255.0, 5)
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
# MediaPipe memory-maps the members; TFLite warns and copies any tensor buffer that is not 4-byte aligned.
# Starting each member's data on a 64-byte boundary lets it map them in place.
DATA_ALIGNMENT = 64
_ZIPALIGN_EXTRA_ID = 0xD935  # the extra-field id Android's zipalign uses for the same purpose


def with_metadata(tflite: bytes, mean: float, std: float, n_outputs: int) -> bytes:
    writer = metadata_writer.MetadataWriter.create(bytearray(tflite))
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for i in range(n_outputs):
        writer.add_feature_output(name=f"output_{i}")
    model, _json = writer.populate()
    return bytes(model)


def _alignment_extra(header_offset: int, member: str) -> bytes:
    """An extra field that pads the local header so the member's data starts on DATA_ALIGNMENT."""
    fixed = 30 + len(member.encode()) + 6  # local header + name + extra-field header and its 2-byte payload
    pad = (-(header_offset + fixed)) % DATA_ALIGNMENT
    payload = DATA_ALIGNMENT.to_bytes(2, "little") + bytes(pad)
    return _ZIPALIGN_EXTRA_ID.to_bytes(2, "little") + len(payload).to_bytes(2, "little") + payload


def build(out_path: pathlib.Path) -> str:
    import mediapipe

    root = pathlib.Path(mediapipe.__file__).parent
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_STORED) as bundle:
        for src, member, mean, std, n_out in (DETECTOR, LANDMARKER):
            data = with_metadata((root / src).read_bytes(), mean, std, n_out)
            info = zipfile.ZipInfo(member, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.extra = _alignment_extra(bundle.fp.tell(), member)
            bundle.writestr(info, data)
    return hashlib.sha256(out_path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args()
    print(f"{build(args.out)}  {args.out.name}")


if __name__ == "__main__":
    main()
