"""A long record is cut into pages by year, month and number; every page
stays reachable by plain links and no event is lost or listed twice.
The shipped record is built with a tiny page size so every level is cut."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from test_site import html_pages, ids_of, internal_urls, parse, resolve

from timeline.commands.check import check
from timeline.publish import publish
from timeline.site.plan import plan_site, render_site

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_record  # noqa: E402

LIMIT = 4


@pytest.fixture(scope="module")
def cut_site(tmp_path_factory):
    site, problems = check(ROOT / "events.toml")
    assert not problems
    out = tmp_path_factory.mktemp("cut") / "public"
    publish(plan_site(site, limit=LIMIT), out)
    return site, out


def listed_events(page: Path) -> list[str]:
    return [a.attrs["id"].removeprefix("ev-") for a in parse(page).iter("article") if "event" in a.attrs.get("class", "")]


def timeline_pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted((out / "years").rglob("index.html"))]


def test_every_event_is_listed_on_exactly_one_timeline_page(cut_site):
    site, out = cut_site
    counts = Counter(event for page in timeline_pages(out) for event in listed_events(page))
    assert counts == Counter(e.id for e in site.events)


def test_no_timeline_page_lists_more_than_the_limit(cut_site):
    _, out = cut_site
    for page in timeline_pages(out):
        assert len(listed_events(page)) <= LIMIT, page


def test_every_page_of_a_cut_list_is_linked_from_its_parent(cut_site):
    _, out = cut_site
    linked = set()
    for page in html_pages(out):
        for _, _, url in internal_urls(parse(page)):
            target, _, _ = resolve(out, page, url)
            linked.add(target.resolve())
    for page in sorted((out / "years").rglob("index.html")) + sorted((out / "actors").rglob("index.html")):
        assert page.resolve() in linked, f"{page.relative_to(out)} is not linked from any page"


def test_every_internal_link_and_fragment_resolves(cut_site):
    _, out = cut_site
    failures = []
    for page in html_pages(out):
        for node, attribute, url in internal_urls(parse(page)):
            target, fragment, path = resolve(out, page, url)
            if not target.is_file():
                failures.append(f"{page.relative_to(out)}: {url} → {path} missing")
            elif fragment and fragment not in ids_of(target):
                failures.append(f"{page.relative_to(out)}: {url} → no #{fragment}")
    assert not failures, "\n".join(failures[:20])


def test_event_pages_lead_back_to_the_page_that_lists_them(cut_site):
    site, out = cut_site
    for event in site.events:
        page = out / "events" / event.id / "index.html"
        back = next(a for a in parse(page).iter("a") if a.text().strip() == "Back to the timeline")
        target, fragment, _ = resolve(out, page, back.attrs["href"])
        assert fragment == f"ev-{event.id}" and event.id in listed_events(target), event.id


def test_actor_pages_are_cut_the_same_way(cut_site):
    site, out = cut_site
    russia = [e.id for e in site.events if "Russia" in e.actors]
    assert len(russia) > LIMIT
    pages = sorted((out / "actors" / "russia").rglob("index.html"))
    assert len(pages) > 1
    assert sorted(e for page in pages for e in listed_events(page)) == sorted(russia)


def test_source_pages_hand_long_citing_lists_to_cut_pages(cut_site):
    site, out = cut_site
    cut = 0
    for source_id in site.sources:
        citing = sorted({e.id for e in site.events for c in e.all_citations() if c.source_id == source_id})
        page = (out / "sources" / source_id / "index.html").read_text(encoding="utf-8")
        listing = out / "sources" / source_id / "cited-by"
        if "too many to list here" in page:
            cut += 1
            assert f'sources/{source_id}/cited-by/"' in page
            pages = sorted(listing.rglob("index.html"))
            assert sorted(e for p in pages for e in listed_events(p)) == citing
            assert all(len(listed_events(p)) <= LIMIT for p in pages)
        else:
            assert not listing.exists()
            assert all(f"events/{e}/" in page for e in citing)
    assert cut > 0


def test_year_only_event_between_january_events_gets_one_section(tmp_path):
    # An event known only to its year sorts at 1 January, so it can fall
    # between two January events; it must not split January in two.
    events = write_record(tmp_path, 0)
    text = events.read_text(encoding="utf-8")
    sample = (tmp_path / "site_src" / "sources" / "000.txt").read_text(encoding="utf-8").split()[5:10]
    quote = " ".join(sample)
    for event_id, date in (("a", "2020-01-01"), ("b", '"2020"'), ("c", "2020-01-01"), ("d", "2020-01-05")):
        text += (f'\n[[events]]\nid = "{event_id}"\ndate = {date}\ndate_note = "n"\ntitle = "{event_id}"\n'
                 f'summary = "s.[^1]"\n  [[events.citations]]\n  source = "s000"\n  quote = "{quote}"\n')
    events.write_text(text, encoding="utf-8")
    site, problems = check(events)
    assert not problems, problems
    for limit in (150, 2):
        files = render_site(site, limit=limit, with_outputs=False)
        for path, body in files.items():
            if path.endswith(".html"):
                ids = [a for a in __import__("re").findall(rb' id="([^"]+)"', body)]
                assert len(ids) == len(set(ids)), (limit, path, [i for i in ids if ids.count(i) > 1])


def test_large_record_draws_bars_and_keeps_pages_small(tmp_path):
    events = write_record(tmp_path, 1200)
    site, problems = check(events)
    assert not problems
    files = render_site(site, with_outputs=False)
    index = files["index.html"].decode()
    assert "<rect class=\"mark\"" in index and "<circle class=\"mark\"" not in index
    too_big = {p: len(b) for p, b in files.items() if p.endswith(".html") and len(b) > 500_000}
    assert not too_big, too_big
