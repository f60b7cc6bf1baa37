"""The build cache on disk: results of the last build that the next can reuse.

One file in the cache folder (`.cache/` beside the events file unless
`--cache-dir` says otherwise), beside the build's stamp (stamp.py). It only ever holds results keyed by
everything they were made from: parsed pieces of events.toml by their
text, checked events by their piece and the sources' texts, and Markdown by its
text (pages are not kept here, so the cache stays small however large the
site; the stamp beside it, see stamp.py, names the key each published file
was made under). So an entry is either right for this build or never
looked up. The file is tagged with
a digest of the code and templates that made it; a file from other code,
or one that cannot be read for any reason (its checksum catches truncation and
damage), is ignored and replaced. It is a local working file, like
`.venv/`: never take one from someone else.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from pathlib import Path

from . import load, text, validate
from .render import FragmentCache
from .stamp import code_version

FILE_NAME = "build-cache.pickle"
DIGEST_SIZE = 32  # the file starts with a BLAKE2 digest of the rest


def templates_folder(folder: Path) -> Path | None:
    """Where compiled templates are kept (see render.make_environment); None
    when it cannot be made, and templates are compiled every time."""
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
        return folder / "templates"
    except OSError:
        return None


def read(folder: Path, fragments: FragmentCache) -> bool:
    """Fill the in-memory caches from `folder`; False when there was nothing usable."""
    try:
        raw = (folder / FILE_NAME).read_bytes()
        checksum, payload = raw[:DIGEST_SIZE], raw[DIGEST_SIZE:]
        if hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != checksum:
            return False  # truncated or damaged on disk
        state = _unpickled(payload)
        if not isinstance(state, dict) or state.get("version") != code_version():
            return False
        load.restore_pieces(state["pieces"])
        validate.restore_events([(piece, key, event) for piece, key, event, _ in state["events"]])
        # Views hold the same Event objects that validation will hand out again.
        fragments.views = {id(event): (event, view) for _, _, event, view in state["events"] if view}
        fragments.views_context = state["views_context"]
        text.markdown_cache.update(state["markdown"])
        fragments.stamp = state["stamp"]
        fragments.restored = _held(fragments)
        return True
    except Exception:  # missing, truncated, corrupt, from an older layout: start empty
        return False


def _unpickled(payload: bytes):
    # Millions of new objects and no garbage: the cyclic collector would
    # scan them over and over while they load (a third of the load time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)
    finally:
        if enabled:
            gc.enable()


def _held(fragments: FragmentCache) -> tuple:
    """What the caches hold, cheaply compared: equal means nothing to save."""
    return (load.pieces_held(), validate.events_held(), len(text.markdown_cache),
            frozenset((key, id(view)) for key, (_, view) in fragments.views.items()),
            fragments.views_context, fragments.stamp)


def write(folder: Path, fragments: FragmentCache) -> None:
    """Save the in-memory caches into `folder`, replacing the file atomically;
    nothing is written when they hold what was read (half a second at 4,000
    events)."""
    if fragments.restored is not None and _held(fragments) == fragments.restored:
        return
    state = {
        "version": code_version(),
        "pieces": load.saved_pieces(),
        "events": [(piece, key, event, fragments.views.get(id(event), (None, None))[1])
                   for piece, key, event in validate.saved_events()],
        "views_context": fragments.views_context,
        "markdown": dict(text.markdown_cache),
        "stamp": fragments.stamp,
    }
    temporary = folder / f".{FILE_NAME}.{os.getpid()}.tmp"
    payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as handle:
            handle.write(hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest())
            handle.write(payload)
        os.replace(temporary, folder / FILE_NAME)
    except OSError as error:  # the site is built; only the next build will be slower
        print(f"warning: could not save the build cache in {folder}: {error.strerror or error}", file=sys.stderr)
    finally:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
