"""Making the files of a publish into a staging folder, one at a time, by
one process or two; each noted for the manifest of the next build."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Protocol

from timeline.publish.manifest import Manifest, unchanged
from timeline.publish.pieces import write_pieces
from timeline.speed.pool import shared

PARALLEL_MIN = 8  # fewer files to make than this are made in one process
CHUNK = 16  # files a process takes at a time
CHUNKED_FROM = 8 * CHUNK  # with fewer files, a process takes one at a time, so both stay busy to the end


class Job(Protocol):
    """What publish needs of a file to write (see site.jobs.Job)."""
    path: str
    key: str
    salt: str | None

    def chunks(self) -> Iterable[bytes]: ...  # a pieces.Layout when `salt` is set


def check_inside(name: str) -> None:
    """Refuse a file name that does not lead into the output folder."""
    if not name or name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"refusing to write outside the output folder: {name!r}")


def make_files(folder: Path, jobs: list[Job], out: Path, previous: Manifest, workers: int,
               record: bool = True) -> Manifest:
    """Make and write `jobs` into `folder`, sharing them with a forked
    process unless there are few; what was written, for the manifest.

    A few files go one at a time: they are the data files of a large
    record, which come first and each take long."""
    folder.mkdir(exist_ok=True)
    # The data files over all events take longest: start them first,
    # so that no process is left with a long one at the end.
    jobs = sorted(jobs, key=lambda job: job.path.endswith(".html"))
    written = shared(jobs, lambda batch: [write_file(job, folder, out, previous, record) for job in batch],
                     workers, PARALLEL_MIN, CHUNK if len(jobs) >= CHUNKED_FROM else 1)
    return dict(entry for entry in written if entry is not None)


def write_file(job: Job, fresh: Path, out: Path, previous: Manifest, record: bool = True) -> tuple[str, tuple] | None:
    """Make one file into the new folder, piece by piece; link the published
    file instead when the bytes turn out the same (its time and inode stay).

    A data file (a job with a salt, made as a Layout) copies each event's
    piece from the published file when that file was written with the same
    salt and a piece of the same key, and is still as written; where each
    piece went in the new file is noted for the next build. Without
    `record`, nothing is noted: None."""
    target = fresh / job.path
    digest = hashlib.sha256() if record else _NO_DIGEST  # faster than BLAKE2 on large files (see speed/pickled.py)
    before = previous.get(job.path)
    with _create(target) as handle:
        def emit(data) -> None:
            digest.update(data)
            handle.write(data)

        segments = _write_chunks(job, out / job.path, before, emit)
    if not record:
        return None
    if before is not None and before[0] == digest.digest() and unchanged(out / job.path, before):
        _link_published(out / job.path, target, before)
    stat = target.stat()
    return job.path, (digest.digest(), stat.st_size, stat.st_mtime_ns, stat.st_ino, job.key, segments)


def _create(target: Path) -> IO[bytes]:
    try:
        return target.open("wb")
    except FileNotFoundError:
        # Its folder, made by the process that writes into it first: making
        # every folder beforehand, one by one, keeps the other process waiting.
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("wb")


def _write_chunks(job: Job, published: Path, before, emit: Callable[[bytes], None]) -> tuple | None:
    """Write the job's bytes; for a data file, its segments (see Manifest)."""
    salt = getattr(job, "salt", None)
    chunks = job.chunks()
    if salt is not None and getattr(chunks, "separator", None) is not None and chunks.keys is not None:
        spans = write_pieces(chunks, published, before, salt, emit)
        # Arrays, not a dict of tuples, so that a large record's segments stay small.
        return salt, tuple(chunks.keys), spans
    for chunk in chunks:
        emit(chunk)
    return None


def _link_published(published: Path, target: Path, before) -> None:
    """Put a link to the published file, found to hold the same bytes, in
    place of the file just made, so that its time and inode stay."""
    linked = target.with_name(f".{target.name}.{os.getpid()}.link")
    try:
        os.link(published, linked)
        if unchanged(linked, before):  # still the file we compared
            os.replace(linked, target)
        else:
            linked.unlink()
    except OSError:  # no hard links here: the copy just written stays
        pass


class _NoDigest:
    """For a file whose content is not recorded (see publish)."""

    def update(self, data) -> None:
        pass


_NO_DIGEST = _NoDigest()
