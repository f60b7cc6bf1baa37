"""The timeline's data model: plain frozen dataclasses, no I/O.

Everything the renderers see is built from these; they are created only
after validation has passed, so their invariants can be relied on.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from timeline.errors import Problem
from timeline.record.dates import EventDate, PartialDate
from timeline.record.sentences import Sentence


@dataclass(frozen=True)
class SiteInfo:
    title: str
    description: str = ""
    language: str = "en"
    base_url: str = ""  # absolute URL of the published site, with trailing slash, or ""
    cite_every_sentence: bool = False  # every summary sentence carries a marker, every citation is used
    commit_url: str = ""  # a commit's page, "{commit}" standing for its full hash, or ""


# What a document is, so a reader can weigh a claim: pieces that argue are
# "analysis" or "opinion", and a sentence resting on them says so.
SOURCE_KINDS = ("news report", "analysis", "opinion", "official statement", "interview")
ARGUING_KINDS = ("analysis", "opinion")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    path: Path  # absolute path of the archived document
    file: str  # the path as written in events.toml
    text: str
    publisher: str = ""
    url: str = ""
    title_assigned: bool = False  # True when the editors wrote the title
    note: str = ""  # Markdown: what the editors know of this document
    kind: str = ""  # one of SOURCE_KINDS, or "" when not given

    @property
    def argues(self) -> bool:
        """The document argues a case: what rests on it is attributed."""
        return self.kind in ARGUING_KINDS


@dataclass(frozen=True)
class Citation:
    source_id: str
    quote: str
    start: int  # character span of the quote in the source's text
    end: int
    anchor: str  # id of the highlighted passage on the source page


@dataclass(frozen=True)
class Version:
    """One source's account of a fact the sources disagree on."""

    claim: str
    citation: Citation


@dataclass(frozen=True)
class Difference:
    about: str
    versions: tuple[Version, ...]
    note: str = ""


# What an editors' note on a published statement says it does: put right
# what was wrong, make clearer what misled, or add what has since happened.
CORRECTION_KINDS = ("correction", "clarification", "update")


@dataclass(frozen=True)
class Correction:
    """An editors' note on what the event said when it was published."""

    date: dt.date  # when the change was published
    kind: str  # one of CORRECTION_KINDS
    note: str  # Markdown: what was wrong and what is right


@dataclass(frozen=True)
class Event:
    id: str
    date: EventDate
    title: str
    summary: str  # Markdown source, with citation markers [^N]
    citations: tuple[Citation, ...]
    sentences: tuple[Sentence, ...] = ()  # the summary's, each with its markers (record.sentences)
    end: PartialDate | None = None  # the moment it ended, when `date` is a moment
    date_note: str = ""
    duration_minutes: int | None = None
    place: str = ""
    actors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    differences: tuple[Difference, ...] = ()
    editor_note: str = ""  # Markdown: an editors' addition, shown as such
    corrections: tuple[Correction, ...] = ()  # newest first; ties keep file order

    @property
    def date_is_supplied(self) -> bool:
        """The date comes from the editors, not from a cited quote."""
        return bool(self.date_note)

    def all_citations(self) -> tuple[Citation, ...]:
        """Citations plus those attached to each version of a difference."""
        extra = tuple(v.citation for d in self.differences for v in d.versions)
        return self.citations + extra


ADDED, REMOVED = "added", "removed"
Change = tuple[str, ...]  # (ADDED,), (REMOVED,) or the keys that changed, in rules.events.EVENT_KEYS order


@dataclass(frozen=True)
class Revision:
    """A commit that changed an event."""
    commit: str  # full hash
    date: str  # committer date, ISO 8601 with its offset
    change: Change

    @property
    def short(self) -> str:
        """Seven characters, always: git's own abbreviation lengthens as a repository grows."""
        return self.commit[:7]

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromisoformat(self.date).date()


@dataclass(frozen=True)
class History:
    """Every event's revisions, newest first, or why this copy has none."""
    events: dict[str, tuple[Revision, ...]] = field(default_factory=dict)
    unavailable: str = ""

    def of(self, event_id: str) -> tuple[Revision, ...]:
        return self.events.get(event_id, ())


NOT_READ = History(unavailable="the history was not read for this build")


@dataclass(frozen=True)
class Site:
    info: SiteInfo
    sources: dict[str, Source]
    events: tuple[Event, ...]  # sorted by date, ties in file order
    root: Path = field(default=Path("."))  # directory of the events file
    digest: str = ""  # of the events file's bytes it was made from (load.content_digest)
    hints: tuple[Problem, ...] = ()  # old-style uses that still work, each with how to write it now
    history: History = NOT_READ  # from the repository (record.history), added after validation
    uncommitted: frozenset[str] = frozenset()  # ids of the events changed since the last commit

    def citation_count(self) -> int:
        return sum(len(e.all_citations()) for e in self.events)
