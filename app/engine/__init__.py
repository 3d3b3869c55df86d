"""The pure analysis of one pose stream: geometry, smoothing, the exercise models, the rep counter, the form
rules and the tracker that joins them. Imports neither OpenCV nor MediaPipe; time is always an argument."""
