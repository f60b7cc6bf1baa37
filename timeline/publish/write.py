"""The only module that touches the output folder.

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
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

from timeline.speed.pool import shared

# path → (SHA-256 digest of the content, size, mtime_ns, inode, job key, segments) of a
# published file; segments, for a data file, are (salt, the keys of its pieces in
# order, an array of each piece's start and length in turn).
Manifest = dict[str, tuple[bytes, int, int, int, str, tuple | None]]

PARALLEL_MIN = 8  # fewer files to make than this are made in one process
CHUNK = 16  # files a process takes at a time
PARALLEL_KEYS_MIN = 2000  # fewer files than this are compared with the last publish in one process
CHUNK_KEYS = 256


class Job(Protocol):
    """What publish needs of a file to write (see render.Job)."""
    path: str
    key: str
    salt: str | None

    def chunks(self) -> Iterable[bytes]: ...  # a Layout when `salt` is set


class Layout(Protocol):
    """A data file as a piece per event (see outputs.Layout): `head`, the
    pieces with `separator` between them, then `tail`; `empty` when there
    are none. `keys[i]` stands for everything piece i shows."""
    head: bytes
    separator: bytes
    tail: bytes
    empty: bytes
    keys: list[str] | None

    def make(self, i: int) -> bytes: ...


def _safe_relative(name: str) -> None:
    if not name or name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"refusing to write outside the output folder: {name!r}")


def publish(jobs: Mapping[str, Job], out: Path, previous: Manifest | None = None, workers: int = 1,
            record: bool = True) -> Manifest:
    """Make `out` hold exactly the files of `jobs`.

    Every file is made into a staging folder first, so a failure while
    making them (an error, a full disk, Ctrl-C) leaves `out` as it was.
    `previous` describes what the last publish wrote into `out`. With it,
    only files whose job key changed, or that are no longer exactly as
    written (same size, time and inode), are made, and then moved into
    `out` one by one (see _update): a small edit to a large site costs a
    few files, not a copy of the site. Without it, or when most files
    changed, the staging folder replaces `out` in one step (see _replace).
    When no file needs making or removing, `out` is left as it is. Files
    are made and written one at a time, so the site is never held in memory
    whole, and by `workers` processes when there are many. Returns the
    description of this publish; with `record=False` (for a caller that
    keeps none, a build without cache), {}, and files are not hashed.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = previous or {}
    recover(out)
    for name in jobs:
        _safe_relative(name)
    if _up_to_date(jobs, out, previous):
        return previous
    if previous and out.is_dir() and not out.is_symlink():
        # Each file's key and state, by two processes.
        stale = shared(list(jobs.items()),
                       lambda batch: [name for name, job in batch if not _kept(name, job, out, previous)],
                       workers, PARALLEL_KEYS_MIN, CHUNK_KEYS)
        if len(stale) <= len(jobs) // 2:
            return _update(jobs, [jobs[name] for name in stale], out, previous, workers)
    return _replace(jobs, out, workers, record)


def _kept(name: str, job: Job, out: Path, previous: Manifest) -> bool:
    """True when the published file was made under the job's key and is still as written."""
    before = previous.get(name)
    if before is None or before[4] != job.key:
        return False
    return _unchanged(os.path.join(out, name), before)


def _staging(out: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    folder.chmod(0o755)
    return folder


def _make_into(folder: Path, jobs: list[Job], out: Path, previous: Manifest, workers: int,
               record: bool = True) -> Manifest:
    folder.mkdir(exist_ok=True)
    # The data files over all events take longest: start them first,
    # so that no process is left with a long one at the end.
    jobs = sorted(jobs, key=lambda job: job.path.endswith(".html"))
    return _make_all(jobs, folder, out, previous, workers, record)


def _replace(jobs: Mapping[str, Job], out: Path, workers: int, record: bool = True) -> Manifest:
    """Make every file into a fresh folder, then swap it in for `out`."""
    fresh = _staging(out)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    leftover = None
    try:
        manifest = _make_into(fresh, list(jobs.values()), out, {}, workers, record)
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


# Inside a staging folder of _update: the files to move into place, and
# the names of the files to remove, each ended by a NUL (a name may hold
# any other character).
FILES, REMOVED = "files", "removed"


def _update(jobs: Mapping[str, Job], to_make: list[Job], out: Path, previous: Manifest, workers: int) -> Manifest:
    """Make `to_make` into a staging folder; once all are made, rename it to
    mark it complete and apply it to `out` (see _move_in).

    Until the rename nothing in `out` has changed, so a failure leaves it as
    it was. After it, `out` changes one file at a time, each file whole; a
    build killed meanwhile leaves the complete staging folder, which the
    next build applies first (see recover).
    """
    removed = sorted(set(_files(out)).difference(jobs))
    staging = _staging(out)
    try:
        made = _make_into(staging / FILES, to_make, out, previous, workers)
        (staging / REMOVED).write_bytes(b"".join(os.fsencode(name) + b"\0" for name in removed))
        ready = out.parent / f".{out.name}.commit-{os.getpid()}"
        staging.rename(ready)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _move_in(ready, out)
    manifest = {name: previous[name] for name in jobs if name not in made}  # kept: made under the same key
    manifest.update(made)
    return manifest


def _move_in(ready: Path, out: Path) -> None:
    """Apply a complete staging folder to `out`: move its files into place,
    then remove the files it lists and the folders they leave empty.

    A listed file is removed first only where a new file needs its place
    (a file becoming a folder, or the other way round), so links to pages
    that go away keep working until the new pages are in. Every step can
    be repeated, so a folder left by a killed build can be applied again."""
    try:
        removed = [os.fsdecode(name) for name in (ready / REMOVED).read_bytes().split(b"\0") if name]
    except FileNotFoundError:
        removed = []
    for name in removed:
        _safe_relative(name)
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
        # The same inode when the made file equalled the published one (see _write).
        os.replace(files / name, target)
    _remove(out, removed)
    _discard(ready, out)


def _discard(ready: Path, out: Path) -> None:
    """Delete a staging folder, renamed first so that a half-deleted one is
    never taken for a complete update."""
    gone = out.parent / f".{out.name}.new-{os.getpid()}-{os.urandom(4).hex()}"
    ready.rename(gone)
    shutil.rmtree(gone, ignore_errors=True)


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


def _up_to_date(jobs: Mapping[str, Job], out: Path, previous: Manifest) -> bool:
    """True when `out` holds exactly what the last publish wrote and every
    job's key is the one its file was written under: nothing to do."""
    if not previous or set(jobs) != set(previous):
        return False
    if not all(previous[name][4] == job.key for name, job in jobs.items()):
        return False
    return intact(out, previous)


def intact(out: Path, manifest: Manifest) -> bool:
    """True when `out` holds exactly the files of `manifest`, each still as
    it was written (same size, time and inode), and nothing else."""
    if not manifest:
        return False
    if not all(_unchanged(os.path.join(out, name), entry) for name, entry in manifest.items()):
        return False
    # A file added to `out` by hand would survive: count what is there.
    return sum(1 for _ in _files(out)) == len(manifest)


def _files(folder: Path, prefix: str = "") -> Iterator[str]:
    """Paths (relative, with /) of the files below `folder`; links are not followed."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _files(entry.path, f"{prefix}{entry.name}/")
            else:
                yield prefix + entry.name


def _unchanged(path: str | Path, before) -> bool:
    """True when the file at `path` is still as a manifest entry describes it."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == tuple(before[1:4])


def _write(job: Job, fresh: Path, out: Path, previous: Manifest, record: bool = True) -> tuple[str, tuple] | None:
    """Make one file into the new folder, piece by piece; link the published
    file instead when the bytes turn out the same (its time and inode stay).

    A data file (a job with a salt, made as a Layout) copies each event's
    piece from the published file when that file was written with the same
    salt and a piece of the same key, and is still as written; where each
    piece went in the new file is noted for the next build. Without
    `record`, nothing is noted: None."""
    target = fresh / job.path
    digest = hashlib.sha256() if record else _NO_DIGEST  # faster than BLAKE2 on large files (see checked.py)
    before = previous.get(job.path)
    salt = getattr(job, "salt", None)
    segments = None
    try:
        handle = target.open("wb")
    except FileNotFoundError:
        # Its folder, made by the process that writes into it first: made
        # beforehand, one by one, the 5,200 folders of a first build of
        # 4,000 events kept the other process waiting.
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = target.open("wb")
    with handle:
        def emit(data) -> None:
            digest.update(data)
            handle.write(data)

        chunks = job.chunks()
        if salt is not None and getattr(chunks, "separator", None) is not None and chunks.keys is not None:
            with _earlier_parts(out / job.path, before, salt) as earlier:
                spans = _write_layout(chunks, earlier, emit)
            # Arrays, not a dict of tuples: at 100,000 events a dict took 50 MB.
            segments = (salt, tuple(chunks.keys), spans)
        else:
            for chunk in chunks:
                emit(chunk)
    if not record:
        return None
    if before is not None and before[0] == digest.digest() and _unchanged(out / job.path, before):
        linked = target.with_name(f".{target.name}.{os.getpid()}.link")
        try:
            os.link(out / job.path, linked)
            if _unchanged(linked, before):  # still the file we compared
                os.replace(linked, target)
            else:
                linked.unlink()
        except OSError:  # no hard links here: the copy just written stays
            pass
    stat = target.stat()
    return job.path, (digest.digest(), stat.st_size, stat.st_mtime_ns, stat.st_ino, job.key, segments)


RUN_MAX = 1 << 22  # bytes of the published file read at once


class _NoDigest:
    """For a file whose content is not recorded (see publish)."""

    def update(self, data) -> None:
        pass


_NO_DIGEST = _NoDigest()


def _write_layout(layout: Layout, earlier: _Earlier, emit: Callable[[bytes], None]) -> array:
    """Write a data file; the start and length of each event's piece, in turn.

    Pieces that lay side by side in the published file are copied as one
    run, with one read and one write. Each run is checked once read: the
    bytes between its pieces must be the separator, else its pieces are
    made. Piece by piece with a Part object each, this took 50-70 ms for
    events.json of 4,000 events; most of it is now a few list operations."""
    keys = layout.keys
    spans = array("q")
    if not keys:
        emit(layout.empty)
        return spans
    separator, gap = layout.separator, len(layout.separator)
    old = earlier.spans
    at = [earlier.index.get(key, -1) for key in keys] if earlier.index else [-1] * len(keys)
    offset = len(layout.head)
    emit(layout.head)
    i, count = 0, len(keys)
    while i < count:
        if i:
            emit(separator)
            offset += gap
        first = at[i]
        if first < 0:  # new or changed: made now
            data = layout.make(i)
            emit(data)
            spans.extend((offset, len(data)))
            offset += len(data)
            i += 1
            continue
        # The run: the next pieces that follow this one in the published file.
        start = old[2 * first]
        j = i + 1
        while (j < count and at[j] == at[j - 1] + 1
               and old[2 * at[j]] + old[2 * at[j] + 1] - start <= RUN_MAX):
            j += 1
        last = at[j - 1]
        length = old[2 * last] + old[2 * last + 1] - start
        data = earlier.read(start, length)
        view = memoryview(data)
        same = len(data) == length and all(
            view[old[2 * k] + old[2 * k + 1] - start:old[2 * k + 2] - start] == separator for k in range(first, last))
        if same:
            emit(data)
            shift = offset - start
            for k in range(first, last + 1):
                spans.extend((old[2 * k] + shift, old[2 * k + 1]))
            offset += length
        else:  # not as the manifest says: make them now
            for n in range(i, j):
                if n > i:
                    emit(separator)
                    offset += gap
                piece = layout.make(n)
                emit(piece)
                spans.extend((offset, len(piece)))
                offset += len(piece)
        i = j
    emit(layout.tail)
    return spans


class _Earlier:
    """The published data file: the index of each key's piece in it, each
    piece's start and length in turn (`spans`), and its bytes."""

    def __init__(self, fd: int | None = None, keys: tuple = (), spans: array | None = None):
        self.fd, self.spans = fd, spans
        self.index = {key: i for i, key in enumerate(keys)}

    def read(self, start: int, length: int) -> bytes:
        return os.pread(self.fd, length, start)


@contextlib.contextmanager
def _earlier_parts(path: Path, before, salt: str | None) -> Iterator[_Earlier]:
    """The published file's pieces, or none: none unless that file was written
    with `salt` and is still as written. Read run by run, so the file is
    never held whole."""
    if salt is None or before is None or not before[5] or before[5][0] != salt:
        yield _Earlier()
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield _Earlier()
        return
    try:
        stat = os.fstat(fd)  # the file opened, not whatever the path names by now
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != tuple(before[1:4]):
            yield _Earlier()
            return
        _, old_keys, old_spans = before[5]
        yield _Earlier(fd, old_keys, old_spans)
    finally:
        os.close(fd)


def _make_all(jobs: list[Job], fresh: Path, out: Path, previous: Manifest, workers: int,
              record: bool = True) -> Manifest:
    """Make and write `jobs`, sharing them with a forked process unless there are few.

    A few files go one at a time: the data files of a large record, which
    come first, take 50 ms each."""
    written = shared(jobs, lambda batch: [_write(job, fresh, out, previous, record) for job in batch],
                     workers, PARALLEL_MIN, CHUNK if len(jobs) >= 8 * CHUNK else 1)
    return dict(entry for entry in written if entry is not None)


def recover(out: Path) -> bool:
    """Finish or undo what a killed build left beside `out`: put a previous
    site that was moved aside back in place, move in the files of a
    complete update, and remove the temporary folders of builds that are
    no longer running. True when `out` may have changed."""
    found: dict[str, list[Path]] = {"new": [], "old": [], "commit": []}
    for path in out.parent.iterdir():
        for kind, paths in found.items():
            prefix = f".{out.name}.{kind}-"
            if path.name.startswith(prefix) and path.is_dir() and not path.is_symlink():
                pid = path.name[len(prefix):].split("-")[0]
                if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
                    continue  # another build is at work
                paths.append(path)
    stale_old = found["old"]
    touched = bool(found["commit"])
    if stale_old and not out.exists():
        newest = max(stale_old, key=lambda p: p.stat().st_mtime)
        newest.rename(out)
        stale_old.remove(newest)
        touched = True
    for ready in sorted(found["commit"], key=lambda p: p.stat().st_mtime):
        try:
            if out.is_dir():
                _move_in(ready, out)
                continue
        except OSError:
            pass  # it cannot be applied: the build that follows remakes whatever differs
        _discard(ready, out)
    for path in found["new"] + stale_old:
        shutil.rmtree(path, ignore_errors=True)
    return touched


def pending(out: Path) -> bool:
    """True when a killed build left an update of `out` half moved in."""
    prefix = f".{out.name}.commit-"
    return out.parent.is_dir() and any(path.name.startswith(prefix) for path in out.parent.iterdir())


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
