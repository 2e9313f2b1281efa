"""Errors that name the file, row and field a person must look at."""

from __future__ import annotations

import errno
import os
import shutil


class DizError(Exception):
    """Base class for errors the pipeline raises on purpose."""


class SourceMissingError(DizError):
    """A required source file is not in data/raw, not in the mirror, and cannot be downloaded."""


class SourceFormatError(DizError):
    """A source file cannot be read as its publisher's format.

    The message always starts with the file; row (1-based line in the file) and
    field are added when known, so the person fixing it knows where to look.
    """

    def __init__(self, file: str, message: str, *, row: int | None = None, field: str | None = None):
        self.file = str(file)
        self.row = row
        self.field = field
        self.detail = message
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class UnsafeArchiveError(SourceFormatError):
    """A zip archive holds a member that would be written outside its folder."""


class CatalogBusyError(DizError):
    """Another run holds the catalog lock for longer than we are willing to wait."""


class SettingsError(DizError):
    """A setting is missing, malformed or out of range; the message names it and where it came from."""


WRITE_ERRORS = {
    errno.EROFS: "is read-only",
    errno.ENOSPC: "is full (no space left on its device)",
    errno.EDQUOT: "is full (over the disk quota)",
    errno.EACCES: "cannot be written (permission denied)",
    errno.EPERM: "cannot be written (operation not permitted)",
}


def cannot_write(exc: OSError) -> str | None:
    """A folder the run cannot write to, in one line naming it; None for other errors (not the folder's fault).

    The folder is the one holding the file named in the error (or the folder itself)."""
    what = WRITE_ERRORS.get(exc.errno)
    if what is None:
        return None
    target = os.fspath(exc.filename) if exc.filename is not None else "the output folder"
    folder = target if os.path.isdir(target) else os.path.dirname(target) or target
    free = ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) and os.path.isdir(folder):
        free = f", {shutil.disk_usage(folder).free / 1e6:,.0f} MB free"
    return (
        f"{folder} {what} ([Errno {exc.errno}]{free}): free space or make it writable, or set DIZ_OUTPUT_ROOT "
        "to a folder that is"
    )
