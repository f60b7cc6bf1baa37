"""Machine-readable outputs of the timeline, each a small pure function of the model.

| file | module | for |
| --- | --- | --- |
| ``feed.xml`` | :mod:`.feed` | feed readers (Atom, RFC 4287) |
| ``events.ics`` | :mod:`.ical` | calendar programs (iCalendar, RFC 5545) |
| ``timeline.json`` | :mod:`.timelinejs` | Knight Lab's TimelineJS |
| ``events.json``, ``events.json.schema.json``, ``events.csv`` | :mod:`.data` | anyone reusing the record |
| ``sitemap.xml`` (only with a ``base_url``), ``robots.txt`` | :mod:`.seo` | search engines |

Every function here is deterministic: the same model gives the same bytes,
keys are sorted, and no clock is read. Timestamps the formats require (Atom's
``updated``, iCalendar's ``DTSTAMP``) come from the data (an event's date at
its start), unless ``SOURCE_DATE_EPOCH`` is set, in which case that is the
build's declared time (https://reproducible-builds.org/specs/source-date-epoch/).
The environment is read in one place only, :func:`build_time`.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple
from functools import partial
from html import escape
from urllib.parse import urlsplit

from ..dates import display_range
from ..model import Event, Site
from ..text import duration_words, markdown_html

# The authority of stable identifiers (Atom ids, iCalendar UIDs) when the
# site has no base_url to take a host name from.
DEFAULT_AUTHORITY = "istanbul-talks-timeline"
# The date part of `tag:` URIs (RFC 4151): fixed, so ids never change.
TAG_DATE = "2025"

# Characters XML 1.0 does not allow at all (C0 controls but tab, newline and
# carriage return; surrogates; U+FFFE and U+FFFF). Removed from every text.
# Spelled as the characters themselves: the negated set of the allowed ones
# took 5 ms to compile, in every build.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry."""
    return _XML_ILLEGAL.sub("", text)


def authority(site: Site) -> str:
    """Host name of the published site, or a fixed name when none is set."""
    host = urlsplit(site.info.base_url).hostname if site.info.base_url else None
    return host or DEFAULT_AUTHORITY


def site_url(site: Site, path: str = "") -> str:
    """`path` (relative to the site root) made absolute when a base_url is set."""
    return site.info.base_url + path if site.info.base_url else path


def event_path(event: Event) -> str:
    return f"events/{event.id}/"


def utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; at the calendar's very edge (1 January of year 1 east
    of Greenwich, 31 December 9999 west of it) the nearest representable
    instant, since UTC would fall in year 0 or 10000."""
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        edge = dt.datetime.min if moment.year == 1 else dt.datetime.max.replace(microsecond=0)
        return edge.replace(tzinfo=dt.timezone.utc)


def event_start_utc(event: Event) -> dt.datetime:
    """The event's date at its start, as a UTC date-time.

    A moment is converted to UTC; a day, month or year is taken at 00:00 UTC
    of its first day. Used only where a format demands a full timestamp
    (Atom `updated`, iCalendar `DTSTAMP`), never to display a date.
    """
    if event.date.moment is not None:
        return utc(event.date.moment)
    start = event.date.start()
    return dt.datetime(start.year, start.month, start.day, tzinfo=dt.timezone.utc)


def build_time(environ: Mapping[str, str] | None = None) -> dt.datetime | None:
    """The build's declared time from SOURCE_DATE_EPOCH, or None when it is unset.

    An empty or malformed value is treated as unset rather than guessed at.
    """
    environ = os.environ if environ is None else environ
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)


# Every file output_makers() can plan (sitemap.xml only with a base_url).
OUTPUT_FILES = frozenset({"feed.xml", "events.ics", "timeline.json", "events.json", "events.json.schema.json",
                          "events.csv", "robots.txt", "sitemap.xml"})


class Part(NamedTuple):
    """The bytes of a data file that show one event, not yet made.

    `key` stands for everything they show (the event, its sources, and
    whatever the whole file depends on is the caller's to add), so a build
    may copy them from the last build's file instead of making them again
    (see write.publish). A named tuple: a frozen dataclass took 9 µs to
    make, a tenth of a second for each data file of 4,000 events."""
    key: str
    make: Callable[[], object]


def per_event(events: Iterable[Event], make: Callable[[Event], object],
              keys: Mapping[str, str] | None) -> Iterator[object]:
    """make(event) for each event; with `keys` (event id → key), a Part each instead."""
    if keys is None:
        return (make(event) for event in events)
    return (Part(keys[event.id], partial(make, event)) for event in events)


def made(chunk: bytes | Part) -> bytes:
    return chunk.make() if isinstance(chunk, Part) else chunk


def output_makers(site: Site, html_paths: list[str], environ: Mapping[str, str] | None = None,
                  event_keys: Mapping[str, str] | None = None) -> dict[str, Callable[[], Iterable[bytes | Part]]]:
    """Every machine-readable file, not yet made: {path relative to the site root: maker}.

    Each file is made only when its maker is called, and comes in pieces
    (an event at a time), so a build writes each piece as it is made and a
    record of any size is never held whole in memory; the preview makes a
    file only when it is asked for. With `event_keys` (event id → digest of
    everything the event shows), the piece of each event comes as a Part.
    `html_paths` are the site's HTML pages (for the sitemap). `environ`
    defaults to os.environ and is consulted for SOURCE_DATE_EPOCH only.
    """
    from . import data, feed, ical, seo, timelinejs

    when = build_time(environ)
    keys = event_keys
    makers = {
        "feed.xml": lambda: [feed.render_feed(site, when)],
        "events.ics": lambda: ical.render_ical(site, when, keys),
        "timeline.json": lambda: timelinejs.render_timelinejs(site, keys),
        "events.json": lambda: data.render_json(site, keys),
        "events.json.schema.json": lambda: [data.json_schema_bytes()],
        "events.csv": lambda: data.render_csv(site, keys),
        "robots.txt": lambda: [seo.render_robots(site)],
    }
    if site.info.base_url:
        makers["sitemap.xml"] = lambda: [seo.render_sitemap(site, html_paths)]
    assert makers.keys() <= OUTPUT_FILES
    return dict(sorted(makers.items()))


def render_outputs(site: Site, html_paths: list[str], environ: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """Every machine-readable file: {path relative to the site root: bytes}."""
    return {path: b"".join(map(made, make())) for path, make in output_makers(site, html_paths, environ).items()}


_JSON = dict(ensure_ascii=False, sort_keys=True, indent=1)
_MARK = "\x00items\x00"


def json_chunks(outer: dict, key: str, items: Iterable) -> Iterator[bytes | Part]:
    """Exactly `json.dumps(outer with outer[key] = list(items), ensure_ascii=False,
    sort_keys=True, indent=1) + "\n"` in UTF-8, made one item at a time.

    `key` is a key of the top-level object, so each item's lines are
    indented two levels. JSON strings hold no raw newline, so the item's
    text can be indented line by line. An item given as a Part (making the
    item) comes out as a Part (making its bytes).
    """
    head, _, tail = json.dumps({**outer, key: [_MARK]}, **_JSON).partition("  " + json.dumps(_MARK))
    first = True
    for item in items:
        yield head.encode("utf-8") if first else b",\n"
        yield Part(item.key, partial(_made_json_item, item.make)) if isinstance(item, Part) else _json_item(item)
        first = False
    if first:  # no items: the list is written as []
        yield (json.dumps({**outer, key: []}, **_JSON) + "\n").encode("utf-8")
    else:
        yield (tail + "\n").encode("utf-8")


def _json_item(item) -> bytes:
    return "\n".join("  " + line for line in json.dumps(item, **_JSON).split("\n")).encode("utf-8")


def _made_json_item(make: Callable[[], object]) -> bytes:
    return _json_item(make())


# --- shared by the feed and the TimelineJS slides ----------------------------------

def when_text(event: Event) -> str:
    """'16 May 2025', 'c. May 2025', '13–15 May 2025', plus the time of a moment."""
    when = display_range(event.date, event.end, event.circa)
    time = event.date.time_display()
    return f"{when}, {time}" if time else when


def event_html(site: Site, event: Event, show_when: bool = True) -> str:
    """The event as an HTML fragment: date, summary, notes and every citation.

    Data is escaped; the summary and notes go through the site's Markdown
    sanitiser. Source links point at the highlighted passage on the source
    page, absolute when the site has a base_url, else relative to its root.
    `show_when=False` leaves the date out, for readers that show it anyway.
    """

    def cite(citation) -> str:
        source = site.sources[citation.source_id]
        url = site_url(site, f"sources/{source.id}/#{citation.anchor}")
        return f'“{escape(citation.quote)}” — <a href="{escape(url)}">{escape(source.title)}</a>'

    facts = [f"<strong>{escape(when_text(event))}</strong>"] if show_when else []
    if event.duration_minutes:
        facts.append(f"lasted {escape(duration_words(event.duration_minutes))}")
    if event.place:
        facts.append(escape(event.place))
    parts = [f"<p>{' · '.join(facts)}</p>"] if facts else []
    if event.date_note:
        parts.append(f"<p><em>Date supplied by the editors:</em> {escape(event.date_note)}</p>")
    parts.append(markdown_html(event.summary))
    if event.editor_note:
        parts.append("<p><em>Editors' note:</em></p>")
        parts.append(markdown_html(event.editor_note))
    parts.append("<p>Sources:</p><ul>")
    parts.extend(f"<li>{cite(c)}</li>" for c in event.citations)
    parts.append("</ul>")
    for difference in event.differences:
        parts.append(f"<p>The sources differ on {escape(difference.about)}:</p><ul>")
        parts.extend(f"<li>{escape(v.claim)}: {cite(v.citation)}</li>" for v in difference.versions)
        parts.append("</ul>")
        if difference.note:
            parts.append(f"<p>{escape(difference.note)}</p>")
    return "".join(parts)
