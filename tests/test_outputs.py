"""The machine-readable outputs, each read back with a real parser.

feedparser reads the Atom feed, icalendar the calendar, jsonschema checks
events.json against its published schema and events.toml against
events.schema.json, the csv module reads events.csv and xml.etree the
sitemap. Counts and key fields are compared with the shipped events.toml and
with a small project (written here) that has every kind of date and some
hostile text. The schema and the validator are checked to agree: what the
validator accepts the schema accepts, and structural mistakes are rejected
by both.
"""
from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import html
import io
import itertools
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest

from timeline.commands.check import check
from timeline.commands.new_event import new_event_text
from timeline.record.dates import DateError, parse_date
from timeline.record.sentences import split_sentences, strip_markers
from timeline.render.markdown import Markdown
from timeline.render.outputs import DEFAULT_AUTHORITY, data
from timeline.render.outputs.seo import event_jsonld, site_jsonld
from timeline.render.when import point_text, words
from timeline.site.pages import Pages
from timeline.site.plan import event_html, render_outputs, render_site

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events.toml"
BAD = ROOT / "tests" / "bad"
TOML_SCHEMA = ROOT / "events.schema.json"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE_URL = "https://example.org/timeline/"

# A small project with every kind of date, every field and some hostile text:
# a title that tries to close a <script>, TOML escapes for a control character
# (which XML cannot carry), and the characters iCalendar must escape.
FIXTURE = r'''
[site]
title = "Test timeline"
description = "A test, with commas; semicolons and a backslash \\ too."
language = "en-GB"

[sources.sample]
title = "Sample document"
file = "sources/sample.txt"
publisher = "Sample Press"
url = "https://example.org/sample"
note = "An *editors'* note."

[sources.other]
title = "Other document"
title_assigned = true
file = "sources/other.txt"

[[events]]
id = "year-event"
date = "2022~"
date_note = "The editors place it in 2022."
title = "Something in 2022"
summary = "Known to the year only."
tags = ["context"]

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met"

[[events]]
id = "month-event"
date = "2022-03"
title = "Something in March"
summary = "Known to the month only."
actors = ["Russia", "Ukraine"]
tags = ["talks", "context"]

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met in Istanbul."

[[events]]
id = "day-event"
date = "2022-03-29/2022-03-31"
title = "Talks over three days"
summary = "Delegations **meet**."
place = "Istanbul"
actors = ["Russia", "Ukraine", "Turkey"]
tags = ["talks"]
duration = "6h"
editor_note = "The editors add this."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met in Istanbul."

  [[events.citations]]
  source = "sample"
  quote = "The second round lasted six hours"

  [[events.differences]]
  about = "how long they talked"
  note = "The documents differ."

    [[events.differences.versions]]
    claim = "Six hours"
    source = "sample"
    quote = "lasted six hours"

    [[events.differences.versions]]
    claim = "It was about sanctions"
    source = "other"
    quote = "written in 2025, about sanctions"

[[events]]
id = "moment-event"
date = 2022-03-29T15:00:00+03:00
end = 2022-03-29T17:30:00+03:00
title = "Hostile </script><script>alert(1)</script> title, with; a \\ backslash & \"quotes\" <!-- and a comment opener"
summary = """
A summary with <script>alert(1)</script> and ]]> and
a second line.
"""
place = "Dolmabahçe Palace, Istanbul"
tags = ["talks"]

  [[events.citations]]
  source = "sample"
  quote = "Nothing’s going to happen until we meet"
  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met"

[[events]]
id = "moment-duration"
date = 2022-03-30T09:00:00Z
duration = "1h30m"
title = "A timed session"
summary = "It lasted ninety minutes."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations"

[[events]]
id = "circa-day"
date = "2022-04-02~/2022-05"
date_note = "The editors give the day; the end is known to the month."
title = "About the second of April"
summary = "Approximate."
tags = ["statement"]

  [[events.citations]]
  source = "other"
  quote = "A second document"

[[events]]
id = "spring-event"
date = "2022-21"
title = "Something in spring"
summary = "Known to the season only."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met"

[[events]]
id = "before-december"
date = "../2022-12"
title = "Something before December"
summary = "Known only to have come before December."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met"

[[events]]
id = "uncertain-month"
date = "2025-02?"
date_note = "The editors identify it with a meeting in February 2025."
title = "Perhaps in February"
summary = "Its identification may be wrong."

  [[events.citations]]
  source = "other"
  quote = "written in 2025, about sanctions"
'''
# Only days and moments without a qualifier, and intervals of them, are in the calendar.
FIXTURE_CALENDAR_IDS = {"day-event", "moment-event", "moment-duration"}


# --- helpers ------------------------------------------------------------------

def make_project(root: Path, text: str = FIXTURE) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    for name in ("sample.txt", "other.txt"):
        (root / "sources" / name).write_bytes((BAD / "sources" / name).read_bytes())
    path = root / "events.toml"
    path.write_text(text, encoding="utf-8")
    return path


def with_base_url(site, base_url: str = BASE_URL):
    return dataclasses.replace(site, info=dataclasses.replace(site.info, base_url=base_url))


def html_paths_of(site) -> list[str]:
    return sorted(p for p in render_site(site) if p.endswith(".html"))


def as_json_types(value):
    """TOML values as a JSON Schema sees them: dates and times become RFC 3339 text."""
    if isinstance(value, dict):
        return {k: as_json_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_types(v) for v in value]
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    return value


def schema_validator(schema: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def toml_schema_errors(text: str) -> list[str]:
    validator = schema_validator(json.loads(TOML_SCHEMA.read_text(encoding="utf-8")))
    return [e.message for e in validator.iter_errors(as_json_types(tomllib.loads(text)))]


def unfold(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


# --- fixtures -------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_html(shipped):
    return html_paths_of(shipped)


@pytest.fixture(scope="module")
def outputs(shipped, shipped_html):
    return render_outputs(shipped, shipped_html, environ={})


@pytest.fixture(scope="module")
def outputs_with_base(shipped, shipped_html):
    return render_outputs(with_base_url(shipped), shipped_html, environ={})


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    path = make_project(tmp_path_factory.mktemp("project"))
    site, problems = check(path, "events.toml")
    assert site is not None, "\n".join(map(str, problems))
    return site


@pytest.fixture(scope="module")
def fixture_outputs(fixture_site):
    return render_outputs(fixture_site, html_paths_of(fixture_site), environ={})


def test_every_output_is_written(outputs, outputs_with_base):
    expected = {"feed.xml", "corrections.xml", "events.ics", "timeline.json", "events.json",
                "events.json.schema.json", "events.csv", "robots.txt"}
    assert set(outputs) == expected  # no sitemap without a base_url
    assert set(outputs_with_base) == expected | {"sitemap.xml"}
    assert all(isinstance(v, bytes) and v for v in outputs.values())


# --- Atom ---------------------------------------------------------------------

def test_feed_parses_as_atom_with_an_entry_per_event(outputs, shipped):
    feed = feedparser.parse(outputs["feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(shipped.events)
    assert feed.feed.title == shipped.info.title
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"tag:{DEFAULT_AUTHORITY},2025:events/") for i in ids)
    assert feed.feed.id == f"tag:{DEFAULT_AUTHORITY},2025:feed"


def test_corrections_feed_is_atom_with_an_entry_per_correction_newest_first(outputs, outputs_with_base, shipped):
    feed = feedparser.parse(outputs["corrections.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    corrections = [(e, c) for e in shipped.events for c in e.corrections]
    assert corrections and len(feed.entries) == len(corrections)
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"tag:{DEFAULT_AUTHORITY},2025:corrections/") for i in ids)
    assert [entry.updated for entry in feed.entries] == sorted((entry.updated for entry in feed.entries), reverse=True)
    latest = max(c.date for _, c in corrections)
    assert feed.feed.updated == f"{latest.isoformat()}T00:00:00Z"
    labels = {"correction": "Corrected", "clarification": "Clarified", "update": "Updated"}
    titles = {f"{labels[c.kind]} {c.date.day} {c.date:%B %Y}: {e.title}" for e, c in corrections}
    assert {entry.title for entry in feed.entries} == titles
    for entry in feed.entries:
        assert entry.link.startswith("events/") and "#correction-" in entry.link
        assert entry.summary.strip()
    root = ET.fromstring(outputs_with_base["corrections.xml"])
    atom = "{http://www.w3.org/2005/Atom}"
    for element in [root, *root.findall(f"{atom}entry")]:  # RFC 4287's required elements
        for required in ("id", "title", "updated"):
            assert element.find(f"{atom}{required}") is not None
    self_link = root.find(f"{atom}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == BASE_URL + "corrections.xml"


def test_feed_newest_first_with_data_derived_updated(outputs, shipped):
    feed = feedparser.parse(outputs["feed.xml"])
    by_id = {e.id: e for e in shipped.events}
    order = [by_id[entry.id.rsplit("/", 1)[1]] for entry in feed.entries]
    keys = [e.date.sort_key() for e in order]
    assert keys == sorted(keys, reverse=True)
    for entry, event in zip(feed.entries, order):
        start = event.date.earliest() or event.date.upper.start()
        assert entry.updated == f"{start.isoformat()}T00:00:00Z"
    assert feed.feed.updated == max(e.updated for e in feed.entries)


def test_feed_entries_link_to_permalinks_and_cite_every_passage(outputs, shipped):
    feed = feedparser.parse(outputs["feed.xml"])
    for entry in feed.entries:
        event = next(e for e in shipped.events if entry.id.endswith("/" + e.id))
        assert entry.link == f"events/{event.id}/"
        assert entry.title == f"{words(event.date)}: {event.title}"
        content = entry.content[0]
        assert content.type == "text/html"
        for citation in event.all_citations():
            assert f'href="sources/{citation.source_id}/#{citation.anchor}"' in content.value
            text = html.unescape(content.value)  # the feed parser spells entities its own way
            assert citation.quote in text
            assert shipped.sources[citation.source_id].title in text


def test_feed_required_elements_with_a_strict_xml_parser(outputs_with_base, shipped):
    root = ET.fromstring(outputs_with_base["feed.xml"])
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == BASE_URL + "feed.xml"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(shipped.events)
    for entry in entries:
        for tag in ("id", "title", "updated", "content"):
            assert entry.find(f"{ATOM}{tag}") is not None
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith(BASE_URL + "events/")
        assert f'href="{BASE_URL}sources/' in entry.find(f"{ATOM}content").text
    # Ids do not depend on the base_url path, only on the host.
    assert root.find(f"{ATOM}id").text == "tag:example.org,2025:feed"


def test_feed_relative_links_without_base_url(outputs):
    root = ET.fromstring(outputs["feed.xml"])
    assert root.find(f"{ATOM}link[@rel='self']") is None
    assert b"https://" not in outputs["feed.xml"].replace(b"http://www.w3.org/2005/Atom", b"")


def test_feed_survives_hostile_text(fixture_outputs, fixture_site):
    raw = fixture_outputs["feed.xml"]
    root = ET.fromstring(raw)  # a strict parser (control characters are refused by the checker)
    assert "\x07" not in raw.decode("utf-8")
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == len(fixture_site.events)
    hostile = next(e for e in feed.entries if e.id.endswith("/moment-event"))
    assert "</script><script>alert(1)</script> title" in hostile.title
    assert "<script>" not in hostile.content[0].value  # the sanitiser removed it from the summary
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    # A moment is converted to UTC for `updated`.
    assert hostile.updated == "2022-03-29T12:00:00Z"


# --- iCalendar -------------------------------------------------------------------

def test_ics_is_crlf_and_folded_at_75_octets(outputs, fixture_outputs):
    for raw in (outputs["events.ics"], fixture_outputs["events.ics"]):
        assert raw.endswith(b"\r\n")
        assert b"\n" not in raw.replace(b"\r\n", b"")
        for line in raw.split(b"\r\n"):
            assert len(line) <= 75, line
            line.decode("utf-8")  # folding never splits a character


def test_ics_has_a_vevent_per_day_precision_event(outputs, shipped):
    calendar = icalendar.Calendar.from_ical(outputs["events.ics"])
    vevents = calendar.walk("VEVENT")
    day_events = [e for e in shipped.events if all(p.day and not p.qualifier for p in e.date.ends()) and
                  len(e.date.ends()) == 2]
    assert len(vevents) == len(day_events) < len(shipped.events)
    assert [str(v["UID"]) for v in vevents] == [f"{e.id}@{DEFAULT_AUTHORITY}" for e in day_events]
    for vevent, event in zip(vevents, day_events):
        start = vevent.decoded("DTSTART")
        assert type(start) is dt.date and start == event.date.earliest()
        assert vevent.decoded("DTEND") == event.date.latest() + dt.timedelta(days=1)
        assert vevent.decoded("DTSTAMP") == dt.datetime(start.year, start.month, start.day, tzinfo=dt.timezone.utc)
        assert str(vevent["SUMMARY"]) == event.title
    # Month- and year-precision events, and approximate or uncertain days, are left out, as documented.
    uids = {str(v["UID"]).split("@")[0] for v in vevents}
    assert "podolyak-russia-not-serious-2025" not in uids and "six-hour-session" not in uids  # c. and ?
    gulf = next(v for v in vevents if str(v["UID"]).startswith("trump-gulf-visit-2025@"))
    assert (gulf.decoded("DTSTART"), gulf.decoded("DTEND")) == (dt.date(2025, 5, 13), dt.date(2025, 5, 17))  # 13–16 May
    assert "not known to the day, or approximate or uncertain, are on the site" in str(calendar["DESCRIPTION"])


def test_ics_moments_in_utc_and_text_escaping(fixture_outputs, fixture_site):
    raw = fixture_outputs["events.ics"]
    calendar = icalendar.Calendar.from_ical(raw)
    vevents = {str(v["UID"]).split("@")[0]: v for v in calendar.walk("VEVENT")}
    assert set(vevents) == FIXTURE_CALENDAR_IDS
    moment = vevents["moment-event"]
    assert moment.decoded("DTSTART") == dt.datetime(2022, 3, 29, 12, 0, tzinfo=dt.timezone.utc)
    assert moment.decoded("DTEND") == dt.datetime(2022, 3, 29, 14, 30, tzinfo=dt.timezone.utc)
    assert "DTSTART:20220329T120000Z" in unfold(raw)
    title = next(e.title for e in fixture_site.events if e.id == "moment-event")
    assert str(moment["SUMMARY"]) == title.replace("\x07", "")  # escaped and read back exactly
    assert "a second line." in str(moment["DESCRIPTION"])
    assert str(moment["LOCATION"]) == "Dolmabahçe Palace, Istanbul"
    assert "URL" not in moment  # no base_url: no relative URI values
    duration = vevents["moment-duration"]
    assert duration.decoded("DTEND") - duration.decoded("DTSTART") == dt.timedelta(minutes=90)
    day = vevents["day-event"]  # an interval of days: DTEND is the day after its last
    assert day.decoded("DTEND") == dt.date(2022, 4, 1)
    assert [str(c) for c in day["CATEGORIES"].cats] == ["talks"]
    calendar_description = str(calendar["DESCRIPTION"])
    assert calendar_description.startswith("A test, with commas; semicolons and a backslash \\ too.")


def test_ics_uses_the_host_and_absolute_urls_with_a_base_url(fixture_site):
    raw = render_outputs(with_base_url(fixture_site), [], environ={})["events.ics"]
    vevents = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert all(str(v["UID"]).endswith("@example.org") for v in vevents)
    assert {str(v["URL"]) for v in vevents} == {f"{BASE_URL}events/{i}/" for i in FIXTURE_CALENDAR_IDS}


# --- TimelineJS ---------------------------------------------------------------------

def test_timelinejs_json_shape(outputs, shipped):
    timeline = json.loads(outputs["timeline.json"])
    assert set(timeline) == {"title", "events", "scale"}
    assert html.unescape(timeline["title"]["text"]["headline"]) == shipped.info.title
    slides = timeline["events"]
    assert len(slides) == len(shipped.events)
    assert [s["unique_id"] for s in slides] == [e.id for e in shipped.events]
    for slide, event in zip(slides, shipped.events):
        start = slide["start_date"]
        anchor = event.date.anchor
        expected_keys = {"year"} | ({"month"} if anchor.month else set()) | ({"day"} if anchor.day else set())
        assert set(start) - {"display_date"} == expected_keys, event.id
        assert start["year"] == event.date.year
        assert html.unescape(slide["text"]["headline"]) == event.title
        assert slide["display_date"] == words(event.date)
        assert start["display_date"] == point_text(anchor)
        for citation in event.all_citations():
            assert f"sources/{citation.source_id}/#{citation.anchor}" in slide["text"]["text"]
        assert slide.get("group") == (event.tags[0] if event.tags else None)


def test_timelinejs_never_invents_a_day(outputs, shipped, fixture_outputs):
    slides = {s["unique_id"]: s for s in json.loads(outputs["timeline.json"])["events"]}
    month_event = next(e for e in shipped.events if e.date.point and e.date.point.precision == "month")
    assert slides[month_event.id]["start_date"] == {
        "year": month_event.date.year, "month": month_event.date.month, "display_date": words(month_event.date),
    }
    fixture_slides = {s["unique_id"]: s for s in json.loads(fixture_outputs["timeline.json"])["events"]}
    assert set(fixture_slides["year-event"]["start_date"]) == {"year", "display_date"}  # no year-only event is shipped
    assert slides["trump-gulf-visit-2025"]["end_date"]["day"] == 16


def test_timelinejs_moment_keeps_its_clock_and_names_the_offset(fixture_outputs):
    slides = {s["unique_id"]: s for s in json.loads(fixture_outputs["timeline.json"])["events"]}
    start = slides["moment-event"]["start_date"]
    assert (start["year"], start["month"], start["day"], start["hour"], start["minute"]) == (2022, 3, 29, 15, 0)
    assert "15:00 UTC+03:00" in slides["moment-event"]["display_date"]
    assert "&lt;/script&gt;" in slides["moment-event"]["text"]["headline"]
    assert slides["circa-day"]["start_date"] == {"year": 2022, "month": 4, "day": 2, "display_date": "c. 2 April 2022"}
    assert slides["circa-day"]["end_date"] == {"year": 2022, "month": 5, "display_date": "May 2022"}
    assert slides["circa-day"]["display_date"] == "between c. 2 April 2022 and May 2022"
    assert slides["spring-event"]["start_date"] == {"year": 2022, "display_date": "spring 2022"}
    assert slides["before-december"]["start_date"] == {"year": 2022, "month": 12, "display_date": "December 2022"}
    assert slides["before-december"]["display_date"] == "before December 2022"
    assert "end_date" not in slides["before-december"]
    assert slides["uncertain-month"]["display_date"] == "February 2025 (uncertain)"


# --- events.json and events.csv ---------------------------------------------------------

def test_events_json_matches_its_schema(outputs, fixture_outputs, outputs_with_base):
    schema = json.loads(outputs["events.json.schema.json"])
    assert schema == data.json_schema()
    validator = schema_validator(schema)
    for files in (outputs, fixture_outputs, outputs_with_base):
        record = json.loads(files["events.json"])
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(record)]
        assert errors == []


def test_events_json_schema_rejects_a_wrong_shape(outputs):
    validator = schema_validator(data.json_schema())
    record = json.loads(outputs["events.json"])
    for mutate in (
        lambda r: r["events"][0].pop("title"),
        lambda r: r["events"][0].update(extra=1),
        lambda r: r["events"][0]["date"].update(earliest="2025-05"),
        lambda r: r["events"][0]["date"].pop("edtf"),
        lambda r: r["events"][0]["citations"].clear(),
        lambda r: r["sources"][0].update(publisher=""),
    ):
        broken = copy.deepcopy(record)
        mutate(broken)
        assert not validator.is_valid(broken)


def test_events_json_holds_the_whole_record(outputs, shipped):
    record = json.loads(outputs["events.json"])
    assert record["site"]["title"] == shipped.info.title
    assert [s["id"] for s in record["sources"]] == sorted(shipped.sources)
    assert len(record["events"]) == len(shipped.events)
    citations = 0
    for item, event in zip(record["events"], shipped.events):
        assert item["id"] == event.id
        earliest, latest = event.date.earliest(), event.date.latest()
        assert item["date"] == {"edtf": event.date.text, "earliest": earliest and earliest.isoformat(),
                                "latest": latest and latest.isoformat(), "approximate": event.date.approximate,
                                "uncertain": event.date.uncertain}
        assert item["when"] == words(event.date, event.end)
        assert item["summary"] == strip_markers(event.summary)
        assert [sentence["citations"] for sentence in item["sentences"]] == [
            list(sentence.markers) for sentence in split_sentences(event.summary)]
        assert item["actors"] == list(event.actors) and item["tags"] == list(event.tags)
        assert item["duration_minutes"] == event.duration_minutes
        assert len(item["differences"]) == len(event.differences)
        for cited in item["citations"] + [v for d in item["differences"] for v in d["versions"]]:
            text = shipped.sources[cited["source"]].text
            assert cited["anchor"] == f"passage-{cited['start']}"
            assert text[cited["start"]:cited["end"]]  # a real span of the archived text
            citations += 1
    assert citations == shipped.citation_count()
    s002 = next(s for s in record["sources"] if s["id"] == "s002")
    assert s002["title_assigned"] is True and s002["publisher"] is None
    assert next(s for s in record["sources"] if s["id"] == "s004")["publisher"] == "POLITICO"


def test_events_csv(outputs, shipped):
    text = outputs["events.csv"].decode("utf-8")
    assert text.endswith("\r\n") and not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == list(data.CSV_COLUMNS)
    assert len(rows) == len(shipped.events)
    for row, event in zip(rows, shipped.events):
        assert row["id"] == event.id
        assert row["date"] == event.date.text
        assert (row["earliest"], row["latest"]) == (str(event.date.earliest() or ""), str(event.date.latest() or ""))
        assert row["end"] == (event.end.iso() if event.end else "")
        assert row["title"] == event.title
        assert row["actors"].split("; ") == list(event.actors) if event.actors else row["actors"] == ""
        assert set(row["sources"].split("; ")) == {c.source_id for c in event.all_citations()}
        assert int(row["citations"]) == len(event.all_citations())
        assert row["url"] == f"events/{event.id}/"
        assert "\n" not in row["summary"] and "*" not in row["summary"]


# --- sitemap, robots, JSON-LD ------------------------------------------------------------

def test_sitemap_only_with_base_url(outputs, outputs_with_base, shipped_html):
    assert "sitemap.xml" not in outputs
    assert "Sitemap:" not in outputs["robots.txt"].decode()
    root = ET.fromstring(outputs_with_base["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")]
    pages = [p for p in shipped_html if p != "404.html"]
    assert len(locs) == len(set(locs)) == len(pages)
    assert all(loc.startswith(BASE_URL) for loc in locs)
    assert BASE_URL in locs and f"{BASE_URL}events/istanbul-meeting-2025/" in locs
    assert not any("index.html" in loc or "404" in loc for loc in locs)
    assert f"Sitemap: {BASE_URL}sitemap.xml" in outputs_with_base["robots.txt"].decode().splitlines()


def test_jsonld_cannot_close_its_script_element(fixture_site):
    hostile = next(e for e in fixture_site.events if e.id == "moment-event")
    for site in (fixture_site, with_base_url(fixture_site)):
        for text in (event_jsonld(site, Markdown(), hostile), site_jsonld(site)):
            assert not re.search(r"</script|<!--|<|>|&", text, re.IGNORECASE), text
            assert "\\u003c/script\\u003e" in text
    parsed = json.loads(event_jsonld(fixture_site, Markdown(), hostile))
    assert parsed["name"] == hostile.title  # the escapes are plain JSON: the data round-trips
    assert parsed["@type"] == "Event" and parsed["@context"] == "https://schema.org"
    assert parsed["startDate"] == "2022-03-29T15:00:00+03:00"
    assert parsed["endDate"] == "2022-03-29T17:30:00+03:00"
    assert parsed["location"] == {"@type": "Place", "name": "Dolmabahçe Palace, Istanbul"}
    assert "url" not in parsed


def test_event_jsonld_fields(shipped):
    site = with_base_url(shipped)
    for event in shipped.events:
        parsed = json.loads(event_jsonld(site, Markdown(), event))
        point = event.date.lower  # at its precision ("2025-05", "2022"); left out when approximate or uncertain
        assert parsed.get("startDate") == (point.iso() if point and not point.qualifier else None), event.id
        assert parsed["url"] == f"{BASE_URL}events/{event.id}/"
        assert ("location" in parsed) == bool(event.place)
        cited = {c.source_id for c in event.all_citations()}
        assert {w["url"] for w in parsed["citation"]} == {f"{BASE_URL}sources/{i}/" for i in cited}
        types = {"news report": "ReportageNewsArticle", "analysis": "AnalysisNewsArticle"}
        by_title = {s.title: types[s.kind] for s in shipped.sources.values()}  # every shipped source has a kind
        assert all(w["@type"] == by_title[w["name"]] for w in parsed["citation"])
    listing = json.loads(site_jsonld(site))
    website, item_list = listing["@graph"]
    assert website["@type"] == "WebSite" and website["url"] == BASE_URL
    assert item_list["numberOfItems"] == len(shipped.events) == len(item_list["itemListElement"])


# --- determinism -----------------------------------------------------------------------------

def test_rendering_twice_gives_identical_bytes(shipped, shipped_html, fixture_site):
    once = render_outputs(shipped, shipped_html, environ={})
    assert once == render_outputs(shipped, shipped_html, environ={})
    again = render_outputs(fixture_site, [], environ={})
    assert again == render_outputs(fixture_site, [], environ={})


def test_no_clock_is_read_without_source_date_epoch(monkeypatch, fixture_site, shipped, shipped_html):
    import time

    expected = render_outputs(shipped, shipped_html, environ={})

    def clock(*args, **kwargs):
        raise AssertionError("the clock was read")

    class NoClockDateTime(dt.datetime):
        now = utcnow = today = classmethod(clock)

    class NoClockDate(dt.date):
        today = classmethod(clock)

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for name in ("time", "time_ns", "localtime", "gmtime", "ctime", "monotonic", "perf_counter"):
        monkeypatch.setattr(time, name, clock)
    monkeypatch.setattr(dt, "datetime", NoClockDateTime)
    monkeypatch.setattr(dt, "date", NoClockDate)
    got = render_outputs(shipped, shipped_html)  # environ defaults to os.environ
    render_outputs(fixture_site, [])
    monkeypatch.undo()
    assert got == expected


def test_source_date_epoch_sets_feed_updated_and_dtstamp(shipped, shipped_html):
    epoch = 1747353600  # 2025-05-16T00:00:00Z
    files = render_outputs(shipped, shipped_html, environ={"SOURCE_DATE_EPOCH": str(epoch)})
    feed = feedparser.parse(files["feed.xml"])
    assert feed.feed.updated == "2025-05-16T00:00:00Z"
    stamps = {v.decoded("DTSTAMP") for v in icalendar.Calendar.from_ical(files["events.ics"]).walk("VEVENT")}
    assert stamps == {dt.datetime(2025, 5, 16, tzinfo=dt.timezone.utc)}
    plain = render_outputs(shipped, shipped_html, environ={})
    assert {k for k in files if files[k] != plain[k]} == {"feed.xml", "corrections.xml", "events.ics"}
    assert feedparser.parse(files["corrections.xml"]).feed.updated == "2025-05-16T00:00:00Z"
    # Malformed values are ignored rather than guessed at.
    assert render_outputs(shipped, shipped_html, environ={"SOURCE_DATE_EPOCH": "soon"}) == plain


# --- events.schema.json agrees with the validator -----------------------------------------------

def test_shipped_events_toml_matches_the_schema():
    assert toml_schema_errors(EVENTS.read_text(encoding="utf-8")) == []


def test_the_valid_fixture_passes_both(tmp_path):
    path = make_project(tmp_path)
    site, problems = check(path)
    assert site is not None and problems == []
    assert toml_schema_errors(FIXTURE) == []


def test_schema_keys_are_the_validators():
    from timeline.record import validate
    schema = json.loads(TOML_SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert set(schema["properties"]) == set(validate.TOP_KEYS)
    assert set(schema["properties"]["site"]["properties"]) == set(validate.SITE_KEYS)
    assert set(defs["source"]["properties"]) == set(validate.SOURCE_KEYS)
    assert set(defs["event"]["properties"]) == set(validate.EVENT_KEYS)
    assert set(defs["citation"]["properties"]) == set(validate.CITATION_KEYS)
    assert set(defs["difference"]["properties"]) == set(validate.DIFFERENCE_KEYS)
    assert set(defs["version"]["properties"]) == set(validate.VERSION_KEYS)
    assert defs["id"]["pattern"] == "^" + validate.ID_PATTERN.pattern.replace("(?:", "(") + "$"


def _date_candidates() -> list[str]:
    """Strings near and across every line the checker draws: every year,
    month, day and qualifier shape, alone and paired in intervals."""
    years = ["2022", "0000", "202X", "20XX", "0XXX", "Y2022"]
    months = [None, "02", "12", "13", "00", "21", "25", "XX"]
    days = [None, "01", "31", "32", "XX"]
    points = [y + (f"-{m}" if m else "") + (f"-{d}" if d else "") + q
              for y, m, d, q in itertools.product(years, months, days, ["", "~", "%", "~?"])
              if m is not None or d is None]
    ends = ["2022", "2023-03", "2022-03-01", "2022-21", "2022-25", "2022~", "2022-03?", "202X", "2022-XX",
            "0000", "2022-13", "2022-03-32", "Y2022", "", "..", " "]
    return points + [f"{a}/{b}" for a in ends for b in ends] + ["2022/2023/2024", "2022 ", " 2022-21", "2022T"]


def test_the_schema_accepts_exactly_the_dates_the_checker_accepts():
    """The checker's refusals of content (a day the calendar lacks, an
    interval ending before it starts) are the schema's description, not its
    pattern; every other string is accepted by both or refused by both."""
    pattern = re.compile(json.loads(TOML_SCHEMA.read_text(encoding="utf-8"))["$defs"]["date"]["anyOf"][0]["pattern"])
    disagree = []
    for text in _date_candidates():
        try:
            parse_date(text)
            accepted = True
        except DateError as error:
            if "is not a real day" in str(error) or "ends before it starts" in str(error):
                continue
            accepted = False
        if accepted != bool(pattern.match(text)):
            disagree.append((text, accepted))
    assert disagree == []


def _one(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


MUTATIONS = {
    "unknown key": ('summary = "Known to the month only."', 'sumary = "x"\nsummary = "Known to the month only."'),
    "unknown top-level key": ("[site]", "version = 2\n[site]"),
    "unknown site key": ('language = "en-GB"', 'language = "en-GB"\nauthor = "me"'),
    "unknown citation key": ('quote = "A second document"', 'quote = "A second document"\n  page = 3'),
    "bad id": ('id = "month-event"', 'id = "Month Event"'),
    "double hyphen id": ('id = "month-event"', 'id = "month--event"'),
    "bad source id": ("[sources.other]", "[sources.Other_Doc]"),
    "missing title": ('title = "Something in March"\n', ""),
    "missing citations": ('  [[events.citations]]\n  source = "other"\n  quote = "A second document"\n', ""),
    "missing source file": ('file = "sources/other.txt"\n', ""),
    "empty title": ('title = "Something in March"', 'title = "  "'),
    "title of wrong type": ('title = "Something in March"', "title = 5"),
    "actors of wrong type": ('actors = ["Russia", "Ukraine"]', 'actors = "Russia, Ukraine"'),
    "actor twice": ('actors = ["Russia", "Ukraine"]', 'actors = ["Russia", "Russia"]'),
    "circa of wrong type": ('date = "2022~"', 'date = "2022~"\ncirca = "yes"'),
    "date in words": ('date = "2022-03"', 'date = "March 2022"'),
    "month 13": ('date = "2022-03"', 'date = "2022-13"'),
    "date as a number": ('date = "2022-03"', "date = 2022"),
    "local date-time": ("date = 2022-03-30T09:00:00Z", "date = 2022-03-30T09:00:00"),
    "bad duration": ('duration = "6h"', 'duration = "six hours"'),
    "one version": ('''    [[events.differences.versions]]
    claim = "It was about sanctions"
    source = "other"
    quote = "written in 2025, about sanctions"
''', ""),
    "bad url": ('url = "https://example.org/sample"', 'url = "ftp://example.org/sample"'),
    "absolute file": ('file = "sources/other.txt"', 'file = "/etc/hostname"'),
    "bad language": ('language = "en-GB"', 'language = "English"'),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_validator_and_schema_both_reject(tmp_path, name):
    old, new = MUTATIONS[name]
    text = _one(FIXTURE, old, new)
    site, problems = check(make_project(tmp_path, text))
    assert site is None and problems, f"the validator accepted: {name}"
    assert toml_schema_errors(text), f"the schema accepted: {name}"


# The static bad files whose mistake is one of shape, not of content: the
# schema must reject them too (the others need the sources or the calendar).
STRUCTURAL_BAD_FILES = (
    "bad_id", "date_words", "difference_one_version", "empty_title", "local_datetime",
    "missing_keys", "month_13", "source_absolute", "unknown_key", "wrong_types",
)


@pytest.mark.parametrize("name", STRUCTURAL_BAD_FILES)
def test_schema_rejects_structural_bad_files(name):
    path = BAD / f"{name}.toml"
    assert check(path)[0] is None
    assert toml_schema_errors(path.read_text(encoding="utf-8"))


# --- the new-event skeleton ---------------------------------------------------------------------

def test_skeleton_parses_and_names_what_is_left_to_write(tmp_path):
    text = new_event_text("new-event-2022", "2022-04", "sample")
    parsed = tomllib.loads(text)
    assert parsed == {"events": [{
        "id": "new-event-2022", "date": "2022-04", "title": "", "summary": "",
        "citations": [{"source": "sample", "quote": ""}],
    }]}
    assert text.count("\n#") + text.count("\n  #") >= 10  # the optional fields are there, commented
    path = make_project(tmp_path, FIXTURE + "\n" + text)
    site, problems = check(path, "events.toml")
    assert site is None
    messages = [p.message for p in problems]
    assert messages == ["'title' is empty", "'summary' is empty", "'quote' is empty"]
    first = FIXTURE.count("\n") + 2
    assert [p.line for p in problems] == [
        first + text.splitlines().index(line) for line in text.splitlines()
        if line.startswith(("title =", "summary =", '  quote = ""'))
    ]


def test_filled_skeleton_validates(tmp_path):
    text = new_event_text("new-event-2022", "2022-04-01", "sample")
    text = text.replace('title = ""', 'title = "A new event"', 1)
    text = text.replace('summary = """\n"""', 'summary = """\nIt happened.\n"""', 1)
    text = text.replace('quote = ""', 'quote = "In 2022 the two delegations met"', 1)
    path = make_project(tmp_path, FIXTURE + "\n" + text)
    site, problems = check(path)
    assert problems == [] and "new-event-2022" in {e.id for e in site.events}
    assert toml_schema_errors(FIXTURE + "\n" + text) == []


def test_skeleton_forms_and_refusals():
    moment = tomllib.loads(new_event_text("a-b", "2025-05-16T15:00:00+03:00", "s1"))["events"][0]["date"]
    assert moment == dt.datetime(2025, 5, 16, 15, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert tomllib.loads(new_event_text("a", "2025", "s1"))["events"][0]["date"] == "2025"
    for args in (("Bad Id", "2025", "s1"), ("a", "May 2025", "s1"), ("a", "2025-13", "s1"),
                 ("a", "2025-05-16T15:00:00", "s1"), ("a", "2025", 'x"\n[site]')):
        with pytest.raises(ValueError):
            new_event_text(*args)


# --- large records: files made in pieces, a feed of the latest entries ----------------------

def test_data_files_made_in_pieces_are_the_whole_record_with_an_event_per_line(shipped):
    from timeline.render.outputs import timelinejs
    dump = dict(ensure_ascii=False, sort_keys=True)
    html = event_html(Pages(shipped))
    for made, whole, items in ((data.render_json(shipped, Markdown()), data.record(shipped, Markdown()), "events"),
                               (timelinejs.render_timelinejs(shipped, html), timelinejs.timeline_data(shipped, html), "events")):
        text = b"".join(made).decode("utf-8")
        assert json.loads(text) == whole and text.endswith("}\n")
        # As json.dumps(indent=1) writes it, but for each item on a line of its own.
        outline = json.dumps({**whole, items: [0]}, indent=1, **dump).split("\n")
        at = outline.index("  0")
        one_per_line = [f"  {json.dumps(item, **dump)}," for item in whole[items]]
        one_per_line[-1] = one_per_line[-1][:-1]
        assert text.split("\n") == outline[:at] + one_per_line + outline[at + 1:] + [""]
    empty = dataclasses.replace(shipped, events=())
    assert json.loads(b"".join(data.render_json(empty, Markdown())))["events"] == []


def test_feed_holds_the_latest_events_only(tmp_path):
    import sys

    from timeline.render.outputs.feed import FEED_ENTRIES, newest_first
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from synth import write_record
    site, problems = check(write_record(tmp_path, FEED_ENTRIES + 30))
    assert site is not None, problems
    feed = feedparser.parse(render_outputs(site, [])["feed.xml"])
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == [e.id for e in newest_first(site)[:FEED_ENTRIES]]


def test_xml_illegal_characters_are_exactly_those_xml_1_0_excludes():
    """The pattern names the excluded characters; XML 1.0 defines the allowed ones."""
    import re

    from timeline.render.outputs import _XML_ILLEGAL
    allowed = re.compile("[\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    assert all(bool(_XML_ILLEGAL.fullmatch(chr(c))) != bool(allowed.fullmatch(chr(c))) for c in range(0x110000))
