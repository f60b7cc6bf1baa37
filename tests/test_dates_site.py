"""Every date form through the whole pipeline: the check, the pages, the
overview figure, each output, and in the browser; and a file in the
earlier format (circa, end) still passing with its hints.

The record is tests/every_date.py: one event for each form, with the words
and HTML values each must show, written out by hand.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import pytest
from conftest import ROOT, serving
from every_date import FORMS, IN_CALENDAR, INTERVALS, ORDER, QUALIFIED, every_date_project
from test_browser import axe_check
from test_outputs import schema_validator
from test_site import parse

from timeline.commands.build import build

ARTIFACTS = ROOT / "test-artifacts"
WORDS = {event_id: shown for event_id, _, shown, _ in FORMS}
VALUES = {event_id: values for event_id, _, _, values in FORMS}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("every-date")
    site, problems = build(every_date_project(root), root / "public", "events.toml")
    assert site is not None and site.hints == (), problems
    return root / "public"


@pytest.fixture(scope="module")
def index(built):
    return parse(built / "index.html")


def cards(doc) -> dict:
    return {a.attrs["id"].removeprefix("ev-"): a for a in doc.find_all("article", class_="event")}


# --- pages ------------------------------------------------------------------------

def test_the_timeline_lists_every_form_in_the_documented_order(index):
    assert list(cards(index)) == ORDER


def test_each_card_says_its_date_in_words_with_only_known_values(index):
    for event_id, card in cards(index).items():
        when = card.find("p", class_="when")
        assert re.sub(r"\s+", " ", when.text()).split(" · ")[0].strip() == WORDS[event_id], event_id
        assert [t.attrs["datetime"] for t in when.find_all("time")] == VALUES[event_id], event_id


def test_event_pages_say_the_same(built):
    for event_id in ORDER:
        doc = parse(built / "events" / event_id / "index.html")
        when = doc.find("article").find("p", class_="when")
        assert WORDS[event_id] in re.sub(r"\s+", " ", when.text()), event_id


def test_the_timeline_of_the_moment_gives_its_hours(index):
    when = cards(index)["moment"].find("p", class_="when")
    assert "15:00–17:00 UTC+03:00" in when.text()


def test_gaps_measure_between_what_is_known_and_say_about_where_vague(index):
    gaps = [re.sub(r"\s+", " ", p.text()).strip() for p in index.find_all("p", class_="gap")]
    assert gaps == [
        "about 2 years later",  # from the 2020s
        "later the same year",  # from 2022 to March 2022
        "8 months later",  # from April 2022 (an interval's known start, its end unknown) to December 2022
        "about 1 year later",  # from 2023 to March 2024: no months to count
        "about 1 year, 1 month later",  # from an approximate and uncertain day
        "about 7 months later",  # from July 2025 (open end) to an uncertain February 2026
    ]


def test_decade_is_never_headed_as_a_year(index):
    years = [re.sub(r"\s+", " ", h.text()).strip() for h in index.find_all("h2")]
    months = [re.sub(r"\s+", " ", h.text()).strip() for h in index.find_all("h3")]
    assert years[0] == "the 2020s" and months[0] == "the 2020s, year not known"
    assert "2020" not in years and not any(m.startswith("2020") for m in months)


# --- the overview figure ------------------------------------------------------------

def test_overview_draws_intervals_as_bars_and_vague_dates_hollow(index):
    figure = index.find("figure", class_="overview")
    shapes = [*figure.find("svg").find_all("circle"), *figure.find("svg").find_all("rect")]
    marks = {m.find("title").text().split(": ", 1)[1]: m for m in shapes if m.find("title") is not None}
    by_id = {title.split(" ", 2)[1]: m for title, m in marks.items()}  # "The <id> event"
    assert set(by_id) == set(ORDER)
    for event_id, mark in by_id.items():
        classes = mark.attrs["class"].split()
        assert (mark.tag == "rect") == (event_id in INTERVALS | {"decade"}), event_id
        assert ("span" in classes) == (event_id == "decade"), event_id
        assert ("qualified" in classes) == (event_id in QUALIFIED), event_id
    assert "fades-start" in by_id["before"].attrs["class"] and "fades-end" in by_id["after"].attrs["class"]
    assert "fades-start" in by_id["until-unknown"].attrs["class"] and "fades-end" in by_id["from-unknown"].attrs["class"]
    assert "fades" not in by_id["interval"].attrs["class"]
    legend = [re.sub(r"\s+", " ", li.text()).strip() for li in figure.find("ul", class_="overview-legend").find_all("li")]
    assert legend == ["a date", "approximate or uncertain", "an interval", "a date known only to its decade or century"]
    caption = figure.find("figcaption").text()
    assert "6 intervals drawn as bars, faded toward an open or unknown end." in caption
    assert "3 approximate or uncertain dates drawn hollow and dashed." in caption
    assert "1 known only to the decade or century. " in caption
    assert "1 date known only to the decade or century drawn as a pale bar across it." in caption


def test_an_interval_bar_spans_its_days(index):
    figure = index.find("figure", class_="overview")
    rect = next(r for r in figure.find_all("rect") if "The interval event" in r.find("title").text())
    days = next(r for r in figure.find_all("rect") if "The days event" in r.find("title").text())
    assert float(rect.attrs["width"]) > 10 * float(days.attrs["width"])  # eight months against four days


# --- outputs ------------------------------------------------------------------------

def test_events_json_of_every_form_matches_its_schema(built):
    schema = json.loads((built / "events.json.schema.json").read_text(encoding="utf-8"))
    validator = schema_validator(schema)
    record = json.loads((built / "events.json").read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(record)] == []


def test_events_json_and_csv_keep_the_edtf_as_written(built):
    record = {e["id"]: e for e in json.loads((built / "events.json").read_text(encoding="utf-8"))["events"]}
    assert record["interval"]["date"] == {"edtf": "2022-04/2022-11", "earliest": "2022-04-01",
                                          "latest": "2022-11-30", "approximate": False, "uncertain": False}
    assert record["before"]["date"] == {"edtf": "../2022-12", "earliest": None, "latest": "2022-12-31",
                                        "approximate": False, "uncertain": False}
    assert record["winter"]["date"]["latest"] == "2023-02-28"
    assert record["both"]["date"]["approximate"] and record["both"]["date"]["uncertain"]
    assert record["day"]["date"]["edtf"] == "2022-03-29"
    assert record["moment"]["end"] == {"iso": "2022-03-29T17:00:00+03:00", "precision": "time"}
    assert {i: e["when"] for i, e in record.items() if i != "moment"} == {i: w for i, w in WORDS.items() if i != "moment"}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((built / "events.csv").read_text(encoding="utf-8")))}
    assert (rows["after"]["date"], rows["after"]["earliest"], rows["after"]["latest"]) == ("2025-07/..", "2025-07-01", "")
    assert rows["season"]["date"] == "2022-21"


def test_the_calendar_holds_only_days_known_without_doubt(built):
    vevents = icalendar.Calendar.from_ical((built / "events.ics").read_bytes()).walk("VEVENT")
    assert {str(v["UID"]).split("@")[0] for v in vevents} == IN_CALENDAR
    days = next(v for v in vevents if str(v["UID"]).startswith("days@"))
    assert (days.decoded("DTSTART"), days.decoded("DTEND")) == (dt.date(2025, 5, 13), dt.date(2025, 5, 17))


def test_jsonld_dates_only_as_precise_as_known(built):
    def jsonld(event_id):
        doc = parse(built / "events" / event_id / "index.html")
        return json.loads(doc.find("script", type="application/ld+json").text())

    assert (jsonld("interval")["startDate"], jsonld("interval")["endDate"]) == ("2022-04", "2022-11")
    assert jsonld("season")["startDate"] == "2022" and "endDate" not in jsonld("season")
    assert "startDate" not in jsonld("before") and jsonld("before")["endDate"] == "2022-12"
    for vague in ("approximate", "uncertain", "both", "decade", "winter"):
        assert "startDate" not in jsonld(vague), vague


def test_timelinejs_and_the_feed_say_the_words(built):
    slides = {s["unique_id"]: s for s in json.loads((built / "timeline.json").read_text(encoding="utf-8"))["events"]}
    for event_id in ORDER:
        assert slides[event_id]["display_date"].startswith(WORDS[event_id]), event_id
    assert slides["interval"]["start_date"] == {"year": 2022, "month": 4, "display_date": "April 2022"}
    assert slides["interval"]["end_date"] == {"year": 2022, "month": 11, "display_date": "November 2022"}
    assert slides["uncertain"]["start_date"] == {"year": 2026, "month": 2, "display_date": "February 2026 (uncertain)"}
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    titles = {entry.id.rsplit("/", 1)[1]: entry.title for entry in feed.entries}
    assert titles["before"] == "before December 2022: The before event"


# --- the earlier format --------------------------------------------------------------

OLD_STYLE = '''
[[events]]
id = "old-style"
date = 2025-05-13
end = 2025-05-16
circa = true
date_note = "The editors date it so."
title = "Written the earlier way"
summary = "Something happened."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met in Istanbul."
'''


def test_a_file_in_the_earlier_format_passes_with_a_hint_per_use(tmp_path):
    events = every_date_project(tmp_path)
    events.write_text(events.read_text(encoding="utf-8") + OLD_STYLE, encoding="utf-8")
    line = events.read_text(encoding="utf-8").splitlines().index("end = 2025-05-16") + 1
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--check", "--events", str(events)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.endswith("OK: 18 events, 1 source, 18 citations.\n")
    assert run.stderr.splitlines() == [
        f"events.toml:{line}: event 'old-style': hint: 'end' and 'circa' are the old way to write this date; "
        f'in EDTF it is date = "2025-05-13~/2025-05-16~"']
    site, _ = build(events, tmp_path / "public", "events.toml")
    card = cards(parse(tmp_path / "public" / "index.html"))["old-style"]
    assert "between c. 13 May 2025 and c. 16 May 2025" in re.sub(r"\s+", " ", card.find("p", class_="when").text())


# --- in the browser ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def every_date_url(built):
    with serving(built) as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_overview_in_the_browser(new_context, every_date_url, scheme):
    page = new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme).new_page()
    page.goto(every_date_url)
    figure = page.locator("figure.overview")
    ARTIFACTS.mkdir(exist_ok=True)
    figure.screenshot(path=str(ARTIFACTS / f"overview-dates-{scheme}.png"))  # for a person to look at
    style = page.evaluate("""() => {
        const look = s => getComputedStyle(document.querySelector(s));
        const page = getComputedStyle(document.body).backgroundColor;
        return {page, hollow: look('.overview svg circle.qualified').fill,
                solid: look('.overview svg circle.mark:not(.qualified)').fill,
                dashed: look('.overview svg circle.qualified').strokeDasharray,
                fades: look('.overview svg rect.fades-end').fill};
    }""")
    assert style["hollow"] == style["page"] != style["solid"], style  # hollow: the page shows through
    assert style["dashed"] not in ("none", ""), style
    assert "url(" in style["fades"], style
    axe_check(page)
