"""The build cache on disk: results of the last build that the next can reuse.

Two files in the cache folder (`.cache/` beside the events file unless
`--cache-dir` says otherwise), beside the build's stamp (stamp.py): the
main file, and a small one with what later builds added to it. They only
ever hold results keyed by everything they were made from: checked
events by their piece of events.toml (its text) and the sources' texts,
and Markdown by its text (parsed tables and pages are not kept here, so the
cache stays small however large the site; the stamp names the key each
published file was made under). So an entry is either right for this
build or never looked up. The main file is tagged with a digest of the
code and templates that made it, the second names the main file by its
checksum; a file from other code, or one that cannot be read for any
reason (its checksum catches truncation and damage), is ignored and
replaced. It is a local working folder, like `.venv/`: never take one
from someone else.
"""
from __future__ import annotations

import gc
import sys
from dataclasses import dataclass
from pathlib import Path

from timeline.record import load, validate
from timeline.render import markdown
from timeline.site.pages import FragmentCache
from timeline.speed import pickled
from timeline.speed.stamp import code_version

FILE_NAME = "build-cache.pickle"
DELTA_NAME = "build-cache.delta.pickle"  # what changed since FILE_NAME was written


def templates_folder(folder: Path) -> Path | None:
    """Where compiled templates are kept (see render.make_environment); None
    when it cannot be made, and templates are compiled every time."""
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
        return folder / "templates"
    except OSError:
        return None


def read(folder: Path, fragments: FragmentCache) -> bool:
    """Fill the in-memory caches from `folder`; False when there was nothing usable.

    What it restores lives until the end of the build: it is loaded with
    the cyclic collector off (millions of new objects and no garbage, which
    the collector would scan again and again, a third of the time) and then
    frozen out of its way (commands.build unfreezes it when it is done)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        if not _read(folder, fragments):
            return False
        gc.freeze()
        return True
    finally:
        if enabled:
            gc.enable()


def _read(folder: Path, fragments: FragmentCache) -> bool:
    found = pickled.load(folder / FILE_NAME)
    if found is None:
        return False
    state, checksum = found
    if not isinstance(state, dict) or state.get("version") != code_version():
        return False
    try:
        views = tuple(view for *_, view in state["events"] if view)
        base = _Base(checksum, frozenset(piece for piece, *_ in state["events"]), views, frozenset(map(id, views)),
                     frozenset(state["markdown"]), state["views_context"])
        added = pickled.load(folder / DELTA_NAME)
        delta = added[0] if added and isinstance(added[0], dict) else {}
        # A delta is written only under the main file's view context (see write).
        if delta.get("base") == checksum and delta.get("views_context") == state["views_context"]:
            state["events"] += delta["events"]  # later entries win
            state["markdown"].update(delta["markdown"])
            state["views_context"], state["stamp"] = delta["views_context"], delta["stamp"]
        validate.restore_events([(piece, key, event) for piece, key, event, _ in state["events"]])
        # Views hold the same Event objects that validation will hand out again.
        fragments.views = {id(event): (event, view) for _, _, event, view in state["events"] if view}
        fragments.views_context = state["views_context"]
        markdown.markdown_cache.update(state["markdown"])
        fragments.stamp = state["stamp"]
        fragments.restored = (base, _held(fragments))
        return True
    except Exception:  # from an older layout: start empty
        return False


@dataclass(frozen=True)
class _Base:
    """What the main cache file holds, to tell what a delta must add."""
    checksum: bytes
    pieces: frozenset  # of the events file, each holding a checked event
    views: tuple  # kept alive, so that no later view can take the id() of one
    view_ids: frozenset
    markdown: frozenset
    views_context: tuple  # what its views were made under


def _held(fragments: FragmentCache) -> tuple:
    """What the caches hold, cheaply compared: equal means nothing to save."""
    return (load.pieces_held(), validate.events_held(), len(markdown.markdown_cache),
            frozenset((key, id(view)) for key, (_, view) in fragments.views.items()),
            fragments.views_context, fragments.stamp)


def write(folder: Path, fragments: FragmentCache) -> None:
    """Save the in-memory caches into `folder`.

    Nothing is written when they hold what was read. When little changed
    since the main file was written (an edit or two), only what is new goes
    into a small second file that names the main one by its checksum:
    rewriting 20 MB for one edited event took a third of a second at 4,000
    events. Otherwise the main file is replaced whole."""
    base, held = fragments.restored or (None, None)
    if held is not None and _held(fragments) == held:
        return
    events = [(piece, key, event, fragments.views.get(id(event), (None, None))[1])
              for piece, key, event in validate.saved_events()]
    try:
        # Views made under another context replace every view of the main
        # file, which a delta (applied over it) cannot express.
        if base is not None and fragments.views_context == base.views_context:
            delta = {
                "base": base.checksum,
                "events": [entry for entry in events
                           if entry[0] not in base.pieces or id(entry[3]) not in base.view_ids],
                "markdown": {key: html for key, html in markdown.markdown_cache.items() if key not in base.markdown},
                "views_context": fragments.views_context,
                "stamp": fragments.stamp,
            }
            if len(delta["events"]) + len(delta["markdown"]) <= max(8, len(events) // 8):
                pickled.dump(folder / DELTA_NAME, delta)
                return
        pickled.dump(folder / FILE_NAME, {
            "version": code_version(),
            "events": events,
            "views_context": fragments.views_context,
            "markdown": dict(markdown.markdown_cache),
            "stamp": fragments.stamp,
        })
        (folder / DELTA_NAME).unlink(missing_ok=True)  # names the replaced file: useless now
    except OSError as error:  # the site is built; only the next build will be slower
        print(f"warning: could not save the build cache in {folder}: {error.strerror or error}", file=sys.stderr)
