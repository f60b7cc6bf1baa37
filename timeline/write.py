"""The only module that touches the output folder.

A build is written into a fresh sibling folder and swapped in only when it
is complete, so a failed or interrupted build never leaves a half-written
or damaged site behind, and files of removed events disappear.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing to write outside the output folder: {name!r}")
    return path


# path → (BLAKE2 digest of the content, size, mtime_ns, inode) of a published file
Manifest = dict[str, tuple[bytes, int, int, int]]


def publish(files: dict[str, bytes], out: Path, previous: Manifest | None = None) -> Manifest:
    """Replace `out` with exactly `files`, atomically as far as the OS allows.

    `previous` describes what the last publish wrote into `out`: a file whose
    content is unchanged, and which is still exactly what was written then
    (same size, time and inode), is hard-linked into the new folder instead
    of written again. Returns the description of this publish.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    previous = previous or {}
    manifest: Manifest = {}
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
        if out.exists():
            out.rename(old)
        fresh.rename(out)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return manifest


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
