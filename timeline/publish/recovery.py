"""Finishing what a killed build left beside the output folder; every
publish does it first (see staging for the folders a build leaves)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from timeline.publish import staging
from timeline.publish.update import move_in


def recover(out: Path) -> bool:
    """Finish or undo what a killed build left beside `out`: put a previous
    site that was moved aside back in place, move in the files of a
    complete update, and remove the temporary folders of builds that are
    no longer running. True when `out` may have changed."""
    found = _left_by_killed_builds(out)
    stale_old = found[staging.OLD]
    touched = bool(found[staging.COMMIT])
    if stale_old and not out.exists():
        newest = max(stale_old, key=lambda p: p.stat().st_mtime)
        newest.rename(out)
        stale_old.remove(newest)
        touched = True
    for ready in sorted(found[staging.COMMIT], key=lambda p: p.stat().st_mtime):
        try:
            if out.is_dir():
                move_in(ready, out)
                continue
        except OSError:
            pass  # it cannot be applied: the build that follows remakes whatever differs
        staging.discard(ready, out)
    for path in found[staging.NEW] + stale_old:
        shutil.rmtree(path, ignore_errors=True)
    return touched


def _left_by_killed_builds(out: Path) -> dict[str, list[Path]]:
    """The staging folders beside `out`, by kind, but those of builds still at work."""
    found: dict[str, list[Path]] = {kind: [] for kind in staging.KINDS}
    for path in out.parent.iterdir():
        for kind, paths in found.items():
            prefix = staging.prefix(out, kind)
            if path.name.startswith(prefix) and path.is_dir() and not path.is_symlink():
                pid = path.name[len(prefix):].split("-")[0]
                if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
                    continue  # another build is at work
                paths.append(path)
    return found


def pending(out: Path) -> bool:
    """True when a killed build left an update of `out` half moved in."""
    prefix = staging.prefix(out, staging.COMMIT)
    return out.parent.is_dir() and any(path.name.startswith(prefix) for path in out.parent.iterdir())


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
