"""``feed.xml``: the events as an Atom feed (RFC 4287), newest first.

- Ids are ``tag:`` URIs (RFC 4151) built from the site's host name (or a
  fixed name when there is no base_url) and the event id, so they stay the
  same across builds and when the site moves to another path.
- ``updated`` of an entry is the event's date at its start (00:00 UTC of its
  first day, or of its end's when the start is open or unknown; a moment
  converted to UTC). The feed's ``updated`` is the latest
  entry's, or the SOURCE_DATE_EPOCH build time when that is set. No clock.
- Each entry's title starts with the date as the site shows it ("c. May
  2025: ..."), because ``updated`` must be a full timestamp and would
  otherwise suggest a precision the data does not have.
- Links are absolute when the site has a base_url, otherwise relative to
  the feed, which sits at the site root. A ``rel="self"`` link (which must
  be absolute to be useful) is given only with a base_url.
- The content is escaped HTML: the summary with its note references and
  the notes below, every cited passage with a link to it, highlighted on
  its source page. A reader resolves a link against the feed, so a note
  reference leads to the note on the event's page.
- Built with xml.etree, so every text and attribute is escaped; characters
  XML cannot carry are removed first.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from timeline.record.model import Event, Site
from timeline.render.markdown import Markdown
from timeline.render.outputs import (
    TAG_DATE,
    EventHtml,
    authority,
    event_start_utc,
    site_url,
    utc,
    when_text,
    xml_safe,
)
from timeline.site import urls
from timeline.site.changes import LABELS, day_words

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _timestamp(moment: dt.datetime) -> str:
    m = utc(moment)  # formatted by hand: strftime writes year 1 as "1", not "0001"
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    import xml.etree.ElementTree as ET

    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def tag_uri(site: Site, specific: str) -> str:
    return f"tag:{authority(site)},{TAG_DATE}:{specific}"


def newest_first(site: Site) -> list[Event]:
    """Events by date, latest first; events of the same date keep file order."""
    return sorted(site.events, key=lambda e: e.date.sort_key(), reverse=True)


# Feed readers show the latest entries; the whole record is in events.json
# and events.ics. Without a limit the feed of 100,000 events was 185 MB.
FEED_ENTRIES = 100


def feed_memo(site: Site, event_keys: Mapping[str, str]) -> tuple:
    """What the feed shows of the record, given a key of each event
    (everything it shows): the latest events and the latest start."""
    latest = newest_first(site)[:FEED_ENTRIES]
    return tuple(event_keys[e.id] for e in latest), _latest_start(site)


def _latest_start(site: Site) -> dt.datetime | None:
    return max((event_start_utc(e) for e in site.events), default=None)


def _feed(site: Site, name: str, title: str, subtitle: str, updated: dt.datetime | None, page: str,
          path: str) -> ET.Element:
    """A feed with what RFC 4287 asks of it before its entries: its `name`d
    id, title, time, author, the page it follows and, with a base_url, itself."""
    import xml.etree.ElementTree as ET

    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: site.info.language})
    _add(feed, "id", tag_uri(site, name))
    _add(feed, "title", title)
    if subtitle:
        _add(feed, "subtitle", subtitle)
    _add(feed, "updated", _timestamp(updated or dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)))
    author = _add(feed, "author")
    _add(author, "name", site.info.title)
    _add(feed, "link", rel="alternate", type="text/html", href=page)
    if site.info.base_url:
        _add(feed, "link", rel="self", type="application/atom+xml", href=site_url(site, path))
    return feed


def render_feed(site: Site, event_html: EventHtml, build_time: dt.datetime | None = None) -> bytes:
    """The Atom feed of the FEED_ENTRIES latest events."""
    # Imported here: the feed is made only when its latest events change,
    # and a build that does not make it saved 6 ms of imports.
    import xml.etree.ElementTree as ET

    info = site.info
    events = newest_first(site)[:FEED_ENTRIES]
    feed = _feed(site, "feed", info.title, info.description, build_time or _latest_start(site),
                 site_url(site) or "./", urls.FEED)
    for event in events:
        entry = _add(feed, "entry")
        _add(entry, "id", tag_uri(site, f"events/{event.id}"))  # an identifier, fixed for good: not a URL
        _add(entry, "title", f"{when_text(event)}: {event.title}")
        _add(entry, "updated", _timestamp(event_start_utc(event)))
        _add(entry, "link", rel="alternate", type="text/html", href=site_url(site, urls.event(event.id)))
        for tag in event.tags:
            _add(entry, "category", term=tag)
        _add(entry, "content", _on_its_page(event_html(event, True), site_url(site, urls.event(event.id))), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _on_its_page(html: str, page_url: str) -> str:
    """`html` with its in-page links ("#note-…") made links into the event's page."""
    return html.replace('href="#', f'href="{page_url}#')


def corrections_memo(site: Site) -> tuple:
    """What the corrections feed shows of the record."""
    return tuple((e.id, e.title, e.corrections) for e in site.events if e.corrections)


def render_corrections_feed(site: Site, markdown: Markdown, build_time: dt.datetime | None = None) -> bytes:
    """The Atom feed of every correction, newest first: each entry says what
    was wrong and what is right, and links to the note on its event's page."""
    import xml.etree.ElementTree as ET

    entries = _corrections_newest_first(site)
    latest = _day_start(entries[0][1].date) if entries else None
    feed = _feed(site, "corrections", f"{site.info.title}: corrections", "", build_time or latest,
                 site_url(site, urls.CORRECTIONS), urls.CORRECTIONS_FEED)
    for event, correction, number in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", tag_uri(site, f"corrections/{event.id}/{correction.date.isoformat()}/{number}"))
        label = f"{LABELS[correction.kind]} {day_words(correction.date)}"
        _add(entry, "title", f"{label}: {event.title}")
        _add(entry, "updated", _timestamp(_day_start(correction.date)))
        page = site_url(site, urls.event(event.id))
        _add(entry, "link", rel="alternate", type="text/html", href=f"{page}#{urls.correction_id(event.id, number)}")
        _add(entry, "category", term=correction.kind)
        _add(entry, "content", str(markdown.html(correction.note)), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _corrections_newest_first(site: Site) -> list:
    """(event, correction, its number on the event's page), newest first; on one day in timeline order."""
    found = [(event, c, n) for event in site.events for n, c in enumerate(event.corrections, 1)]
    return sorted(found, key=lambda item: item[1].date, reverse=True)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
