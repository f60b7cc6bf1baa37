"""``timeline.json``: the events in Knight Lab's TimelineJS JSON format.

The format (https://timeline.knightlab.com/docs/json-format.html): a
``title`` slide with ``text.headline``/``text.text``, and ``events``, each
with a ``start_date`` {year, month, day, hour, minute, display_date}, an
optional ``end_date``, ``text`` {headline, text (HTML)}, ``display_date``,
``group`` and ``unique_id``.

- A date carries only the parts the data has: a month-precision event has
  ``{"year", "month"}`` and no day, a year-precision one, a season or a
  decade only ``year`` (the first the date allows). An interval has an
  ``end_date`` when both its ends are known; with an open or unknown start
  it starts at its end. The slide's ``display_date`` says it as the site
  does ("c. May 2025", "spring 2022", "between April and November 2022"),
  so TimelineJS never shows a day it would otherwise default to, and what
  it has no field for (a qualifier) is said in words.
- A moment keeps the clock time as written, in its own offset: TimelineJS
  reads dates in the viewer's local time and has no time zones, so the
  ``display_date`` names the offset ("16 May 2025, 15:00 UTC+03:00").
- ``group`` is the event's first tag (TimelineJS gives each group a row),
  ``unique_id`` the event id (used in URLs when hash bookmarks are on).
- Headlines are plain text escaped as HTML (TimelineJS reads them as HTML);
  ``text.text`` holds the summary and every cited passage with a link to
  it, absolute with a base_url, else relative to the site root (where a page
  embedding the timeline is expected to live); the date is left out of it,
  since TimelineJS shows ``display_date`` above it. ``autolink`` is off:
  the links are given explicitly.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from html import escape

from timeline.record.dates import PartialDate
from timeline.record.model import Event, Site
from timeline.render.outputs import EventHtml, Layout, json_layout, when_text
from timeline.render.when import point_text


def date_object(date: PartialDate, display: str | None = None) -> dict:
    """{year, month?, day?, hour?, minute?}: never a part the data lacks."""
    value: dict = {"year": date.year}  # a season's or decade's first year: TimelineJS needs one
    if date.month is not None:
        value["month"] = date.month
    if date.day is not None:
        value["day"] = date.day
    if date.moment is not None:
        value["hour"] = date.moment.hour
        value["minute"] = date.moment.minute
    if display:
        value["display_date"] = display
    return value


def slide(event_html: EventHtml, event: Event) -> dict:
    data = {
        "unique_id": event.id,
        "start_date": date_object(event.date.anchor, point_text(event.date.anchor)),
        "display_date": when_text(event),
        "text": {"headline": escape(event.title), "text": event_html(event, False)},
        "autolink": False,
    }
    if event.end is not None:
        data["end_date"] = date_object(event.end, point_text(event.end))
    elif event.date.interval and event.date.lower and event.date.upper:
        data["end_date"] = date_object(event.date.upper, point_text(event.date.upper))
    if event.tags:
        data["group"] = event.tags[0]
    return data


def timeline_data(site: Site, event_html: EventHtml) -> dict:
    return {**_frame(site), "events": [slide(event_html, e) for e in site.events]}


def _frame(site: Site) -> dict:
    title = {"text": {"headline": escape(site.info.title), "text": escape(site.info.description)}}
    return {"title": title, "scale": "human"}


def render_timelinejs(site: Site, event_html: EventHtml, keys: Mapping[str, str] | None = None) -> Layout:
    """timeline.json, a slide at a time (the same bytes as dumping
    timeline_data()); see output_makers for `keys`."""
    return json_layout(_frame(site), "events", site.events, partial(slide, event_html), keys)
