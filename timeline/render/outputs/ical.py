"""``events.ics``: the events as an iCalendar file (RFC 5545).

A calendar entry must fall on a day, so only events whose date is known to
the day (or to the minute), with no qualifier, are in the calendar:

- a **day** (``2025-05-16``) becomes an all-day event, ``DTSTART;VALUE=DATE``,
  with ``DTEND`` the day after its last day (exclusive, as RFC 5545 wants);
  an interval of days (``2025-05-13/2025-05-16``) ends the day after its end;
- a **moment** (``2025-05-16T15:00:00+03:00``) becomes a timed event in UTC
  (``DTSTART:20250516T120000Z``), ending at ``end`` when that is a moment
  too, else after its ``duration`` when one is given, else not stated;
- everything else is left out: a month, year or season, an approximate or
  uncertain day ("c. 16 May 2025"), an interval with an end not known to
  the day. Putting them on a day would state what no source gives. They
  are in every other output (the site, the feed, timeline.json, events.json).

A date supplied by the editors is said so in the DESCRIPTION.

UIDs are ``<event-id>@<host of base_url, or "istanbul-talks-timeline">``, so
they stay the same across builds. ``DTSTAMP`` is the event's own start
(00:00 UTC of its day), or the SOURCE_DATE_EPOCH build time when that is
set: never the clock.

Lines end in CRLF and are folded at 75 octets without splitting a UTF-8
character; text values escape backslash, ``;``, ``,`` and newlines, and
control characters (which TEXT may not contain) are removed.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import partial

from timeline.record.model import Event, Site
from timeline.render.markdown import Markdown
from timeline.render.notes import words_of
from timeline.render.outputs import (
    Layout,
    authority,
    event_start_utc,
    site_url,
    utc,
    when_text,
)
from timeline.render.text import duration_words
from timeline.site import urls

PRODID = "-//Istanbul Talks Timeline//events.ics//EN"
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # TEXT allows HTAB only; newlines are escaped first


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """One content line, folded into CRLF-terminated lines of at most 75 octets."""
    if len(line) <= 75 and line.isascii():  # most lines: no need to look at each character
        return line + "\r\n"
    data = line.encode("utf-8")
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # never cut inside a character's UTF-8 bytes
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # a continuation line starts with a space
    parts.append(data[start:])
    return "\r\n ".join(part.decode("utf-8") for part in parts) + "\r\n"


def _date(value: dt.date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"  # strftime drops leading zeros of year 1


def _utc(value: dt.datetime) -> str:
    m = utc(value)  # formatted by hand: strftime writes year 1 as "1", not "0001"
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}Z"


def in_calendar(event: Event) -> bool:
    """Only events known to the day or to the minute, with no qualifier, have
    a calendar entry: a point, or an interval with both ends so known."""
    ends = event.date.ends()
    return len(ends) == 2 and all(p.precision in ("day", "time") and not p.qualifier for p in ends)


def _times(event: Event) -> list[str]:
    date, end = event.date, event.end
    if date.moment is not None:
        lines = [f"DTSTART:{_utc(date.moment)}"]
        if end is not None and end.moment is not None:
            lines.append(f"DTEND:{_utc(end.moment)}")
        elif event.duration_minutes:
            lines.append(f"DTEND:{_utc(date.moment + dt.timedelta(minutes=event.duration_minutes))}")
        return lines
    last = date.upper.start()  # a moment's day as written, in its own offset
    lines = [f"DTSTART;VALUE=DATE:{_date(date.lower.start())}"]
    if last < dt.date.max:  # DTEND is the day after; a lone DTSTART date means one day (RFC 5545 3.6.1)
        lines.append(f"DTEND;VALUE=DATE:{_date(last + dt.timedelta(days=1))}")
    return lines


def _description(site: Site, markdown: Markdown, event: Event) -> str:
    lines = [when_text(event) + (f", lasted {duration_words(event.duration_minutes)}" if event.duration_minutes else "")]
    if event.date_note:
        lines.append(f"Date supplied by the editors: {event.date_note}")
    lines += ["", words_of(markdown, event.summary)]
    if event.editor_note:
        lines += ["", f"Editors' note: {words_of(markdown, event.editor_note)}"]
    # A calendar has no base to resolve a relative link against: links are
    # given only when the site's address (base_url) is known.
    base = site.info.base_url
    lines += ["", "Sources:"]
    for number, citation in enumerate(event.citations, 1):
        source = site.sources[citation.source_id]
        kind = f" ({source.kind})" if source.kind else ""
        link = f", {base}sources/{source.id}/#{citation.anchor}" if base else ""
        lines.append(f"{number}. “{citation.quote}” — {source.title}{kind}{link}")
    for difference in event.differences:
        lines += ["", f"The sources differ on {difference.about}:"]
        for version in difference.versions:
            source = site.sources[version.citation.source_id]
            lines.append(f"{version.claim}: “{version.citation.quote}” — {source.title}")
        if difference.note:
            lines.append(difference.note)
    if base:
        lines += ["", base + urls.event(event.id)]
    return "\n".join(lines)


def _vevent(site: Site, markdown: Markdown, event: Event, build_time: dt.datetime | None) -> list[str]:
    summary = event.title
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.id}@{authority(site)}",
        f"DTSTAMP:{_utc(build_time or event_start_utc(event))}",
        *_times(event),
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(_description(site, markdown, event))}",
    ]
    if event.place:
        lines.append(f"LOCATION:{escape_text(event.place)}")
    if event.tags:
        lines.append("CATEGORIES:" + ",".join(escape_text(t) for t in event.tags))
    if site.info.base_url:  # URL is a URI value: only an absolute one makes sense
        lines.append(f"URL:{site_url(site, urls.event(event.id))}")
    lines.append("END:VEVENT")
    return lines


def _vevent_bytes(site: Site, markdown: Markdown, event: Event, build_time: dt.datetime | None) -> bytes:
    return "".join(fold(line) for line in _vevent(site, markdown, event, build_time)).encode("utf-8")


def render_ical(site: Site, markdown: Markdown, build_time: dt.datetime | None = None,
                keys: Mapping[str, str] | None = None) -> Layout:
    """events.ics, an event at a time; see output_makers for `keys`."""
    info = site.info
    shown = [e for e in site.events if in_calendar(e)]
    left_out = len(site.events) - len(shown)
    about = info.description + ("\n\n" if info.description else "") + (
        "Only events known to the day, without doubt, are in this calendar"
        + (f"; {left_out} not known to the day, or approximate or uncertain, are on the site." if left_out else ".")
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(info.title)}",
        f"X-WR-CALNAME:{escape_text(info.title)}",
        f"DESCRIPTION:{escape_text(about)}",
        f"X-WR-CALDESC:{escape_text(about)}",
    ]
    if info.base_url:
        lines.append(f"URL:{info.base_url}")
        lines.append(f"SOURCE;VALUE=URI:{site_url(site, 'events.ics')}")
    head = "".join(fold(line) for line in lines).encode("utf-8")
    tail = fold("END:VCALENDAR").encode("utf-8")
    return Layout(head, b"", tail, head + tail, shown, partial(_vevent_bytes, site, markdown, build_time=build_time), keys)
