"""Errors that carry a message meant for the user: what happened and what to do about it.

The CLI prints `str(error)` on one line and exits with `exit_code`; the GUI shows the same text in a banner or
dialog. Anything else that escapes is a bug and is logged with its traceback.
"""


class MediusError(Exception):
    exit_code = 1


class InputError(MediusError):
    """Bad arguments or unreadable input (a missing, empty or corrupt video, a bad camera index)."""

    exit_code = 2


class ModelFileError(MediusError):
    """The bundled pose model is missing, truncated or not a pose model."""

    exit_code = 3


class SourceLostError(MediusError):
    """A frame source that was working stopped delivering frames (camera unplugged, stalled driver)."""

    exit_code = 4
