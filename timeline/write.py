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
import os
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath

# path → (BLAKE2 digest of the content, size, mtime_ns, inode) of a published file
Manifest = dict[str, tuple[bytes, int, int, int]]


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing to write outside the output folder: {name!r}")
    return path


def publish(files: dict[str, bytes], out: Path, previous: Manifest | None = None) -> Manifest:
    """Replace `out` with exactly `files`, atomically where the OS allows.

    `previous` describes what the last publish wrote into `out`: a file whose
    content is unchanged, and which is still exactly what was written then
    (same size, time and inode), is hard-linked into the new folder instead
    of written again. Returns the description of this publish.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    previous = previous or {}
    manifest: Manifest = {}
    leftover = None
    try:
        fresh.chmod(0o755)
        made: set[Path] = set()
        for name in sorted(files):
            relative = _safe_relative(name)
            target = fresh / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            data = files[name]
            digest = hashlib.blake2b(data, digest_size=20).digest()
            if not _link_unchanged(out / relative, target, digest, previous.get(name)):
                target.write_bytes(data)
            stat = target.stat()
            manifest[name] = (digest, stat.st_size, stat.st_mtime_ns, stat.st_ino)
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


def _link_unchanged(source: Path, target: Path, digest: bytes, before) -> bool:
    if before is None or before[0] != digest:
        return False
    try:
        stat = source.stat()
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != tuple(before[1:]):
            return False  # changed since we wrote it: write it again
        os.link(source, target)
        return True
    except OSError:  # gone, or a file system without hard links
        return False
