"""timeline.json, loaded into the real TimelineJS in headless Chromium.

The library is the npm package @knight-lab/timelinejs, pinned in
package.json / package-lock.json and installed into node_modules/ by
`npm ci` (the Makefile's `test` target does it). A temporary folder holding
its dist/ files, a small test page and the generated timeline.json is served
on 127.0.0.1 only. TimelineJS is given an absolute `script_path` (a relative
one breaks its locale loading) and `font: null` (the default font CSS pulls
web fonts from other hosts). The test fails on any console error or page
error, and on any request to another host: such requests are aborted and
recorded.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from timeline.render.outputs.timelinejs import render_timelinejs
from timeline.render.when import words
from timeline.site.pages import Pages
from timeline.site.plan import event_html

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
PACKAGE = DIST.parent / "package.json"
EVENTS = ROOT / "events.toml"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>timeline.json in TimelineJS</title>
<link rel="stylesheet" href="/timelinejs/css/timeline.css">
<script src="/timelinejs/js/timeline.js"></script>
</head>
<body>
<div id="timeline" style="width: 1100px; height: 700px"></div>
<script>
  window.timelineState = "loading";
  var timeline = new TL.Timeline("timeline", "__ORIGIN__/timeline.json", {
    script_path: "__ORIGIN__/timelinejs/js/",
    font: null,
    language: "en",
    hash_bookmark: false
  });
  timeline.on("loaded", function () { window.timelineState = "loaded"; });
  window.timeline = timeline;
</script>
</body>
</html>
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def timelinejs_url(shipped, tmp_path_factory):
    """http://127.0.0.1:PORT/ serving the test page, TimelineJS and timeline.json."""
    if not (DIST / "js" / "timeline.js").is_file():
        pytest.fail(
            "TimelineJS is not installed: run `npm ci --no-audit --no-fund` at the repository root "
            "(or `make test`, which does it).",
            pytrace=False,
        )
    folder = tmp_path_factory.mktemp("timelinejs")
    shutil.copytree(DIST, folder / "timelinejs")
    (folder / "timeline.json").write_bytes(b"".join(render_timelinejs(shipped, event_html(Pages(shipped)))))
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="timelinejs-server", daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    (folder / "index.html").write_text(PAGE.replace("__ORIGIN__", origin), encoding="utf-8")
    yield origin + "/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def loaded_page(page, timelinejs_url):
    """The test page with the timeline loaded; fails on errors or outside requests."""
    problems: list[str] = []
    outside: list[str] = []

    def route(request_route):
        host = urlsplit(request_route.request.url).hostname
        if host == "127.0.0.1":
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}")
            if urlsplit(r.url).hostname == "127.0.0.1" else None)
    page.goto(timelinejs_url)
    page.wait_for_function("window.timelineState === 'loaded'", timeout=20_000)
    page.wait_for_selector(".tl-slide-titleslide", state="attached")
    yield page
    assert outside == [], f"requests to other hosts: {outside}"
    assert problems == [], "\n".join(problems)


def test_pinned_timelinejs_is_the_one_installed():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/@knight-lab/timelinejs"]["version"]
    declared = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    assert declared["@knight-lab/timelinejs"] == pinned
    assert json.loads(PACKAGE.read_text(encoding="utf-8"))["version"] == pinned


def test_one_slide_and_one_marker_per_event(loaded_page, shipped):
    slides = loaded_page.locator(".tl-slide")
    titles = loaded_page.locator(".tl-slide.tl-slide-titleslide")
    assert titles.count() == 1
    assert slides.count() - titles.count() == len(shipped.events)
    assert loaded_page.locator(".tl-timemarker").count() == len(shipped.events)
    ids = loaded_page.eval_on_selector_all(".tl-slide:not(.tl-slide-titleslide)", "els => els.map(e => e.id)")
    assert sorted(ids) == sorted(e.id for e in shipped.events)
    headline = loaded_page.locator(".tl-slide-titleslide .tl-headline").inner_text()
    assert headline.strip() == shipped.info.title


def test_partial_dates_show_as_the_site_shows_them(loaded_page, shipped):
    month_event = next(e for e in shipped.events
                       if e.date.point and e.date.point.precision == "month" and e.date.approximate)
    loaded_page.evaluate("id => window.timeline.goToId(id)", month_event.id)
    slide = loaded_page.locator(f"[id='{month_event.id}']")
    slide.locator(".tl-headline-date").wait_for()
    assert slide.locator(".tl-headline-date").inner_text().strip() == words(month_event.date)  # "c. April 2022"
    assert month_event.title in slide.locator(".tl-headline").inner_text()
    # The citations are there, each a link to its highlighted passage.
    hrefs = slide.locator(".tl-text-content a.cite").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"sources/{c.source_id}/#{c.anchor}" for c in month_event.all_citations())
    # TimelineJS read the dates in the file: the month slide sits in its month.
    parts = loaded_page.evaluate(
        "id => { const d = window.timeline.getDataById(id).start_date.data.date_obj;"
        " return [d.getFullYear(), d.getMonth() + 1, d.getDate()]; }",
        month_event.id,
    )
    assert parts == [month_event.date.year, month_event.date.month, 1]
