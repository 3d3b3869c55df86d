"""The outside world, each behind one module: MediaPipe (pose_estimator), cameras and video files
(frame_source), the model file on disk, camera transforms for robustness tests, video writing, native logs."""
