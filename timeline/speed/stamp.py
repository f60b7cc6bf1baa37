"""What the last build was made from, and what it wrote: lets a build with
nothing to do stop before it loads anything.

A build with the cache reads this small file first. When the digest of
every input (the events file, the archived documents it names, the static
files and pages, the code, the templates, Python and the libraries that
render, the options and SOURCE_DATE_EPOCH) is the one recorded, and the
output folder still holds exactly the files the record lists, the build
has nothing to do. Anything else, including a missing, damaged or foreign
stamp, means a normal build, so a stale stamp can cost time but never
change the output.

The digests are of what the build used: the events file's bytes as they
were parsed, the documents' texts as they were checked. The rest is hashed
before the build and again after it, and the stamp is written only when
the two agree, so a file saved while a build runs is seen by the next one.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from timeline.config import PACKAGE, PAGES, PROJECT, STATIC, TEMPLATES
from timeline.publish import Manifest, intact, pending
from timeline.record.load import content_digest
from timeline.record.model import Site
from timeline.record.repository import locate
from timeline.speed import pickled

FILE_NAME = "published.pickle"
DIGEST_SIZE = 32
CODE_FOLDERS = (PACKAGE, TEMPLATES)
# What else a build reads besides the events file and its documents.
INPUT_FOLDERS = (STATIC, PAGES)
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "tomli")


@dataclass(frozen=True)
class Stamp:
    code: str  # code_version() of the build
    out: str  # absolute path of the output folder
    inputs: str  # digest of everything the build read
    sources: tuple[str, ...]  # the archived documents it read (absolute paths)
    events: int  # how many events it built
    manifest: Manifest  # what it wrote into `out` (see timeline.publish.publish)


def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _folder_digest(digest, folders) -> None:
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT)).encode() + b"\0" + _file_digest(path))


def code_digest() -> str:
    """Digest of the code, the templates, Python and the installed copies of
    the libraries that render: results made by other code are not reused."""
    digest = hashlib.blake2b(f"{sys.implementation.name} {sys.version}\n".encode(), digest_size=20)
    _folder_digest(digest, CODE_FOLDERS)
    for name in LIBRARIES:
        digest.update(f"{name} {_installed(name)}\n".encode())
    return digest.hexdigest()


def _installed(name: str) -> tuple | None:
    """Which copy of a library is installed: its file, size and time (an
    upgrade or reinstall writes new files). Found without importing it or
    importlib.metadata, which took a tenth of a build that had little to do."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return None
    try:
        stat = os.stat(spec.origin)
    except OSError:
        return (spec.origin,)
    return spec.origin, stat.st_size, stat.st_mtime_ns


code_version = functools.cache(code_digest)  # as this process started it


def setting_digest(events_path: Path, out: Path, base_url: str | None, code: str, commit_url: str | None = None) -> str:
    """Digest of what a build reads besides the events file and its
    documents: the code (`code`, see code_digest), the static files and
    pages, the options, SOURCE_DATE_EPOCH and the commit the history is
    read from."""
    digest = hashlib.blake2b(code.encode(), digest_size=DIGEST_SIZE)
    _folder_digest(digest, INPUT_FOLDERS)
    options = (str(Path(os.path.abspath(events_path))), os.path.abspath(out), base_url or "", commit_url or "",
               os.environ.get("SOURCE_DATE_EPOCH", ""), locate(events_path).state())
    digest.update(repr(options).encode())
    return digest.hexdigest()


def inputs_digest(setting: str, events: str, sources: Iterable[tuple[str, bytes]]) -> str:
    """Digest of all a build read: `setting`, the digest of the events file
    (load.content_digest) and the archived documents, (absolute path, bytes)
    in order of path."""
    digest = hashlib.blake2b(f"{setting} {events}".encode(), digest_size=DIGEST_SIZE)
    for path, data in sources:
        digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def read(cache_dir: Path) -> Stamp | None:
    """The stamp of the last build by this code, or None when there is none usable."""
    found = pickled.load(cache_dir / FILE_NAME)
    stamp = found[0] if found else None
    return stamp if isinstance(stamp, Stamp) and stamp.code == code_version() else None


def write(cache_dir: Path, stamp: Stamp) -> None:
    """Replace the stamp atomically; raises OSError (the caller warns)."""
    pickled.dump(cache_dir / FILE_NAME, stamp)


def up_to_date(stamp: Stamp | None, setting: str, events_path: Path, out: Path) -> bool:
    """True when `out` holds exactly what the last build, made from the same
    inputs, wrote: there is nothing to do."""
    if stamp is None or stamp.out != os.path.abspath(out) or pending(out):
        return False
    try:
        events = content_digest(events_path.read_bytes())
        digest = inputs_digest(setting, events, ((path, Path(path).read_bytes()) for path in stamp.sources))
    except OSError:
        return False
    return digest == stamp.inputs and intact(out, stamp.manifest)


def last_manifest(cache_dir: Path) -> Manifest | None:
    """What the last build with this cache wrote into its output folder."""
    last = read(cache_dir)
    return last.manifest if last else None


def remember(cache_dir: Path, setting: str, site: Site, events_path: Path, out: Path, base_url: str | None,
             manifest: Manifest, commit_url: str | None = None) -> None:
    """Stamp what this build read and wrote; no stamp when an input changed
    while it ran (`setting` was taken before it began), since the next build
    must not trust it."""
    if setting_digest(events_path, out, base_url, code_digest(), commit_url) != setting:
        return
    sources = sorted(site.sources.values(), key=lambda s: os.path.abspath(s.path))
    inputs = inputs_digest(setting, site.digest, ((os.path.abspath(s.path), s.text.encode("utf-8")) for s in sources))
    done = Stamp(code_version(), os.path.abspath(out), inputs, tuple(os.path.abspath(s.path) for s in sources),
                 len(site.events), manifest)
    try:
        write(cache_dir, done)
    except OSError as error:  # the site is built; only the next build will be slower
        print(f"warning: could not save the build stamp in {cache_dir}: {error.strerror or error}", file=sys.stderr)
