"""Exports of the exercise log: CSV, JSON, the therapist's HTML report and its SVG charts."""
