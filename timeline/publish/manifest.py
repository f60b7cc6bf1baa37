"""What a publish wrote into the output folder, and whether the folder still holds it."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# path → (SHA-256 digest of the content, size, mtime_ns, inode, job key, segments) of a
# published file; segments, for a data file, are (salt, the keys of its pieces in
# order, an array of each piece's start and length in turn).
Manifest = dict[str, tuple[bytes, int, int, int, str, tuple | None]]


def intact(out: Path, manifest: Manifest) -> bool:
    """True when `out` holds exactly the files of `manifest`, each still as
    it was written (same size, time and inode), and nothing else."""
    if not manifest:
        return False
    if not all(unchanged(os.path.join(out, name), entry) for name, entry in manifest.items()):
        return False
    # A file added to `out` by hand would survive: count what is there.
    return sum(1 for _ in files_below(out)) == len(manifest)


def files_below(folder: Path, prefix: str = "") -> Iterator[str]:
    """Paths (relative, with /) of the files below `folder`; links are not followed."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from files_below(entry.path, f"{prefix}{entry.name}/")
            else:
                yield prefix + entry.name


def unchanged(path: str | Path, before) -> bool:
    """True when the file at `path` is still as a manifest entry describes it."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == tuple(before[1:4])
