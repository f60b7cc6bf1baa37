"""The only module that touches the output folder.

A build is written into a fresh sibling folder and swapped in only when it
is complete, so a failed or interrupted build never leaves a half-written
or damaged site behind, and files of removed events disappear. On Linux the
swap is one atomic exchange of the two folders; elsewhere it is two
renames, and a build killed between them is repaired by the next one.
"""
from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Protocol

# path → (BLAKE2 digest of the content, size, mtime_ns, inode, job key) of a published file
Manifest = dict[str, tuple[bytes, int, int, int, str]]

PARALLEL_MIN = 200  # fewer files to make than this are made in one process
CHUNK = 16  # files a process takes at a time


class Job(Protocol):
    """What publish needs of a file to write (see render.Job)."""
    path: str
    key: str

    def chunks(self) -> Iterable[bytes]: ...


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing to write outside the output folder: {name!r}")
    return path


def publish(jobs: Mapping[str, Job], out: Path, previous: Manifest | None = None, workers: int = 1) -> Manifest:
    """Replace `out` with exactly the files of `jobs`, atomically where the OS allows.

    `previous` describes what the last publish wrote into `out`. A file
    whose job key is the one it was written under, and which is still
    exactly what was written then (same size, time and inode), is
    hard-linked into the new folder without being made again; when that
    holds for every file, `out` is left as it is. Files are made and
    written one at a time, so the site is never held in memory whole, and
    by `workers` processes when there are many. Returns the description
    of this publish.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    previous = previous or {}
    for name in jobs:
        _safe_relative(name)
    if _up_to_date(jobs, out, previous):
        return previous
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    leftover = None
    try:
        fresh.chmod(0o755)
        for folder in sorted({str(PurePosixPath(name).parent) for name in jobs}):
            (fresh / folder).mkdir(parents=True, exist_ok=True)
        to_make = []
        manifest: Manifest = {}
        for name, job in jobs.items():
            before = previous.get(name)
            if before is not None and before[4] == job.key and _link(out / name, fresh / name, before):
                manifest[name] = before
            else:
                to_make.append(job)
        # The data files over all events take longest: start them first,
        # so that no process is left with a long one at the end.
        to_make.sort(key=lambda job: job.path.endswith(".html"))
        manifest.update(_make_all(to_make, fresh, out, previous, workers))
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
    return dict(sorted(manifest.items()))


def _up_to_date(jobs: Mapping[str, Job], out: Path, previous: Manifest) -> bool:
    """True when `out` holds exactly what the last publish wrote and every
    job's key is the one its file was written under: nothing to do."""
    if not previous or set(jobs) != set(previous):
        return False
    for name, job in jobs.items():
        if previous[name][4] != job.key or not _unchanged(out / name, previous[name]):
            return False
    # A file added to `out` by hand would survive: count what is there.
    found = sum(len(files) for _, _, files in os.walk(out))
    return found == len(previous)


def _unchanged(path: Path, before) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == tuple(before[1:4])


def _link(source: Path, target: Path, before) -> bool:
    """Hard-link a published file into the new folder if it is still as written."""
    if not _unchanged(source, before):
        return False  # changed or gone since we wrote it: make it again
    try:
        os.link(source, target)
        return True
    except OSError:  # a file system without hard links
        return False


def _write(job: Job, fresh: Path, out: Path, previous: Manifest) -> tuple[str, tuple]:
    """Make one file into the new folder, piece by piece; link the published
    file instead when the bytes turn out the same (its time and inode stay)."""
    target = fresh / job.path
    digest = hashlib.blake2b(digest_size=20)
    with target.open("wb") as handle:
        for chunk in job.chunks():
            digest.update(chunk)
            handle.write(chunk)
    before = previous.get(job.path)
    if before is not None and before[0] == digest.digest() and _unchanged(out / job.path, before):
        linked = target.with_name(f".{target.name}.{os.getpid()}.link")
        try:
            os.link(out / job.path, linked)
            os.replace(linked, target)
        except OSError:  # no hard links here: the copy just written stays
            pass
    stat = target.stat()
    return job.path, (digest.digest(), stat.st_size, stat.st_mtime_ns, stat.st_ino, job.key)


def _make_all(jobs: list[Job], fresh: Path, out: Path, previous: Manifest, workers: int) -> Manifest:
    """Make and write `jobs`, sharing them with a forked process when it pays.

    Both processes take the next few jobs from a shared counter until none
    are left, so neither waits on the other. The child inherits the jobs
    (and everything they were planned from) by fork, so nothing but the
    small manifest entries crosses between the processes.
    """
    counter = None
    if workers >= 2 and len(jobs) >= PARALLEL_MIN and hasattr(os, "fork"):
        try:
            counter = multiprocessing.get_context("fork").Value("q", 0)
        except (OSError, ValueError):  # no shared memory or fork here: one process will do
            counter = None
    if counter is None:
        return dict(_write(job, fresh, out, previous) for job in jobs)

    def share() -> Manifest:
        done: Manifest = {}
        while True:
            with counter.get_lock():
                start = counter.value
                counter.value = start + CHUNK
            if start >= len(jobs):
                return done
            done.update(_write(job, fresh, out, previous) for job in jobs[start:start + CHUNK])

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        os.close(read_end)
        _die_with_parent()
        try:
            result = ("done", share())
        except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
            result = ("failed", error)
        try:
            payload = pickle.dumps(result)
        except Exception:
            payload = pickle.dumps(("failed", RuntimeError(repr(result[1]))))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    try:
        mine = share()
    except BaseException:
        with counter.get_lock():
            counter.value = len(jobs)  # tell the child to stop
        raise
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(pid, 0)
    status, theirs = pickle.loads(payload) if payload else ("failed", RuntimeError("the helper process died"))
    if status != "done":
        raise theirs
    return {**mine, **theirs}


def _die_with_parent() -> None:
    """Linux: end this helper if the build is killed, so that it never
    writes into a folder the next build is cleaning up."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def recover(out: Path) -> None:
    """Undo what a killed build left beside `out`: put a previous site that was
    moved aside back in place, and remove the temporary folders of builds
    that are no longer running."""
    stale_old, stale = [], []
    for path in out.parent.iterdir():
        for kind in ("new", "old"):
            prefix = f".{out.name}.{kind}-"
            if path.name.startswith(prefix) and path.is_dir() and not path.is_symlink():
                pid = path.name[len(prefix):].split("-")[0]
                if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
                    continue  # another build is at work
                (stale_old if kind == "old" else stale).append(path)
    if stale_old and not out.exists():
        newest = max(stale_old, key=lambda p: p.stat().st_mtime)
        newest.rename(out)
        stale_old.remove(newest)
    for path in stale + stale_old:
        shutil.rmtree(path, ignore_errors=True)


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
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
