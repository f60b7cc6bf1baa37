"""The folders a publish keeps beside the output folder, on its file system,
so that moving one in is a rename.

Each is named `.{out}.{kind}-{pid}…` after the output folder and the
process of the build that made it, so that a later build can tell the
folders of one still running from those of one that was killed (see
recovery.recover):

- NEW, files being made; until renamed, never complete, so safe to delete;
- OLD, the previous site, moved aside while a new one replaces it (see swap);
- COMMIT, an update whose files are all made, being moved in (see update).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

NEW, OLD, COMMIT = "new", "old", "commit"
KINDS = (NEW, OLD, COMMIT)


def prefix(out: Path, kind: str) -> str:
    """The start of the name of every folder of `kind` beside `out`."""
    return f".{out.name}.{kind}-"


def path(out: Path, kind: str) -> Path:
    """This build's folder of `kind` (OLD or COMMIT) beside `out`."""
    return out.parent / f"{prefix(out, kind)}{os.getpid()}"


def make_folder(out: Path) -> Path:
    """A new, empty staging folder beside `out`."""
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix(out, NEW)}{os.getpid()}-", dir=out.parent))
    folder.chmod(0o755)
    return folder


def discard(folder: Path, out: Path) -> None:
    """Delete a staging folder, renamed first so that a half-deleted one is
    never taken for a complete update."""
    gone = out.parent / f"{prefix(out, NEW)}{os.getpid()}-{os.urandom(4).hex()}"
    folder.rename(gone)
    shutil.rmtree(gone, ignore_errors=True)
