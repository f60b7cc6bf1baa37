"""`python build.py --check`: load and validate, nothing written."""
from __future__ import annotations

from pathlib import Path

from timeline.errors import Problem
from timeline.record.load import load
from timeline.record.model import Site
from timeline.record.validate import validate


def check(events_path: Path, display: str | None = None, remember: bool = True) -> tuple[Site | None, list[Problem]]:
    """Load and validate; the site model, or every problem found.

    `remember` keeps parsed and checked pieces for the next check (the
    preview, the build cache); a one-off build leaves it off and needs
    less memory."""
    loaded, problems = load(events_path, display, remember)
    if loaded is None:
        return None, problems
    return validate(loaded, remember)
