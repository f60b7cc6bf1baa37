"""Updating the output folder in place: only the changed files are made,
into a staging folder, then moved in one by one, each file whole.

While they are moved in, the site holds some new files and some old; a
build killed then leaves the complete staging folder, which the next build
applies before anything else (see recovery.recover).
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

from timeline.publish import staging
from timeline.publish.files import Job, check_inside, make_files
from timeline.publish.manifest import Manifest, files_below

# Inside a staging folder of in_place: the files to move into place, and
# the names of the files to remove, each ended by a NUL (a name may hold
# any other character).
FILES, REMOVED = "files", "removed"


def in_place(jobs: Mapping[str, Job], to_make: list[Job], out: Path, previous: Manifest, workers: int) -> Manifest:
    """Make `to_make` into a staging folder; once all are made, rename it to
    mark it complete and apply it to `out` (see move_in).

    Until the rename nothing in `out` has changed, so a failure leaves it as
    it was. After it, `out` changes one file at a time, each file whole; a
    build killed meanwhile leaves the complete staging folder, which the
    next build applies first (see recovery.recover).
    """
    removed = sorted(set(files_below(out)).difference(jobs))
    folder = staging.make_folder(out)
    try:
        made = make_files(folder / FILES, to_make, out, previous, workers)
        (folder / REMOVED).write_bytes(b"".join(os.fsencode(name) + b"\0" for name in removed))
        ready = staging.path(out, staging.COMMIT)
        folder.rename(ready)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    move_in(ready, out)
    manifest = {name: previous[name] for name in jobs if name not in made}  # kept: made under the same key
    manifest.update(made)
    return manifest


def move_in(ready: Path, out: Path) -> None:
    """Apply a complete staging folder to `out`: move its files into place,
    then remove the files it lists and the folders they leave empty.

    A listed file is removed first only where a new file needs its place
    (a file becoming a folder, or the other way round), so links to pages
    that go away keep working until the new pages are in. Every step can
    be repeated, so a folder left by a killed build can be applied again."""
    removed = _listed_as_removed(ready)
    files = ready / FILES
    new = [os.path.relpath(os.path.join(folder, name), files)
           for folder, _, names in os.walk(files) for name in names]
    new_files = set(new)
    new_folders = {parent for name in new for parent in _parents(name)}
    # A file where a new folder goes, or a file in a folder where a new file goes.
    in_the_way = [name for name in removed
                  if name in new_folders or any(parent in new_files for parent in _parents(name))]
    _remove(out, in_the_way)
    for name in new:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a folder made by hand where the file goes
        # The same inode when the made file equalled the published one (see files.write_file).
        os.replace(files / name, target)
    _remove(out, removed)
    staging.discard(ready, out)


def _listed_as_removed(ready: Path) -> list[str]:
    """The names of the files a staging folder removes from `out`."""
    try:
        removed = [os.fsdecode(name) for name in (ready / REMOVED).read_bytes().split(b"\0") if name]
    except FileNotFoundError:
        removed = []
    for name in removed:
        check_inside(name)
    return removed


def _parents(name: str) -> Iterator[str]:
    """'a/b/c' → 'a/b', 'a'."""
    while "/" in name:
        name = name.rpartition("/")[0]
        yield name


def _remove(out: Path, names: list[str]) -> None:
    """Remove the files `names` from `out`, and the folders they leave empty."""
    for name in names:
        try:
            (out / name).unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass  # already gone, or no longer a file: nothing of ours to remove
    for folder in sorted({(out / name).parent for name in names}, key=lambda p: -len(p.parts)):
        while folder != out and folder.is_relative_to(out):
            try:
                folder.rmdir()  # only when empty: the folder of a removed event
            except OSError:
                break
            folder = folder.parent
