"""Accuracy on the labelled clips: rep counts per clip, and per-rep faults as precision and recall."""
