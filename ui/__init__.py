"""The Qt GUI. Everything here sits above `app/`; nothing in `app/` imports it."""
