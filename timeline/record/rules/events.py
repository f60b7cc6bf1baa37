"""The rules of the ``[[events]]`` tables: ids, dates, names and durations.

The citations and differences of an event have their own module,
:mod:`.citations`; this one checks the rest and puts the event together.
"""
from __future__ import annotations

import datetime as dt
import re

from timeline.record.checking import ID_PATTERN, ProblemCollector, describe, unsafe_character
from timeline.record.dates import DateError, EventDate, PartialDate, ends_before, parse_date
from timeline.record.load import EventPiece
from timeline.record.model import Event
from timeline.record.reuse import Reuse
from timeline.record.rules.citations import check_citations, check_differences
from timeline.record.rules.claims import check_markers, check_no_markers
from timeline.record.rules.corrections import check_corrections
from timeline.record.rules.sources import CheckedSources

EVENT_KEYS = (
    "id", "date", "end", "circa", "date_note", "title", "summary", "place",
    "actors", "tags", "duration", "citations", "differences", "editor_note", "corrections",
)

_DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?")


def check_events(check: ProblemCollector, data: dict, sources: CheckedSources, reuse: Reuse,
                 every_sentence: bool = False) -> list[Event]:
    """Every event in file order; an unchanged one is the last check's object.

    `every_sentence` is [site] cite_every_sentence (see rules.claims)."""
    raw = data.get("events")
    if raw is None:
        check.problem((), "no [[events]]: add at least one event")
        return []
    if not isinstance(raw, list):
        check.problem(("events",), f"'events' must be an array of tables ([[events]]), found {describe(raw)}")
        return []
    events: list[Event] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        path = ("events", index)
        event = reuse.event(item)
        if event is not None:
            event_id, subject = event.id, f"event '{event.id}'"
        else:
            table = item.table if isinstance(item, EventPiece) else item
            subject = f"event #{index + 1}"
            if not isinstance(table, dict):
                check.problem(path, f"must be a table ([[events]]), found {describe(table)}", subject)
                continue
            event_id = table.get("id")
            if isinstance(event_id, str) and event_id.strip():
                # repr() spells out what a terminal would act on (controls, direction overrides)
                subject = f"event '{event_id}'" if event_id.isprintable() else f"event {event_id!r}"
            before = len(check.problems), len(check.hints)
            event = check_event(check, table, path, subject, sources, every_sentence)
            if event is not None and (len(check.problems), len(check.hints)) == before:  # hints are said each time
                reuse.keep_event(item, event)
        # A reused event still takes part: a copy of it elsewhere is a duplicate.
        if event_id is not None and isinstance(event_id, str) and ID_PATTERN.fullmatch(event_id):
            if event_id in seen:
                first = f"event #{seen[event_id] + 1}, line {check.lines.line('events', seen[event_id])}"
                check.problem(path + ("id",), f"duplicate id '{event_id}' (first used by {first})", subject)
                continue
            seen[event_id] = index
        if event is not None:
            events.append(event)
    return events


def check_event(check: ProblemCollector, table: dict, path: tuple, subject: str,
                sources: CheckedSources, every_sentence: bool = False) -> Event | None:
    check.unknown_keys(table, EVENT_KEYS, path, subject, "an event")
    event_id = check.get(table, "id", str, path, subject, required=True)
    if event_id is not None and not ID_PATTERN.fullmatch(event_id):
        hint = re.sub(r"[^a-z0-9]+", "-", event_id.lower()).strip("-")
        fix = f" (for example '{hint}')" if hint and ID_PATTERN.fullmatch(hint) else ""
        check.problem(path + ("id",), f"id '{event_id}' must be lowercase letters, digits and single hyphens{fix}", subject)
        event_id = None
    date, end = _when(check, table, path, subject)
    date_note = check.get(table, "date_note", str, path, subject, default="")
    title = check.get(table, "title", str, path, subject, required=True)
    summary = check.get(table, "summary", str, path, subject, required=True)
    place = check.get(table, "place", str, path, subject, default="")
    actors = _names(check, table, "actors", path, subject)
    tags = _names(check, table, "tags", path, subject)
    duration = _duration(check, table, path, subject)
    editor_note = check.get(table, "editor_note", str, path, subject, default="")
    citations = check_citations(check, table, path, subject, sources)
    differences = check_differences(check, table, path, subject, sources)
    corrections = check_corrections(check, table, path, subject)
    sentences = check_markers(check, table, path, subject, citations, every_sentence) if citations else ()
    check_no_markers(check, table, path, subject, ("title", "date_note", "place"))
    if date and citations and not date_note:
        quotes = [c.quote for c in citations] + [v.citation.quote for d in differences for v in d.versions]
        years = [str(p.year)[:4 - p.unspecified_digits] for p in date.ends()]
        if not any(year in q for q in quotes for year in years):
            check.problem(path + ("date",),
                          f"no quote states the year {date.year}; add a 'date_note' saying how the date was established",
                          subject)
    if None in (event_id, date, title, summary) or not citations:
        return None
    return Event(
        id=event_id, date=date, end=end, date_note=date_note.strip(),
        title=title.strip(), summary=summary.strip(), sentences=sentences, place=place.strip(),
        actors=actors, tags=tags,
        duration_minutes=duration, citations=citations, differences=differences,
        editor_note=editor_note.strip(), corrections=corrections,
    )


def _when(check: ProblemCollector, table: dict, path: tuple, subject: str
          ) -> tuple[EventDate | None, PartialDate | None]:
    """The event's date, and the moment it ended when both are moments.

    The old ways to write an interval (`end`) and an approximate date
    (`circa = true`) still work, each with a hint saying how to write it
    in EDTF; `end` stays the way to give the time of day an event ended."""
    date = _date(check, table, "date", path, subject, required=True)
    end = _date(check, table, "end", path, subject)
    circa = check.get(table, "circa", bool, path, subject, default=False)
    if date is None:
        return None, None
    edtf = date.interval or date.point.qualifier
    if end is not None and (edtf or end.interval or end.point.qualifier):
        check.problem(path + ("end",), "'end' cannot be combined with an EDTF interval or qualifier; "
                                       "write the whole interval in 'date', like \"2022-04/2022-11\"", subject)
        return None, None
    if end is not None and ends_before(end.point, date.point):
        check.problem(path + ("end",), f"'end' ({end.point.iso()}) is before 'date' ({date.point.iso()})", subject)
        return None, None
    if circa and edtf:
        check.problem(path + ("circa",), "'circa' cannot be combined with an EDTF interval or qualifier; "
                                         "write '~' in 'date' instead", subject)
        return None, None
    moment_end = end.point if end is not None and date.moment and end.moment and not circa else None
    if end is not None and moment_end is None:
        date = EventDate.between(date.point, end.point)
    if circa:
        date = date.with_qualifier("~")  # and no time of day: EDTF qualifies none
    old = [key for key, used in (("end", end is not None and moment_end is None), ("circa", circa)) if used]
    if old:
        timed = circa and isinstance(table.get("date"), dt.datetime)
        check.hint(path + (old[0],), f"{' and '.join(repr(k) for k in old)} {'are' if len(old) > 1 else 'is'} the "
                                     f"old way to write this date; in EDTF it is date = \"{date.text}\""
                                     + (" (an approximate date has no time of day)" if timed else ""), subject)
    return date, moment_end


def _date(check: ProblemCollector, table: dict, key: str, path: tuple, subject: str,
          required: bool = False) -> EventDate | None:
    if key not in table:
        if required:
            check.problem(path, f"missing required key '{key}'", subject)
        return None
    try:
        return parse_date(table[key])
    except DateError as error:
        check.problem(path + (key,), f"'{key}': {error}", subject)
        return None


def _names(check: ProblemCollector, table: dict, key: str, path: tuple, subject: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.problem(path + (key,), f"'{key}' must be an array of strings, like [\"Russia\", \"Ukraine\"], "
                                     f"found {describe(value)}", subject)
        return ()
    names = []
    for name in value:
        if not name.strip():
            check.problem(path + (key,), f"'{key}' has an empty entry", subject)
        elif unsafe := unsafe_character(name):
            check.problem(path + (key,), f"'{key}' entry {name.strip()!r} contains {unsafe}", subject)
        elif name.strip() in names:
            check.problem(path + (key,), f"'{key}' lists '{name.strip()}' twice", subject)
        else:
            names.append(name.strip())
    return tuple(names)


def _duration(check: ProblemCollector, table: dict, path: tuple, subject: str) -> int | None:
    value = check.get(table, "duration", str, path, subject)
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip())
    if not match or not any(match.groups()):
        check.problem(path + ("duration",), f"'duration' {value!r} must look like \"6h\", \"45m\" or \"1h30m\"", subject)
        return None
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return hours * 60 + minutes
