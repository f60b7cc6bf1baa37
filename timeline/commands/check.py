"""`python build.py --check`: load and validate, nothing written."""
from __future__ import annotations

from pathlib import Path

from timeline.errors import Problem
from timeline.record.history import Version, version_of
from timeline.record.load import load
from timeline.record.model import Site
from timeline.record.repository import Repository, committed_version, locate
from timeline.record.validate import validate
from timeline.speed.cache import BuildCache


def check(events_path: Path, display: str | None = None, cache: BuildCache | None = None,
          repository: Repository | None = None, head: Version | None = None) -> tuple[Site | None, list[Problem]]:
    """Load and validate; the site model, or every problem found.

    With a `cache` (the preview, a cached build), unchanged pieces of the
    file are reused from it and this check's are kept in it; without, a
    one-off check keeps nothing and needs less memory. The file's last
    committed version (`head`, or else read from its `repository`, found
    when not given) tells which events changed since."""
    loaded, problems = load(events_path, display, cache.parsed if cache else None)
    if loaded is None:
        return None, problems
    if head is None:
        raw = committed_version(repository or locate(events_path), events_path)
        head = version_of(raw) if raw is not None else None
    return validate(loaded, cache.checked if cache else None, head)
