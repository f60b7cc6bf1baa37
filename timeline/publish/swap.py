"""Replacing the output folder whole: every file made into a staging folder,
which then takes the output folder's place in one step.

On Linux the step is one atomic exchange of the two folders; elsewhere it
is two renames, and a build killed between them leaves the previous site
moved aside, which the next build puts back first (see recovery.recover).
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from timeline.publish import staging
from timeline.publish.files import Job, make_files
from timeline.publish.manifest import Manifest


def replace(jobs: Mapping[str, Job], out: Path, workers: int, record: bool = True) -> Manifest:
    """Make every file into a fresh folder, then swap it in for `out`."""
    fresh = staging.make_folder(out)
    old = staging.path(out, staging.OLD)
    leftover = None
    try:
        manifest = make_files(fresh, list(jobs.values()), out, {}, workers, record)
        if not out.exists():
            fresh.rename(out)
        elif _exchange(fresh, out):
            leftover = fresh  # now holds the previous site
        else:
            out.rename(old)
            fresh.rename(out)
            leftover = old
    except BaseException:
        if old.exists() and not out.exists():
            old.rename(out)
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if leftover is not None:
        shutil.rmtree(leftover, ignore_errors=True)
    return manifest


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False
    where the system or file system cannot, and nothing was changed."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
