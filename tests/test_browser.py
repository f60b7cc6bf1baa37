"""The site in a real browser: headless Debian Chromium via pytest-playwright.

Pages are loaded from the local server started in conftest.py (the site at
the root, and the same folder under /repo/). Screenshots of every layout
check are saved to test-artifacts/ at the repository root.
"""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from playwright.sync_api import Page, expect

ARTIFACTS = ROOT / "test-artifacts"
EVENT = "events/istanbul-meeting-2025/"  # has a difference, a date note and many citations
SOURCE = "sources/s002/"  # a title assigned by the editors, overlapping highlights
PAGES = {
    "index": "",
    "event": EVENT,
    "source": SOURCE,
    "about": "about/",
    "actor": "actors/donald-trump/",
    "tag": "tags/talks/",
    "sources": "sources/",
    "actors": "actors/",
    "corrections": "corrections/",
    "404": "404.html",
}
VISIBLE_EVENTS = "article.event:visible"


def widths(page: Page) -> dict:
    """The page's scroll and client widths, and up to five elements reaching past its right edge."""
    return page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className),
    })""")


def goto(page: Page, url: str):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '?'}"
    return response


def common_actor(events_data) -> tuple[str, int]:
    """An actor in more than one event but not in all of them (the most common such)."""
    counts = Counter(a for e in events_data["events"] for a in e.get("actors", []))
    total = len(events_data["events"])
    actor, n = next((a, n) for a, n in counts.most_common() if 1 < n < total)
    return actor, n


# --- the timeline ------------------------------------------------------------------

def test_the_timeline_shows_every_event(page: Page, site_url, events_data):
    goto(page, site_url)
    expect(page.locator("article.event")).to_have_count(len(events_data["events"]))
    expect(page.locator(VISIBLE_EVENTS)).to_have_count(len(events_data["events"]))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#result-count")).to_have_text(f"{len(events_data['events'])} events.")


def test_a_citation_link_lands_on_the_highlighted_passage(page: Page, site_url):
    goto(page, site_url)
    # The citation deepest into its document, so the browser must scroll to it.
    hrefs = page.locator("a.cite").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    href = max(hrefs, key=lambda h: int(h.rsplit("-", 1)[1]))
    link = page.locator(f'a.cite[href="{href}"]').first
    link.click()
    page.wait_for_url(site_url + href)
    anchor = href.split("#", 1)[1]
    assert urlsplit(page.url).fragment == anchor
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", anchor)
    assert target.evaluate("el => el.tagName") == "MARK"
    expect(target).to_be_in_viewport()
    expect(page.locator("h1")).to_be_visible()


def test_the_pager_walks_the_timeline(page: Page, site_url):
    goto(page, site_url + EVENT)
    title = page.locator("h1").inner_text()
    page.locator("a[rel=next]").click()
    page.locator("a[rel=prev]").click()
    expect(page.locator("h1")).to_have_text(title)
    page.get_by_role("link", name="Back to the timeline").click()
    assert urlsplit(page.url).fragment == "ev-istanbul-meeting-2025"
    expect(page.locator("#ev-istanbul-meeting-2025")).to_be_in_viewport()


# --- the filter --------------------------------------------------------------------

def test_the_filter_narrows_the_timeline_and_keeps_its_state_in_the_url(page: Page, site_url, events_data):
    total = len(events_data["events"])
    actor, expected = common_actor(events_data)
    goto(page, site_url)
    form = page.locator("form#filters")
    expect(form).to_be_visible()

    page.get_by_label("Actor").select_option(actor)
    visible = page.locator(VISIBLE_EVENTS)
    expect(visible).to_have_count(expected)
    assert expected < total
    for actors in visible.evaluate_all("els => els.map(e => e.dataset.actors)"):
        assert actor in actors.split("|")
    assert parse_qs(urlsplit(page.url).query) == {"actor": [actor]}
    expect(page.locator("#result-count")).to_have_text(f"Showing {expected} of {total} events.")

    # A shared or reloaded link restores the selection.
    page.reload()
    expect(page.get_by_label("Actor")).to_have_value(actor)
    expect(page.locator(VISIBLE_EVENTS)).to_have_count(expected)

    # Text search narrows further: pick a word in some, not all, of the shown events.
    texts = [" ".join(t.lower().split()) for t in visible.evaluate_all("els => els.map(e => e.textContent)")]
    candidates = sorted({w for t in texts for w in re.findall(r"[a-z]{6,}", t)})
    word = next(w for w in candidates if 0 < sum(w in t for t in texts) < len(texts))
    narrowed = sum(word in t for t in texts)
    page.get_by_label("Search").fill(word)
    expect(page.locator(VISIBLE_EVENTS)).to_have_count(narrowed)
    assert parse_qs(urlsplit(page.url).query) == {"actor": [actor], "q": [word]}

    page.get_by_role("button", name="Clear").click()
    expect(page.locator(VISIBLE_EVENTS)).to_have_count(total)
    expect(page.get_by_label("Actor")).to_have_value("")
    expect(page.get_by_label("Search")).to_have_value("")
    page.wait_for_function("() => location.search === ''")
    expect(page.locator("#result-count")).to_have_text(f"{total} events.")


def test_an_unknown_filter_value_in_the_url_shows_everything(page: Page, site_url, events_data):
    goto(page, site_url + "?actor=Nobody+At+All")
    expect(page.locator(VISIBLE_EVENTS)).to_have_count(len(events_data["events"]))


def test_without_javascript_every_event_shows_and_the_filter_stays_hidden(new_context, site_url, events_data):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    goto(page, site_url + "?actor=Russia")
    expect(page.locator(VISIBLE_EVENTS)).to_have_count(len(events_data["events"]))
    expect(page.locator("form#filters")).to_be_hidden()
    # The actor and topic pages are the no-script way to narrow the list.
    expect(page.locator("a[href='actors/']").first).to_be_visible()


# --- errors and network ------------------------------------------------------------

@pytest.mark.parametrize("name", list(PAGES))
def test_no_console_errors_and_nothing_from_other_hosts(page: Page, site_url, errors, name):
    requests: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None)
    goto(page, site_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    assert not errors, "\n".join(errors)
    assert not failed, "\n".join(failed)
    assert all(url.startswith(site_url) for url in requests), [u for u in requests if not u.startswith(site_url)]
    assert any(url.endswith("style.css") for url in requests)


def test_a_missing_page_gets_the_styled_404_at_any_depth(page: Page, site_url, errors):
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    response = page.goto(site_url + "events/no-such-event/", wait_until="networkidle")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert statuses.get(site_url + "style.css") == 200
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    page.get_by_role("link", name="Go to the timeline").click()
    expect(page.locator("article.event").first).to_be_visible()
    # The only errors allowed are the browser's own report of the 404 itself.
    assert all("404" in e for e in errors), errors


# --- accessibility -----------------------------------------------------------------

def axe_check(page: Page) -> None:
    """axe-core's violations, plus contrast failures it only lists as "incomplete".

    axe files some text it can measure (e.g. highlights that wrap across
    lines) under "incomplete" even when the ratio it found is too low.
    """
    results = Axe().run(page, options={"resultTypes": ["violations", "incomplete"]})
    low_contrast = []
    for item in results.response.get("incomplete", []):
        if item["id"] != "color-contrast":
            continue
        for node in item["nodes"]:
            for check in node["any"]:
                data = check.get("data") or {}
                ratio = data.get("contrastRatio") or 0
                expected = float(str(data.get("expectedContrastRatio") or "4.5:1").split(":")[0])
                if ratio and ratio < expected:
                    low_contrast.append(f"{node['target']}: {ratio}:1, needs {expected}:1 "
                                        f"({data.get('fgColor')} on {data.get('bgColor')})")
    assert results.violations_count == 0, results.generate_report()
    assert not low_contrast, "text with too little contrast:\n" + "\n".join(low_contrast)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["index", "event", "source", "about", "actor", "corrections"])
def test_axe_finds_no_violations(page: Page, site_url, name, scheme):
    page.emulate_media(color_scheme=scheme)
    goto(page, site_url + PAGES[name])
    assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    axe_check(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_with_a_filter_applied_and_a_note_open(page: Page, site_url, events_data, scheme):
    page.emulate_media(color_scheme=scheme)
    actor, _ = common_actor(events_data)
    goto(page, site_url)
    page.get_by_label("Actor").select_option(actor)
    page.locator("details.date-note summary").first.click()
    axe_check(page)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page, site_url):
    goto(page, site_url + EVENT)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


# --- layout ------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("name", ["index", "event", "source", "corrections"])
def test_no_horizontal_scrolling(new_context, site_url, name, width, scheme):
    context = new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    goto(page, site_url + PAGES[name])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{scheme}.png"), full_page=True)
    sizes = widths(page)
    assert sizes["scroll"] <= sizes["client"], f"{name} at {width}px ({scheme}) scrolls sideways: {sizes}"


# --- under a sub-path --------------------------------------------------------------

def test_the_site_works_under_a_sub_path(page: Page, subpath_url, errors):
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(urlsplit(r.url).path, r.status))
    goto(page, subpath_url)
    assert statuses.get("/repo/style.css") == 200, statuses
    assert statuses.get("/repo/filter.js") == 200, statuses
    # The stylesheet applied: the page background is the site's, not the browser's white.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), background
    expect(page.locator("form#filters")).to_be_visible()

    page.locator("article.event h4 a").first.click()
    page.wait_for_url(re.compile(r"/repo/events/[^/]+/$"))
    expect(page.locator("h1")).to_be_visible()

    page.locator("a.cite").first.click()
    page.wait_for_url(re.compile(r"/repo/sources/[^/]+/#passage-\d+$"))
    expect(page.locator(":target")).to_be_in_viewport()
    page.get_by_role("link", name=re.compile(r"\.txt$")).click()
    page.wait_for_url(re.compile(r"/repo/sources/[^/]+/[^/]+\.txt$"))

    # For a plain-text document Chromium asks the host's root for /favicon.ico
    # by itself; under a sub-path that is the host's file, not the site's.
    browser_own = "/favicon.ico"
    statuses.pop(browser_own, None)
    errors[:] = [e for e in errors if not e.endswith(f"{urlsplit(subpath_url).netloc}{browser_own})")]
    outside = [p for p in statuses if not p.startswith("/repo/")]
    assert not outside, f"requests outside the sub-path: {outside}"
    assert all(s < 400 for s in statuses.values()), statuses
    assert not errors, "\n".join(errors)


# --- corrections ------------------------------------------------------------------

def test_a_corrected_card_leads_to_its_notes_and_the_footer_to_every_correction(page: Page, site_url, events_data):
    corrected = [e for e in events_data["events"] if e.get("corrections")]
    assert corrected
    goto(page, site_url)
    first = corrected[0]
    page.locator(f"#ev-{first['id']} .corrected-mark a").click()
    aside = page.locator("aside.corrections")
    expect(aside).to_be_visible()
    assert page.url.endswith(f"events/{first['id']}/#corrections")
    # At the top: before the summary, and each note in full.
    above = page.evaluate("document.querySelector('aside.corrections').compareDocumentPosition("
                          "document.querySelector('.summary')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert above
    expect(aside.locator("li.correction")).to_have_count(len(first["corrections"]))
    page.locator("footer.site-footer").get_by_role("link", name="Corrections").click()
    expect(page.locator("h1")).to_have_text("Corrections")
    entries = page.locator("ol.correction-list > li")
    expect(entries).to_have_count(sum(len(e["corrections"]) for e in corrected))
    days = page.locator("ol.correction-list time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert days == sorted(days, reverse=True)
    link = entries.first.locator("h2 a")
    target = link.get_attribute("href").split("#")[1]
    link.click()
    expect(page.locator(f"[id='{target}']")).to_be_visible()
