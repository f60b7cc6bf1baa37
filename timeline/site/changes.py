"""What changed on each event, as pages show it: the editors' corrections
and the event's revision history from the repository."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from timeline.record.dates import PartialDate
from timeline.record.model import ADDED, REMOVED, Correction, Event, History, Revision
from timeline.render.markdown import Markdown
from timeline.render.when import point_words
from timeline.site import urls

# How a correction's kind reads at the head of its note ("Corrected 1 December 2026: ...").
LABELS = {"correction": "Corrected", "clarification": "Clarified", "update": "Updated"}

# An event's keys as a reader names them in "changed the title and summary".
FIELD_WORDS = {"date_note": "date note", "circa": "date", "end": "date", "editor_note": "editors’ note",
               "differences": "differences between sources", "corrections": "corrections", "duration": "duration"}


@dataclass(frozen=True)
class CorrectionView:
    id: str  # of the note on the event's page
    kind: str
    label: str  # "Corrected"
    day: str  # "1 December 2026"
    datetime: str  # "2026-12-01"
    note_html: Markup


@dataclass(frozen=True)
class RevisionView:
    day: str
    datetime: str
    commit: str  # full hash
    short: str
    url: str  # the commit's page, or ""
    what: str  # "added", "changed the date and title"


@dataclass(frozen=True)
class HistoryView:
    revisions: tuple[RevisionView, ...]
    unavailable: str  # why this copy of the record has no history, or ""


@dataclass(frozen=True)
class CorrectionEntry:
    """A correction as the corrections page lists it, with its event."""
    correction: CorrectionView
    title: str
    url: str  # of the event's page
    when: str  # the event's date in words


def day_words(day: dt.date) -> str:
    return point_words(PartialDate(day.year, day.month, day.day))


def correction_views(event: Event, markdown: Markdown) -> tuple[CorrectionView, ...]:
    return tuple(_correction_view(event.id, n, c, markdown) for n, c in enumerate(event.corrections, 1))


def _correction_view(event_id: str, number: int, correction: Correction, markdown: Markdown) -> CorrectionView:
    return CorrectionView(urls.correction_id(event_id, number), correction.kind, LABELS[correction.kind],
                          day_words(correction.date), correction.date.isoformat(), markdown.html(correction.note))


def history_view(history: History, event_id: str, commit_url: str) -> HistoryView:
    revisions = tuple(_revision_view(r, commit_url) for r in history.of(event_id))
    return HistoryView(revisions, history.unavailable)


def _revision_view(revision: Revision, commit_url: str) -> RevisionView:
    day = revision.day
    return RevisionView(day_words(day), day.isoformat(), revision.commit, revision.short,
                        urls.commit(commit_url, revision.commit), change_words(revision.change))


def change_words(change: tuple[str, ...]) -> str:
    """'added', 'removed', 'changed the date, title and summary' (in the order an event's keys are documented)."""
    if change in ((ADDED,), (REMOVED,)):
        return change[0]
    names = list(dict.fromkeys(FIELD_WORDS.get(key, key) for key in change))
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"changed the {listed}"


def modified(event: Event, history: History) -> str:
    """When the event last changed: its newest commit's date, or else its newest correction's; or ''."""
    revisions = history.of(event.id)
    if revisions:
        return revisions[0].date
    return event.corrections[0].date.isoformat() if event.corrections else ""


def correction_entries(views) -> tuple[CorrectionEntry, ...]:
    """Every correction, newest first; on the same day in timeline order."""
    entries = [(view.event.corrections[i].date, order, CorrectionEntry(c, view.event.title, view.url, view.when))
               for order, view in enumerate(views) for i, c in enumerate(view.corrections)]
    entries.sort(key=lambda entry: (-entry[0].toordinal(), entry[1]))
    return tuple(entry for *_, entry in entries)
