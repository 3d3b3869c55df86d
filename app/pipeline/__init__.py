"""Frames to engine and back out: the per-frame analyzer (people search, crop, tracker), the live
capture thread, replay of recordings, set recording and annotated export."""
