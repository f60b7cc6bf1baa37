"""Machine-readable outputs of the timeline, each a small pure function of the model.

| file | module | for |
| --- | --- | --- |
| ``feed.xml``, ``corrections.xml`` | :mod:`.feed` | feed readers (Atom, RFC 4287) |
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
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from timeline.record.model import Event, Site
from timeline.render.markdown import Markdown
from timeline.render.when import words
from timeline.site import urls

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


def site_url(site: Site, url: str = "") -> str:
    """`url` (relative to the site root) made absolute when the site has a base_url."""
    return urls.absolute(site.info.base_url, url)


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
    start = event.date.sort_key()[0]  # its earliest day, or its end's when the start is open
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
OUTPUT_FILES = frozenset({"feed.xml", "corrections.xml", "events.ics", "timeline.json", "events.json",
                          "events.json.schema.json",
                          "events.csv", "robots.txt", "sitemap.xml"})


class Layout:
    """A data file that shows each event in turn: `head`, then each event's
    piece, `separator` between two pieces, then `tail`; `empty` alone when
    there are no events. Iterated, it gives those bytes in order, a piece
    at a time, so that a file of any size is never held whole.

    With `keys` (one per event: a digest of everything its piece shows), a
    build may copy a piece from the last build's file instead of making it
    (see timeline.publish.publish); the job's salt stands for whatever else the head,
    pieces and tail show. Pieces are made one at a time by `make(i)`."""

    __slots__ = ("head", "separator", "tail", "empty", "events", "make_piece", "keys")

    def __init__(self, head: bytes, separator: bytes, tail: bytes, empty: bytes, events: Iterable[Event],
                 make_piece: Callable[[Event], bytes], keys: Mapping[str, str] | None = None):
        self.head, self.separator, self.tail, self.empty = head, separator, tail, empty
        self.events = list(events)
        self.make_piece = make_piece
        self.keys = [keys[event.id] for event in self.events] if keys is not None else None

    def make(self, i: int) -> bytes:
        return self.make_piece(self.events[i])

    def __iter__(self) -> Iterator[bytes]:
        if not self.events:
            yield self.empty
            return
        yield self.head
        for i, event in enumerate(self.events):
            if i:
                yield self.separator
            yield self.make_piece(event)
        yield self.tail


EventHtml = Callable[[Event, bool], str]  # an event as an HTML fragment, with or without its date


def output_makers(site: Site, markdown: Markdown, event_html: EventHtml, html_paths: list[str],
                  environ: Mapping[str, str] | None = None,
                  event_keys: Mapping[str, str] | None = None) -> dict[str, Callable[[], Iterable[bytes]]]:
    """Every machine-readable file, not yet made: {path relative to the site root: maker}.

    Each file is made only when its maker is called, and comes in pieces
    (an event at a time), so a build writes each piece as it is made and a
    record of any size is never held whole in memory; the preview makes a
    file only when it is asked for. With `event_keys` (event id → digest of
    everything the event shows), each Layout carries a key per event.
    `event_html` renders an event for the feed and the TimelineJS slides
    through the templates' own pieces (see site.plan).
    `html_paths` are the site's HTML pages (for the sitemap). `environ`
    defaults to os.environ and is consulted for SOURCE_DATE_EPOCH only.
    """
    from timeline.render.outputs import data, feed, ical, seo, timelinejs

    when = build_time(environ)
    keys = event_keys
    makers = {
        "feed.xml": lambda: [feed.render_feed(site, event_html, when)],
        "corrections.xml": lambda: [feed.render_corrections_feed(site, markdown, when)],
        "events.ics": lambda: ical.render_ical(site, markdown, when, keys),
        "timeline.json": lambda: timelinejs.render_timelinejs(site, event_html, keys),
        "events.json": lambda: data.render_json(site, markdown, keys),
        "events.json.schema.json": lambda: [data.json_schema_bytes()],
        "events.csv": lambda: data.render_csv(site, markdown, keys),
        "robots.txt": lambda: [seo.render_robots(site)],
    }
    if site.info.base_url:
        makers["sitemap.xml"] = lambda: [seo.render_sitemap(site, html_paths)]
    assert makers.keys() <= OUTPUT_FILES
    return dict(sorted(makers.items()))


_JSON = dict(ensure_ascii=False, sort_keys=True)
_MARK = "\x00items\x00"


def json_layout(outer: dict, key: str, events: Iterable[Event], make_item: Callable[[Event], object],
                keys: Mapping[str, str] | None = None) -> Layout:
    """`outer` with outer[key] = [make_item(e) for e in events], as JSON in
    UTF-8 and as a Layout: indented by one space, except that each item
    is one line. A diff of two versions then lists the events that
    changed, and each item is made by json's C encoder, which an indented
    dump does not use (the indented events.json took twice the time).

    `key` is a key of the top-level object, so each item's line is
    indented two levels.
    """
    head, _, tail = json.dumps({**outer, key: [_MARK]}, indent=1, **_JSON).partition("  " + json.dumps(_MARK))
    empty = json.dumps({**outer, key: []}, indent=1, **_JSON) + "\n"
    return Layout(head.encode("utf-8"), b",\n", (tail + "\n").encode("utf-8"), empty.encode("utf-8"), events,
                  lambda event: _json_item(make_item(event)), keys)


def _json_item(item) -> bytes:
    return ("  " + json.dumps(item, **_JSON)).encode("utf-8")


# --- shared by the feed and the TimelineJS slides ----------------------------------

def when_text(event: Event) -> str:
    """'16 May 2025', 'c. May 2025', '13–15 May 2025', plus the time of a moment."""
    when = words(event.date, event.end)
    time = event.date.time_display()
    return f"{when}, {time}" if time else when
