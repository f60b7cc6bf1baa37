"""Each event's revision history: the commits that changed its table, and which fields.

The committed versions come from git (record.repository); what changed
between two of them is worked out here, by comparing the events' tables,
so an edit to spacing or comments is no revision, and a reordered file
changes nothing. An event is known by its id: a new id is a new event.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from timeline.record.load import EventPiece, events_headers, loads_toml
from timeline.record.model import ADDED, REMOVED, Change, History, Revision
from timeline.record.repository import NO_FILE, Commit, Repository, blobs, log
from timeline.record.rules.events import EVENT_KEYS

Entry = tuple[tuple[str, Change], ...]  # what one commit did: (event id, change), by id


@dataclass
class HistoryMemo:
    """What each pair of versions gave, for the next build: a new commit costs only itself.

    Keyed by the two blobs compared, so an amend or rebase that leaves the
    file's versions alone reuses every entry. Without it a build after a new
    commit (4,000 events, 200 commits) takes 3.3 times as long."""
    pairs: dict[tuple[str, str], Entry] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # versions that do not parse: skipped


def read_history(repository: Repository, memo: HistoryMemo | None = None) -> History:
    """The history of every event in the file's committed versions."""
    if repository.unavailable:
        return History(unavailable=repository.unavailable)
    memo = memo if memo is not None else HistoryMemo()
    try:
        done = _entries(repository, log(repository), memo)
    except OSError as error:
        return History(unavailable=f"git could not read it ({error})")
    events: dict[str, list[Revision]] = {}
    for commit, entry in reversed(done):
        for event_id, change in entry:
            events.setdefault(event_id, []).append(Revision(commit.hash, commit.date, change))
    return History({event_id: tuple(revisions) for event_id, revisions in events.items()})


def _entries(repository: Repository, commits: list[Commit], memo: HistoryMemo) -> list[tuple[Commit, Entry]]:
    """Each commit with what it did, oldest first; a version that does not
    parse is skipped, and the next is compared with the last that did."""
    versions = _Versions(repository, _wanted(commits, memo))
    done, used, last = [], set(), NO_FILE
    try:
        for commit in commits:
            if commit.new in memo.unreadable:
                continue
            key = (last, commit.new)
            if key not in memo.pairs:
                entry = compare(versions.get(last), versions.get(commit.new))
                if entry is None:
                    memo.unreadable.add(commit.new)
                    continue
                memo.pairs[key] = entry
            used.add(key)
            last = commit.new
            done.append((commit, memo.pairs[key]))
    finally:
        versions.close()
    memo.pairs = {key: entry for key, entry in memo.pairs.items() if key in used}  # it cannot grow without bound
    memo.unreadable &= {c.new for c in commits}
    return done


def _wanted(commits: list[Commit], memo: HistoryMemo) -> list[str]:
    """The versions the comparisons not kept will read, in the order they read them."""
    wanted, last = [], NO_FILE
    for commit in commits:
        if commit.new in memo.unreadable:
            continue
        if (last, commit.new) not in memo.pairs:
            wanted += [blob for blob in (last, commit.new) if blob != NO_FILE]
        last = commit.new
    return list(dict.fromkeys(wanted))


@dataclass(frozen=True)
class Version:
    """A committed version of the file, cut at its `[[events]]` headers."""
    text: str | None  # None: no file, or not UTF-8
    pieces: frozenset[str] = frozenset()  # one event each, usually: what follows each header


def version_of(raw: bytes | None) -> Version:
    if raw is None:
        return Version("")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Version(None)
    starts = events_headers(text)
    bounds = [*starts, len(text)]
    return Version(text, frozenset(text[begin:end] for begin, end in pairwise(bounds)))


class _Versions:
    """The versions asked for, read in one stream and the last two kept: in
    first-parent order, one commit's new version is the next one's old."""

    def __init__(self, repository: Repository, wanted: list[str]):
        self.repository = repository
        self.wanted = iter(wanted)
        self.stream: Iterator[bytes] | None = blobs(repository, wanted) if wanted else None
        self.kept: dict[str, Version] = {NO_FILE: version_of(None)}

    def get(self, blob: str) -> Version:
        if blob not in self.kept:
            self.kept = {NO_FILE: self.kept[NO_FILE], **dict(list(self.kept.items())[-1:]), blob: self._read(blob)}
        return self.kept[blob]

    def _read(self, blob: str) -> Version:
        for name in self.wanted:
            raw = next(self.stream)
            if name == blob:
                return version_of(raw)
        return version_of(list(blobs(self.repository, [blob]))[0])  # past an unreadable version: not in the stream

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


def compare(old: Version, new: Version) -> Entry | None:
    """What changed in each event from `old` to `new`; None when `new` does not parse."""
    if new.text is None:
        return None
    try:
        before, after = _events(old.pieces - new.pieces), _events(new.pieces - old.pieces)
    except ValueError:  # a cut inside a multi-line string: the versions whole
        after = _whole(new.text)
        if after is None:
            return None
        before = _whole(old.text or "") or {}
    return changes(before, after)


def _events(pieces) -> dict[str, dict]:
    found = {}
    for piece in pieces:
        tables = loads_toml(piece).get("events", [])
        found.update((str(t.get("id")), t) for t in tables if isinstance(t, dict))
    return found


def _whole(text: str) -> dict[str, dict] | None:
    try:
        tables = loads_toml(text).get("events", [])
    except ValueError:
        return None
    return {str(t.get("id")): t for t in tables if isinstance(t, dict)} if isinstance(tables, list) else {}


def changes(before: dict[str, dict], after: dict[str, dict]) -> Entry:
    """Per event id, whether it was added or removed, or which of its fields changed."""
    entry = []
    for event_id in sorted(before.keys() | after.keys()):
        if event_id not in before:
            entry.append((event_id, (ADDED,)))
        elif event_id not in after:
            entry.append((event_id, (REMOVED,)))
        elif fields := changed_fields(before[event_id], after[event_id]):
            entry.append((event_id, fields))
    return tuple(entry)


def changed_fields(old: dict, new: dict) -> Change:
    """The keys whose values differ, in the order an event's keys are documented."""
    keys = [key for key in old.keys() | new.keys() if old.get(key) != new.get(key)]
    order = {key: i for i, key in enumerate(EVENT_KEYS)}
    return tuple(sorted(keys, key=lambda k: (order.get(k, len(order)), k)))


def changed_since(head: Version, items: list) -> list[tuple[int, str, dict | None, dict]]:
    """The events of the working file (`items`, as loaded) that differ from
    `head`, the committed version: (index, id, table at HEAD or None when
    it is new, table now). Only pieces not found in `head` are parsed."""
    texts = {item.text for item in items if isinstance(item, EventPiece)}
    try:
        before = _events(head.pieces - texts)
    except ValueError:
        before = _whole(head.text or "") or {}
    found = []
    for index, item in enumerate(items):
        if isinstance(item, EventPiece) and item.text in head.pieces:
            continue
        table = item.table if isinstance(item, EventPiece) else item
        if not isinstance(table, dict) or not isinstance(table.get("id"), str):
            continue
        old = before.get(table["id"])
        if old != table:
            found.append((index, table["id"], old, table))
    return found
