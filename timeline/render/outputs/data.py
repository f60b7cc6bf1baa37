"""``events.json`` and ``events.csv``: the whole record, for reuse.

``events.json`` is the normalised record: the site, every source and every
event with all its fields, in the site's order (by date, ties in file order).
Its shape is the JSON Schema in ``events_json.schema.json`` beside this
module, published next to it as ``events.json.schema.json``. In short:

- ``date`` is ``{"edtf": "2022-04/2022-11", "earliest": "2022-04-01",
  "latest": "2022-11-30", "approximate": false, "uncertain": false}``:
  the EDTF string as written in events.toml (surrounding spaces removed;
  a TOML date or offset date-time in its ISO form; for the earlier
  format's ``circa`` and ``end``, the EDTF their hint gives), and the first and last day it allows
  (``null`` where an interval's end is open or unknown);
- ``end``, for an event whose date is a moment, is the moment it ended:
  ``{"iso": "2026-02-17T16:00:00+01:00", "precision": "time"}``;
- an absent optional value is ``null`` (never ``""``); lists are ``[]``;
- ``summary`` is the Markdown as written without its citation markers;
  ``sentences`` gives it sentence by sentence (Markdown, markers removed),
  each with the numbers of the citations it rests on (1 is the first of
  ``citations``);
- citations (and each version of a difference) give the source id, the
  quote as written in events.toml, the character span ``start``/``end`` of
  the passage in the archived document's text (Unicode code points,
  end exclusive), the ``anchor`` of the highlighted passage on the source
  page and its ``url``;
- ``url``s are absolute when the site has a base_url, else relative to the
  site root;
- left out on purpose: the line of each event in events.toml (it changes
  with unrelated edits) and the absolute path of each archived file on the
  building machine (it would make the output differ between machines).

``events.csv`` has one row per event (RFC 4180: comma-separated, CRLF,
UTF-8 without a byte-order mark), with the columns of :data:`CSV_COLUMNS`;
lists are joined with "; ".
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from timeline.record.dates import EventDate, PartialDate
from timeline.record.model import Citation, Event, Site, Source
from timeline.record.sentences import strip_markers
from timeline.render.markdown import Markdown
from timeline.render.notes import words_of
from timeline.render.outputs import Layout, json_layout, site_url, when_text
from timeline.site import urls

FORMAT_VERSION = 2  # 2: EDTF dates (date.edtf, earliest, latest); no 'circa'
SCHEMA_PATH = Path(__file__).with_name("events_json.schema.json")
CSV_COLUMNS = (
    "id", "date", "earliest", "latest", "end", "title", "summary", "place",
    "actors", "tags", "sources", "citations", "url",
)


def _or_none(value):
    return value if value not in ("", None) else None


def date_record(date: EventDate) -> dict:
    earliest, latest = date.earliest(), date.latest()
    return {"edtf": date.text, "earliest": earliest and earliest.isoformat(), "latest": latest and latest.isoformat(),
            "approximate": date.approximate, "uncertain": date.uncertain}


def end_record(end: PartialDate | None) -> dict | None:
    return None if end is None else {"iso": end.iso(), "precision": end.precision}


def citation_record(site: Site, citation: Citation) -> dict:
    return {
        "source": citation.source_id,
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "anchor": citation.anchor,
        "url": site_url(site, urls.passage(citation.source_id, citation.anchor)),
    }


def source_record(site: Site, source: Source) -> dict:
    return {
        "id": source.id,
        "title": source.title,
        "title_assigned": source.title_assigned,
        "kind": _or_none(source.kind),
        "publisher": _or_none(source.publisher),
        "url": _or_none(source.url),
        "file": source.file,
        "note": _or_none(source.note),
        "page": site_url(site, urls.source(source.id)),
        "archive": site_url(site, urls.archive(source.id, Path(source.file).name)),
    }


def event_record(site: Site, markdown: Markdown, event: Event) -> dict:
    return {
        "id": event.id,
        "url": site_url(site, urls.event(event.id)),
        "date": date_record(event.date),
        "end": end_record(event.end),
        "when": when_text(event),
        "date_note": _or_none(event.date_note),
        "date_supplied": event.date_is_supplied,
        "title": event.title,
        "summary": strip_markers(event.summary),
        "summary_text": words_of(markdown, event.summary),
        "sentences": [{"text": s.plain, "citations": list(s.markers)} for s in event.sentences],
        "place": _or_none(event.place),
        "actors": list(event.actors),
        "tags": list(event.tags),
        "duration_minutes": event.duration_minutes,
        "editor_note": _or_none(strip_markers(event.editor_note)),
        "citations": [citation_record(site, c) for c in event.citations],
        "differences": [
            {
                "about": d.about,
                "note": _or_none(d.note),
                "versions": [{"claim": v.claim, **citation_record(site, v.citation)} for v in d.versions],
            }
            for d in event.differences
        ],
        "corrections": [{"date": c.date.isoformat(), "kind": c.kind, "note": c.note} for c in event.corrections],
    }


def record(site: Site, markdown: Markdown) -> dict:
    """The whole record as events.json holds it."""
    return {**_record_head(site), "events": [event_record(site, markdown, e) for e in site.events]}


def _record_head(site: Site) -> dict:
    info = site.info
    return {
        "format_version": FORMAT_VERSION,
        "site": {
            "title": info.title,
            "description": _or_none(info.description),
            "language": info.language,
            "base_url": _or_none(info.base_url),
        },
        "sources": [source_record(site, s) for s in sorted(site.sources.values(), key=lambda s: s.id)],
    }


def render_json(site: Site, markdown: Markdown, keys: Mapping[str, str] | None = None) -> Layout:
    """events.json, an event at a time (the same bytes as dumping record());
    see output_makers for `keys`."""
    return json_layout(_record_head(site), "events", site.events, partial(event_record, site, markdown), keys)


def json_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def json_schema_bytes() -> bytes:
    """The schema as published: re-serialised, so its bytes do not depend on the file's layout."""
    return (json.dumps(json_schema(), ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def csv_row(site: Site, markdown: Markdown, event: Event) -> dict:
    return {
        "id": event.id,
        "date": event.date.text,
        "earliest": event.date.earliest() or "",
        "latest": event.date.latest() or "",
        "end": event.end.iso() if event.end else "",
        "title": event.title,
        "summary": words_of(markdown, event.summary),
        "place": event.place,
        "actors": "; ".join(event.actors),
        "tags": "; ".join(event.tags),
        "sources": "; ".join(sorted({c.source_id for c in event.all_citations()})),
        "citations": str(len(event.all_citations())),
        "url": site_url(site, urls.event(event.id)),
    }


def _inert(cell):
    """A cell a spreadsheet will not run: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe, as OWASP advises
    against CSV injection; spreadsheets show the text, without it."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def render_csv(site: Site, markdown: Markdown, keys: Mapping[str, str] | None = None) -> Layout:
    """events.csv, a row at a time; see output_makers for `keys`."""
    header = _csv_text(None)
    return Layout(header, b"", b"", header, site.events, partial(_csv_line, site, markdown), keys)


def _csv_line(site: Site, markdown: Markdown, event: Event) -> bytes:
    return _csv_text({key: _inert(value) for key, value in csv_row(site, markdown, event).items()})


def _csv_text(row: dict | None) -> bytes:
    """One row of the file, or its header when `row` is None."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader() if row is None else writer.writerow(row)
    return out.getvalue().encode("utf-8")
