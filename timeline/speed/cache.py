"""The build cache: what one build hands to the next, in memory and on disk.

One object, passed to each step that reuses something: the parsed pieces
of events.toml (record.load), the checked events and normalised sources
(record.validate), converted Markdown (render.markdown), and the views,
cards and, in the preview, pages (site.pages). Every entry is keyed by
everything it was made from: checked events by their piece of events.toml
(its text) and the sources' digest, Markdown by its text, views by the
checked event they show. So an entry is either right for this build or
never looked up.

On disk (`.cache/` beside the events file unless `--cache-dir` says
otherwise) it is two files beside the build's stamp (stamp.py): the main
file, and a small one with what later builds added to it. Parsed tables
and pages are not kept there, so the cache stays small however large the
site. The main file is tagged with a digest of the code and templates
that made it, the second names the main file by its checksum; a file from
other code, or one that cannot be read for any reason (its checksum
catches truncation and damage), is ignored and replaced. It is a local
working folder, like `.venv/`: never take one from someone else.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from timeline.record import history, repository
from timeline.record.history import HistoryMemo
from timeline.record.load import ParseMemo
from timeline.record.validate import CheckMemo
from timeline.render.markdown import Markdown
from timeline.site.fragments import FragmentCache
from timeline.speed import pickled
from timeline.speed.stamp import code_version

FILE_NAME = "build-cache.pickle"
DELTA_NAME = "build-cache.delta.pickle"  # what changed since FILE_NAME was written
# What the events' history took from git. A file of its own, tagged by the
# code that reads history alone: it costs seconds to remake on a large
# record, and the main file is remade whenever any code changes.
HISTORY_NAME = "history-cache.pickle"


@dataclass
class BuildCache:
    """Everything one build can hand to the next (see the module's docstring)."""
    parsed: ParseMemo = field(default_factory=ParseMemo)
    checked: CheckMemo = field(default_factory=CheckMemo)
    markdown: Markdown = field(default_factory=Markdown)
    fragments: FragmentCache = field(default_factory=FragmentCache)
    history: HistoryMemo = field(default_factory=HistoryMemo)
    restored: tuple | None = None  # (_Base, held()) of the file it was read from, to tell what is new
    history_read: tuple = ()  # what `history` held when read, to tell whether to save it

    @classmethod
    def read(cls, folder: Path) -> BuildCache:
        """The cache saved in `folder`; an empty one where nothing there is usable."""
        cache = cls()
        cache.history = _read_history(folder)
        cache.history_read = _held(cache.history)
        found = pickled.load(folder / FILE_NAME)
        if found is None:
            return cache
        state, checksum = found
        if not isinstance(state, dict) or state.get("version") != code_version():
            return cache
        try:
            cache._restore(state, checksum, folder)
        except Exception:  # from an older layout: start empty
            return cls(history=cache.history, history_read=cache.history_read)
        return cache

    def _restore(self, state: dict, checksum: bytes, folder: Path) -> None:
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
        self.checked.events = {piece: (key, event) for piece, key, event, _ in state["events"]}
        self.parsed.restore(self.checked.events)
        # Views hold the same Event objects that validation will hand out again.
        self.fragments.views = {id(event): (event, view) for _, _, event, view in state["events"] if view}
        self.fragments.views_context = state["views_context"]
        self.fragments.stamp = state["stamp"]
        self.markdown.done.update(state["markdown"])
        self.restored = (base, self.held())

    def held(self) -> tuple:
        """What the cache holds, cheaply compared: equal means nothing to save."""
        fragments = self.fragments
        return (frozenset(self.parsed.pieces), frozenset((piece, id(event)) for piece, (_, event)
                                                         in self.checked.events.items()),
                len(self.markdown.done), frozenset((key, id(view)) for key, (_, view) in fragments.views.items()),
                fragments.views_context, fragments.stamp)

    def write(self, folder: Path) -> None:
        """Save the cache into `folder`.

        Nothing is written when it holds what was read. When little changed
        since the main file was written (an edit or two), only what is new
        goes into a small second file that names the main one by its
        checksum; otherwise the main file is replaced whole."""
        self._write_history(folder)
        base, held = self.restored or (None, None)
        if held is not None and self.held() == held:
            return
        events = [(piece, key, event, self.fragments.views.get(id(event), (None, None))[1])
                  for piece, (key, event) in self.checked.events.items()]
        try:
            delta = self._delta(base, events)
            if delta is not None:
                pickled.dump(folder / DELTA_NAME, delta)
                return
            pickled.dump(folder / FILE_NAME, {
                "version": code_version(), "events": events, "views_context": self.fragments.views_context,
                "markdown": dict(self.markdown.done), "stamp": self.fragments.stamp,
            })
            (folder / DELTA_NAME).unlink(missing_ok=True)  # names the replaced file: useless now
        except OSError as error:  # the site is built; only the next build will be slower
            print(f"warning: could not save the build cache in {folder}: {error.strerror or error}", file=sys.stderr)

    def _write_history(self, folder: Path) -> None:
        if _held(self.history) == self.history_read:
            return
        try:
            pickled.dump(folder / HISTORY_NAME, {"version": _history_code(), "memo": self.history})
        except OSError as error:
            print(f"warning: could not save the history cache in {folder}: {error.strerror or error}",
                  file=sys.stderr)

    def _delta(self, base: _Base | None, events: list) -> dict | None:
        """What is new since the main file, when that is little; else None.

        Views made under another context replace every view of the main
        file, which a delta (applied over it) cannot express."""
        if base is None or self.fragments.views_context != base.views_context:
            return None
        delta = {
            "base": base.checksum,
            "events": [entry for entry in events if entry[0] not in base.pieces or id(entry[3]) not in base.view_ids],
            "markdown": {key: html for key, html in self.markdown.done.items() if key not in base.markdown},
            "views_context": self.fragments.views_context,
            "stamp": self.fragments.stamp,
        }
        small = len(delta["events"]) + len(delta["markdown"]) <= max(8, len(events) // 8)
        return delta if small else None


def _history_code() -> str:
    """Digest of the code whose results the history cache holds."""
    digest = hashlib.blake2b(digest_size=20)
    for module in (history, repository):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _read_history(folder: Path) -> HistoryMemo:
    found = pickled.load(folder / HISTORY_NAME)
    state = found[0] if found else None
    if isinstance(state, dict) and state.get("version") == _history_code() and isinstance(state.get("memo"), HistoryMemo):
        return state["memo"]
    return HistoryMemo()


def _held(memo: HistoryMemo) -> tuple:
    return frozenset(memo.pairs), frozenset(memo.unreadable)


@dataclass(frozen=True)
class _Base:
    """What the main cache file holds, to tell what a delta must add."""
    checksum: bytes
    pieces: frozenset  # of the events file, each holding a checked event
    views: tuple  # kept alive, so that no later view can take the id() of one
    view_ids: frozenset
    markdown: frozenset
    views_context: tuple  # what its views were made under
