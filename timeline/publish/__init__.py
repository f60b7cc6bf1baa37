"""Publishing: the only package that touches the output folder.

Files are made into a staging folder beside the output, and the output
changes only once every file is made, so a build that fails while making
them (an error, a full disk, Ctrl-C) leaves the output as it was, and
files of removed events disappear. A first build, or one that changes most
files, swaps its whole folder in (on Linux one atomic exchange of the two
folders; elsewhere two renames, and a build killed between them is
repaired by the next one). A build that knows what the last one wrote
makes only the changed files and then moves them in one by one, each file
whole; while it does, the site holds some new files and some old, and a
build killed then is finished by the next one before anything else.

| module | what |
| --- | --- |
| here | publish(): nothing to do, update in place, or replace whole |
| :mod:`.files`, :mod:`.pieces` | making each file; a data file's unchanged pieces copied |
| :mod:`.staging` | the folders beside the output, and their names |
| :mod:`.swap` | replacing the output whole, in one step |
| :mod:`.update` | updating the output in place, file by file |
| :mod:`.recovery` | finishing what a killed build left |
| :mod:`.manifest` | what a publish wrote, and whether the output still holds it |
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from timeline.publish import swap, update
from timeline.publish.files import Job, check_inside
from timeline.publish.manifest import Manifest, intact, unchanged
from timeline.publish.recovery import pending, recover
from timeline.speed.pool import shared

__all__ = ["Manifest", "intact", "pending", "publish", "recover"]

PARALLEL_KEYS_MIN = 2000  # fewer files than this are compared with the last publish in one process
CHUNK_KEYS = 256


def publish(jobs: Mapping[str, Job], out: Path, previous: Manifest | None = None, workers: int = 1,
            record: bool = True) -> Manifest:
    """Make `out` hold exactly the files of `jobs`.

    Every file is made into a staging folder first, so a failure while
    making them (an error, a full disk, Ctrl-C) leaves `out` as it was.
    `previous` describes what the last publish wrote into `out`. With it,
    only files whose job key changed, or that are no longer exactly as
    written (same size, time and inode), are made, and then moved into
    `out` one by one (see update.in_place): a small edit to a large site
    costs a few files, not a copy of the site. Without it, or when most
    files changed, the staging folder replaces `out` in one step (see
    swap.replace). When no file needs making or removing, `out` is left as
    it is. Files are made and written one at a time, so the site is never
    held in memory whole, and by `workers` processes when there are many.
    Returns the description of this publish; with `record=False` (for a
    caller that keeps none, a build without cache), {}, and files are not
    hashed.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = previous or {}
    recover(out)
    for name in jobs:
        check_inside(name)
    if _up_to_date(jobs, out, previous):
        return previous
    if previous and out.is_dir() and not out.is_symlink():
        # Each file's key and state, by two processes.
        stale = shared(list(jobs.items()),
                       lambda batch: [name for name, job in batch if not _kept(name, job, out, previous)],
                       workers, PARALLEL_KEYS_MIN, CHUNK_KEYS)
        if len(stale) <= len(jobs) // 2:
            return update.in_place(jobs, [jobs[name] for name in stale], out, previous, workers)
    return swap.replace(jobs, out, workers, record)


def _up_to_date(jobs: Mapping[str, Job], out: Path, previous: Manifest) -> bool:
    """True when `out` holds exactly what the last publish wrote and every
    job's key is the one its file was written under: nothing to do."""
    if not previous or set(jobs) != set(previous):
        return False
    if not all(previous[name][4] == job.key for name, job in jobs.items()):
        return False
    return intact(out, previous)


def _kept(name: str, job: Job, out: Path, previous: Manifest) -> bool:
    """True when the published file was made under the job's key and is still as written."""
    before = previous.get(name)
    if before is None or before[4] != job.key:
        return False
    return unchanged(os.path.join(out, name), before)
