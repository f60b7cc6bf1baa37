"""What the last build was made from, and what it wrote: lets a build with
nothing to do stop before it loads anything.

A build with the cache reads this small file first. When the digest of
every input (the events file, the archived documents it names, the static
files and pages, the code, the templates and the libraries that render
them, the options and SOURCE_DATE_EPOCH) is the one recorded, and the
output folder still holds exactly the files the record lists, the build
has nothing to do. Anything else, including a missing, damaged or foreign
stamp, means a normal build, so a stale stamp can cost time but never
change the output.

Digests are taken from what the build actually used: the events file is
hashed before it is loaded and the documents from the texts that were
checked, so a file saved while a build runs is seen by the next one.
"""
from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import checked
from .write import Manifest, intact, pending

FILE_NAME = "published.pickle"
DIGEST_SIZE = 32
PACKAGE = Path(__file__).resolve().parent
PROJECT = PACKAGE.parent
CODE_FOLDERS = (PACKAGE, PROJECT / "templates")
# What else a build reads besides the events file and its documents.
INPUT_FOLDERS = (PROJECT / "site_src" / "static", PROJECT / "site_src" / "pages")
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "tomli")


@dataclass(frozen=True)
class Stamp:
    code: str  # code_version() of the build
    out: str  # absolute path of the output folder
    inputs: str  # digest of everything the build read
    sources: tuple[str, ...]  # the archived documents it read (absolute paths)
    events: int  # how many events it built
    manifest: Manifest  # what it wrote into `out` (see write.publish)


def _file_digest(path: Path) -> bytes:
    return hashlib.blake2b(path.read_bytes(), digest_size=20).digest()


def _folder_digest(digest, folders) -> None:
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT)).encode() + b"\0" + _file_digest(path))


@functools.cache
def code_version() -> str:
    """Digest of the code, the templates and the versions of the libraries
    that render: results made by other code are not reused."""
    digest = hashlib.blake2b(digest_size=20)
    _folder_digest(digest, CODE_FOLDERS)
    for name in LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    return digest.hexdigest()


def start_digest(events_path: Path, out: Path, base_url: str | None) -> str:
    """Digest of the inputs known before loading: code, static files and
    pages, options, and the events file's bytes. Taken before the build
    reads them, so a file changed meanwhile only makes the next build do
    its work again. Raises OSError when the events file cannot be read."""
    digest = hashlib.blake2b(code_version().encode(), digest_size=DIGEST_SIZE)
    digest.update(_file_digest(events_path))
    _folder_digest(digest, INPUT_FOLDERS)
    options = (str(Path(os.path.abspath(events_path))), os.path.abspath(out), base_url or "",
               os.environ.get("SOURCE_DATE_EPOCH", ""))
    digest.update(repr(options).encode())
    return digest.hexdigest()


def inputs_digest(start: str, source_texts: dict[str, bytes]) -> str:
    """`start` combined with the archived documents' bytes, by absolute path."""
    digest = hashlib.blake2b(start.encode(), digest_size=DIGEST_SIZE)
    for path in sorted(source_texts):
        digest.update(path.encode() + b"\0" + hashlib.blake2b(source_texts[path], digest_size=20).digest())
    return digest.hexdigest()


def read(cache_dir: Path) -> Stamp | None:
    """The stamp of the last build by this code, or None when there is none usable."""
    found = checked.load(cache_dir / FILE_NAME)
    stamp = found[0] if found else None
    return stamp if isinstance(stamp, Stamp) and stamp.code == code_version() else None


def write(cache_dir: Path, stamp: Stamp) -> None:
    """Replace the stamp atomically; raises OSError (the caller warns)."""
    checked.dump(cache_dir / FILE_NAME, stamp)


def up_to_date(stamp: Stamp | None, start: str, out: Path) -> bool:
    """True when `out` holds exactly what the last build, made from the same
    inputs, wrote: there is nothing to do."""
    if stamp is None or stamp.out != os.path.abspath(out) or pending(out):
        return False
    texts = {}
    for path in stamp.sources:
        try:
            texts[path] = Path(path).read_bytes()
        except OSError:
            return False
    return inputs_digest(start, texts) == stamp.inputs and intact(out, stamp.manifest)
