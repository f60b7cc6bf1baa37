"""The generated site, read as files: structure, links, citations, builds.

No browser here: pages are parsed with the standard library's HTMLParser
into a small tree. The data is read from events.toml with tomllib, not with
the project's loader, so these tests check the output against the input
rather than against the code that produced it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import EVENTS, ROOT

from timeline.commands.build import build

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = ("href", "src", "cite", "action", "poster", "data")
RESOURCE_TAGS = {"script", "link", "img", "source", "iframe", "video", "audio", "object", "embed", "image", "use", "track"}


# --- a small HTML tree ------------------------------------------------------------

class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None", line: int = 0):
        self.tag, self.attrs, self.parent, self.line = tag, attrs, parent, line
        self.children: list[Node | str] = []

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find(self, tag: str | None = None, **attrs) -> "Node | None":
        return next(self.find_all(tag, **attrs), None)

    def find_all(self, tag: str | None = None, **attrs):
        for node in self.iter(tag):
            if all(node.has(k.rstrip("_"), v) for k, v in attrs.items()):
                yield node

    def has(self, name: str, value) -> bool:
        actual = self.attrs.get(name)
        if value is True:
            return actual is not None
        if name == "class":
            return actual is not None and value in actual.split()
        return actual == value

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs} line {self.line}>"


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.stack[-1], self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.stack[-1], self.getpos()[0])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


_parsed: dict[Path, Node] = {}


def parse(path: Path) -> Node:
    if path not in _parsed:
        builder = TreeBuilder()
        builder.feed(path.read_text(encoding="utf-8"))
        builder.close()
        _parsed[path] = builder.root
    return _parsed[path]


def parse_text(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def words(text: str) -> str:
    return " ".join(text.split())


# --- helpers on the output ------------------------------------------------------------

def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def url_path(site_dir: Path, page: Path) -> str:
    """The URL path a page is served at, from the site root."""
    return "/" + page.relative_to(site_dir).as_posix()


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) or url.startswith("//")


def internal_urls(doc: Node):
    """(node, attribute, value) for every URL in the page that is not external."""
    for node in doc.iter():
        for name in URL_ATTRIBUTES:
            value = node.attrs.get(name)
            if value is None:
                continue
            if name == "data" and node.tag != "object":
                continue
            if not is_external(value):
                yield node, name, value
        if "srcset" in node.attrs:
            for candidate in node.attrs["srcset"].split(","):
                url = candidate.strip().split(" ")[0]
                if url and not is_external(url):
                    yield node, "srcset", url


def resolve(site_dir: Path, page: Path, url: str) -> tuple[Path, str, str]:
    """A page's URL → (file in the output, fragment, resolved URL path)."""
    absolute = urljoin(url_path(site_dir, page), url)
    parts = urlsplit(absolute)
    path = unquote(parts.path)
    target = site_dir / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment), path


def ids_of(path: Path) -> set[str]:
    return {n.attrs["id"] for n in parse(path).iter() if "id" in n.attrs}


def expected_datetime(value) -> str:
    """The first <time datetime> for a date as written in events.toml: of its
    first known point, without a qualifier; a season by its year."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    first = next(part for part in str(value).strip().split("/") if part not in ("", ".."))
    first = first.rstrip("~?%")
    return first[:4] if re.fullmatch(r"\d{4}-2[1-4]", first) else first


def index_order(site_dir: Path) -> list[str]:
    doc = parse(site_dir / "index.html")
    return [a.attrs["id"].removeprefix("ev-") for a in doc.find_all("article", class_="event")]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_project(tmp: Path) -> Path:
    """events.toml and its archived sources, copied into `tmp`; the events path."""
    shutil.copy2(EVENTS, tmp / "events.toml")
    shutil.copytree(ROOT / "site_src" / "sources", tmp / "site_src" / "sources")
    return tmp / "events.toml"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def event_blocks(text: str) -> list[str]:
    """events.toml split before each [[events]] header (the first part is the preamble)."""
    return re.split(r"(?m)^(?=\[\[events\]\]\s*$)", text)


# --- every page -------------------------------------------------------------------------

def test_the_site_has_the_expected_pages(site_dir, events_data):
    for name in ("index.html", "404.html", "about/index.html", "sources/index.html",
                 "actors/index.html", "tags/index.html", "style.css", "filter.js", "favicon.svg"):
        assert (site_dir / name).is_file(), f"{name} is missing from the output"
    assert len(html_pages(site_dir)) > len(events_data["events"])


def test_every_page_is_well_formed_for_readers(site_dir):
    failures = []
    for page in html_pages(site_dir):
        doc = parse(page)
        name = page.relative_to(site_dir).as_posix()
        h1s = list(doc.iter("h1"))
        if len(h1s) != 1:
            failures.append(f"{name}: {len(h1s)} <h1> elements, expected exactly one")
        html = doc.find("html")
        if html is None or not html.attrs.get("lang", "").strip():
            failures.append(f"{name}: <html> has no lang")
        body = doc.find("body")
        first_link = body.find("a") if body else None
        if first_link is None or first_link.attrs.get("href") != "#main":
            failures.append(f"{name}: the first link in <body> is not a skip link to #main")
        main = doc.find("main")
        if main is None or main.attrs.get("id") != "main":
            failures.append(f"{name}: no <main id=\"main\"> for the skip link")
        title = doc.find("title")
        if title is None or not title.text().strip():
            failures.append(f"{name}: no <title>")
    assert not failures, "\n".join(failures)


def test_every_page_has_a_content_security_policy(site_dir):
    for page in html_pages(site_dir):
        metas = [m for m in parse(page).iter("meta")
                 if m.attrs.get("http-equiv", "").lower() == "content-security-policy"]
        assert len(metas) == 1, f"{page.relative_to(site_dir)}: expected one CSP <meta>"
        directives = [d.strip() for d in metas[0].attrs.get("content", "").split(";")]
        assert "default-src 'self'" in directives, f"{page.relative_to(site_dir)}: {directives}"
        assert not any("unsafe-inline" in d or "unsafe-eval" in d for d in directives)


JSON_LD = "application/ld+json"


def json_ld_problems(name: str, node) -> list[str]:
    """A JSON-LD block is data, never run (and exempt from script-src): it
    must parse as JSON and carry no raw '<', so no text can end the element."""
    text = node.text()
    problems = [f"{name}:{node.line}: raw '<' inside JSON-LD"] if "<" in text else []
    try:
        json.loads(text)
    except ValueError as error:
        problems.append(f"{name}:{node.line}: JSON-LD does not parse: {error}")
    return problems


def test_no_inline_scripts_or_event_handler_attributes(site_dir):
    failures = []
    for page in html_pages(site_dir):
        name = page.relative_to(site_dir).as_posix()
        for node in parse(page).iter():
            if node.tag == "script" and node.attrs.get("type") == JSON_LD:
                failures += json_ld_problems(name, node)
            elif node.tag == "script":
                if node.text().strip():
                    failures.append(f"{name}:{node.line}: inline <script> body")
                if not node.attrs.get("src"):
                    failures.append(f"{name}:{node.line}: <script> without src")
            if node.tag == "style" or "style" in node.attrs:
                failures.append(f"{name}:{node.line}: inline style (blocked by the CSP)")
            for attribute in node.attrs:
                if attribute.lower().startswith("on"):
                    failures.append(f"{name}:{node.line}: <{node.tag} {attribute}=...>")
            for attribute in ("href", "src", "action"):
                if node.attrs.get(attribute, "").strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    failures.append(f"{name}:{node.line}: <{node.tag} {attribute}={node.attrs[attribute]!r}>")
    assert not failures, "\n".join(failures)


def test_no_resources_from_other_hosts(site_dir):
    failures = []
    for page in html_pages(site_dir):
        name = page.relative_to(site_dir).as_posix()
        for node in parse(page).iter():
            if node.tag not in RESOURCE_TAGS:
                continue
            if node.tag == "link" and not {"stylesheet", "icon", "preload", "modulepreload", "manifest",
                                            "apple-touch-icon", "mask-icon"} & set(node.attrs.get("rel", "").lower().split()):
                continue  # canonical, prev/next etc. are not loaded
            for attribute in ("src", "href", "srcset", "data", "poster", "xlink:href"):
                value = node.attrs.get(attribute)
                if value and any(is_external(part.strip().split(" ")[0]) for part in value.split(",")):
                    failures.append(f"{name}:{node.line}: <{node.tag} {attribute}={value!r}> loads from another host")
    for css in site_dir.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        for match in re.finditer(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", text):
            url = match.group(1) or match.group(2)
            if is_external(url) and not url.startswith("data:"):
                failures.append(f"{css.name}: loads {url}")
    assert not failures, "\n".join(failures)


# --- links --------------------------------------------------------------------------------

def test_every_internal_link_resolves_to_a_file_and_fragment(site_dir):
    failures = []
    checked = 0
    for page in html_pages(site_dir):
        name = page.relative_to(site_dir).as_posix()
        for node, attribute, url in internal_urls(parse(page)):
            target, fragment, path = resolve(site_dir, page, url)
            checked += 1
            if not target.is_file():
                hint = " (a folder: the link needs a trailing slash)" if target.is_dir() else ""
                failures.append(f"{name}:{node.line}: <{node.tag} {attribute}={url!r}> → {path} does not exist{hint}")
                continue
            if fragment and fragment not in ids_of(target):
                failures.append(f"{name}:{node.line}: <{node.tag} {attribute}={url!r}> → no id {fragment!r} in {path}")
    assert checked > 500, f"only {checked} links found; is the parser seeing the pages?"
    assert not failures, "\n".join(failures)


def test_pages_link_relatively_so_the_site_works_under_a_sub_path(site_dir):
    """Only 404.html (served at any depth by hosts) may use root-absolute links."""
    failures = []
    for page in html_pages(site_dir):
        name = page.relative_to(site_dir).as_posix()
        if name == "404.html":
            continue
        for node, attribute, url in internal_urls(parse(page)):
            if url.startswith("/"):
                failures.append(f"{name}:{node.line}: <{node.tag} {attribute}={url!r}> is root-absolute")
    assert not failures, "\n".join(failures)


def test_the_404_page_links_from_the_root_at_any_depth(site_dir):
    page = site_dir / "404.html"
    doc = parse(page)
    urls = [(node, url) for node, _, url in internal_urls(doc) if not url.startswith("#")]
    assert urls
    for node, url in urls:
        assert url.startswith("/"), f"404.html:{node.line}: {url!r} would break when served at /a/b/missing"
        # Served for a missing page deep in the site, it still finds its files.
        for depth in ("/", "/events/no-such-event/", "/a/b/c/"):
            target, fragment, _ = resolve(site_dir, page, urljoin(depth, url))
            assert target.is_file(), f"{url!r} from {depth}"
    links = [n for n in doc.find_all("a") if n.attrs.get("href") == "/"]
    assert any("timeline" in words(a.text()).lower() for a in links)


# --- citations ----------------------------------------------------------------------------

def test_every_citation_on_the_index_points_at_a_highlighted_passage(site_dir, events_data):
    doc = parse(site_dir / "index.html")
    cites = list(doc.find_all("a", class_="cite"))
    expected = sum(
        len(e.get("citations", [])) + sum(len(d["versions"]) for d in e.get("differences", []))
        for e in events_data["events"]
    )
    assert len(cites) == expected, "every citation and every version of a difference has one link"
    for a in cites:
        href = a.attrs["href"]
        match = re.fullmatch(r"sources/([A-Za-z0-9_-]+)/#(passage-\d+)", href)
        assert match, f"line {a.line}: citation link {href!r} is not sources/<id>/#passage-N"
        source_id, anchor = match.groups()
        assert source_id in events_data["sources"], href
        target = site_dir / "sources" / source_id / "index.html"
        marks = [m for m in parse(target).iter("mark") if m.attrs.get("id") == anchor]
        assert len(marks) == 1, f"{href}: no <mark id={anchor!r}> on the source page"
        assert marks[0].text().strip()


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                              "\u2013": "-", "\u2014": "-", "\u00ab": '"', "\u00bb": '"'})


def folded(text: str) -> str:
    """Whitespace and typographic quotes/dashes folded, as quotes are matched."""
    return words(text.translate(_TYPOGRAPHIC))


def highlighted_run(source_page: Path, anchor: str) -> str:
    """The highlighted text from the mark with id `anchor` to the end of its highlight."""
    segments: list[tuple[str, bool | None, str]] = []  # (text, marked; None between paragraphs, id)
    document = parse(source_page).find("div", class_="document-text")
    for paragraph in document.iter("p"):
        for child in paragraph.children:
            if isinstance(child, str):
                segments.append((child, False, ""))
            else:
                segments.append((child.text(), child.tag == "mark", child.attrs.get("id", "")))
        segments.append((" ", None, ""))
    start = next(i for i, s in enumerate(segments) if s[2] == anchor)
    run = []
    for text, marked, _ in segments[start:]:
        if marked is False:
            break
        run.append(text)
    return "".join(run)


def test_every_quote_is_highlighted_on_its_source_page(site_dir, events_data):
    """Each citation link of an event leads to a highlight that begins with its quote."""
    for event in events_data["events"]:
        citations = list(event.get("citations", []))
        citations += [v for d in event.get("differences", []) for v in d["versions"]]
        page = site_dir / "events" / event["id"] / "index.html"
        targets = [resolve(site_dir, page, a.attrs["href"]) for a in parse(page).find_all("a", class_="cite")]
        assert len(targets) == len(citations), event["id"]
        runs = {(t, f): folded(highlighted_run(t, f)) for t, f, _ in targets}
        for citation in citations:
            source_page = site_dir / "sources" / citation["source"] / "index.html"
            quote = folded(citation["quote"])
            assert any(t == source_page and run.startswith(quote) for (t, _), run in runs.items()), (
                f"{event['id']}: no citation link leads to a highlight starting with {citation['quote']!r}"
            )


# --- events -----------------------------------------------------------------------------------

def test_every_event_has_a_page_with_descriptions(site_dir, events_data):
    for event in events_data["events"]:
        page = site_dir / "events" / event["id"] / "index.html"
        assert page.is_file(), f"no page for event {event['id']}"
        doc = parse(page)
        metas = {m.attrs.get("property") or m.attrs.get("name"): m.attrs.get("content", "") for m in doc.iter("meta")}
        assert metas.get("og:title") == event["title"], event["id"]
        assert metas.get("og:description", "").strip(), f"{event['id']}: empty og:description"
        assert metas.get("description", "").strip(), f"{event['id']}: empty meta description"
        assert len(metas["description"]) <= 200
        assert metas.get("og:type") == "article"
        assert words(doc.find("h1").text()) == words(event["title"])
        time = doc.find("article").find("time")
        assert time.attrs["datetime"] == expected_datetime(event["date"]), event["id"]


def test_event_pages_link_to_the_previous_and_next_event(site_dir, events_data):
    order = index_order(site_dir)
    assert sorted(order) == sorted(e["id"] for e in events_data["events"])
    for i, event_id in enumerate(order):
        page = site_dir / "events" / event_id / "index.html"
        doc = parse(page)
        rel = {a.attrs["rel"]: a.attrs["href"] for a in doc.find_all("a") if a.attrs.get("rel") in ("prev", "next")}
        if i == 0:
            assert "prev" not in rel, f"the first event {event_id} has a previous link"
        else:
            assert resolve(site_dir, page, rel["prev"])[0] == site_dir / "events" / order[i - 1] / "index.html"
        if i == len(order) - 1:
            assert "next" not in rel, f"the last event {event_id} has a next link"
        else:
            assert resolve(site_dir, page, rel["next"])[0] == site_dir / "events" / order[i + 1] / "index.html"
        back = [a for a in doc.find_all("a") if a.attrs.get("href", "").endswith(f"#ev-{event_id}")]
        assert back, f"{event_id}: no link back to its place on the timeline"


def test_the_index_lists_every_event_in_order(site_dir, events_data):
    doc = parse(site_dir / "index.html")
    articles = {a.attrs["id"]: a for a in doc.find_all("article", class_="event")}
    assert len(articles) == len(events_data["events"])
    for event in events_data["events"]:
        article = articles.get(f"ev-{event['id']}")
        assert article is not None, f"{event['id']} is not on the index"
        assert article.parent.tag == "li" and article.parent.parent.tag == "ol", f"{event['id']}: not a list item of an <ol>"
        time = article.find("time")
        assert time is not None and time.attrs["datetime"] == expected_datetime(event["date"]), event["id"]
        title = article.find("a", href=f"events/{event['id']}/")
        assert title is not None and words(title.text()) == words(event["title"])
    # The datetime is only as precise as the data: month-precision stays a month.
    precisions = {len(expected_datetime(e["date"])) for e in events_data["events"]}
    assert {7, 10} <= precisions, "the data is expected to mix month and day precision"
    # Chronological: the datetime values never go backwards.
    starts = [articles[f"ev-{i}"].find("time").attrs["datetime"][:10] for i in index_order(site_dir)]
    first_days = [{4: s + "-01-01", 7: s + "-01"}.get(len(s), s) for s in starts]
    assert first_days == sorted(first_days)


def test_the_index_summarises_the_count(site_dir, events_data):
    doc = parse(site_dir / "index.html")
    status = doc.find(id="result-count")
    assert words(status.text()) == f"{len(events_data['events'])} events."


def test_editor_supplied_dates_and_differences_are_marked(site_dir, events_data):
    """The shipped record has no difference since its rewrite: the checks of
    one run where it has them (test_claims has a record that does)."""
    index = parse(site_dir / "index.html")
    with_note = 0
    for event in events_data["events"]:
        page_article = parse(site_dir / "events" / event["id"] / "index.html").find("article", class_="event")
        index_article = index.find("article", id=f"ev-{event['id']}")
        for article in (page_article, index_article):
            text = words(article.text())
            if event.get("date_note"):
                assert "supplied by the editors" in text, f"{event['id']}: editor-supplied date not marked"
                assert words(event["date_note"]) in text
            else:
                assert "supplied by the editors" not in text, f"{event['id']}: marked as editor-supplied"
            boxes = list(article.find_all("section", class_="difference"))
            if event.get("differences"):
                assert len(boxes) == len(event["differences"]), event["id"]
                assert text.count("Sources differ") >= len(event["differences"]), event["id"]
                for difference in event["differences"]:
                    assert words(difference["about"]) in text
                    for version in difference["versions"]:
                        assert words(version["claim"]) in text
            else:  # a correction may still tell of a box it removed
                assert not boxes, event["id"]
        with_note += bool(event.get("date_note"))
    assert with_note and with_note < len(events_data["events"])


# --- sources ----------------------------------------------------------------------------------

def test_source_pages_say_who_wrote_the_title(site_dir, events_data):
    sources = events_data["sources"]
    assigned = {sid for sid, s in sources.items() if s.get("title_assigned")}
    assert assigned == {"s002", "s003"}
    listing_page = site_dir / "sources" / "index.html"
    listing = parse(listing_page).find("main")
    for sid, source in sources.items():
        main = parse(site_dir / "sources" / sid / "index.html").find("main")
        text = words(main.text()).lower()
        assert words(main.find("h1").text()) == words(source["title"])
        if sid in assigned:
            assert "assigned by the editors" in text, f"{sid}: the page does not say the title is the editors'"
        else:
            assert "assigned by the editors" not in text, f"{sid}: wrongly says the title was assigned"
        item = next(li for li in listing.find_all("li") if any(
            resolve(site_dir, listing_page, a.attrs.get("href", ""))[2] == f"/sources/{sid}/" for a in li.iter("a")))
        assert ("assigned by the editors" in words(item.text()).lower()) == (sid in assigned), sid


def test_source_pages_list_every_citing_event(site_dir, events_data):
    for sid in events_data["sources"]:
        page = site_dir / "sources" / sid / "index.html"
        cited = parse(page).find("section", class_="cited-by")
        listed = {resolve(site_dir, page, a.attrs["href"])[2] for a in cited.iter("a") if "/events/" in
                  resolve(site_dir, page, a.attrs["href"])[2]}
        expected = {f"/events/{e['id']}/" for e in events_data["events"]
                    if any(c["source"] == sid for c in e.get("citations", []))
                    or any(v["source"] == sid for d in e.get("differences", []) for v in d["versions"])}
        assert listed == expected, sid


def test_cited_by_lists_each_event_and_passage_once(site_dir, events_data):
    duplicates = []
    for sid in events_data["sources"]:
        page = site_dir / "sources" / sid / "index.html"
        items = [words(li.text()) + " " + " ".join(a.attrs["href"] for a in li.iter("a"))
                 for li in parse(page).find("section", class_="cited-by").iter("li")]
        duplicates += [f"{sid}: {item}" for item in set(items) if items.count(item) > 1]
    assert not duplicates, "\n".join(sorted(duplicates))


def test_source_pages_link_their_archived_file_unchanged(site_dir, events_data):
    for sid, source in events_data["sources"].items():
        page = site_dir / "sources" / sid / "index.html"
        links = [a.attrs["href"] for a in parse(page).find_all("a") if a.attrs.get("href", "").endswith(".txt")]
        assert len(links) == 1, f"{sid}: expected one link to the archived file, found {links}"
        target, _, _ = resolve(site_dir, page, links[0])
        assert target.is_file(), f"{sid}: {links[0]} does not exist"
        original = ROOT / source["file"]
        assert target.read_bytes() == original.read_bytes(), f"{sid}: archived copy differs from {source['file']}"
        assert target.name == original.name


# --- builds ----------------------------------------------------------------------------------

def test_two_builds_are_byte_identical(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for out in (one, two):
        site, problems = build(EVENTS, out)
        assert site is not None, problems
    first, second = tree_bytes(one), tree_bytes(two)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"files differ between two builds: {different}"


@pytest.mark.parametrize("breakage", ["toml syntax", "quote not in source"])
def test_a_failed_build_leaves_the_published_site_untouched(tmp_path, breakage):
    events = copy_project(tmp_path)
    out = tmp_path / "public"
    good = run_cli("--events", str(events), "--out", str(out))
    assert good.returncode == 0, good.stderr
    before = tree_bytes(out)
    assert "index.html" in before

    text = events.read_text(encoding="utf-8")
    if breakage == "toml syntax":
        broken = text + '\n[[events]]\nid = "unclosed\n'
    else:
        quote = re.search(r'(?m)^ *quote = "[^"\\]+"$', text).group()
        broken = text.replace(quote, 'quote = "a sentence that no archived document contains"')
    events.write_text(broken, encoding="utf-8")
    bad = run_cli("--events", str(events), "--out", str(out))

    assert bad.returncode == 1, (bad.stdout, bad.stderr)
    assert "events.toml" in bad.stderr and re.search(r":\d+:", bad.stderr), bad.stderr
    assert tree_bytes(out) == before, "a failed build changed the published folder"
    # .cache is the build cache, kept beside the events file on purpose.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".cache"]
    assert not leftovers, f"temporary folders left behind: {leftovers}"


def test_a_removed_event_leaves_no_page_behind(tmp_path):
    events = copy_project(tmp_path)
    out = tmp_path / "public"
    site, problems = build(events, out)
    assert site is not None, problems
    gone = "kyiv-suburbs-retaken-2022"
    assert (out / "events" / gone / "index.html").is_file()

    blocks = event_blocks(events.read_text(encoding="utf-8"))
    kept = [b for b in blocks if f'id = "{gone}"' not in b]
    assert len(kept) == len(blocks) - 1
    events.write_text("".join(kept), encoding="utf-8")
    site, problems = build(events, out)
    assert site is not None, problems

    assert not (out / "events" / gone).exists(), "the removed event's page is still published"
    for page in html_pages(out):
        assert gone not in page.read_text(encoding="utf-8"), f"{page.relative_to(out)} still mentions {gone}"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- untrusted text -----------------------------------------------------------------------------

HOSTILE_TITLE = "A <b>bold</b> & <i>sneaky</i> title"
HOSTILE_SUMMARY = """
Before <script>alert(1)</script> the link [x](javascript:alert(1)) and
<img src=x onerror=alert(1)> and <a href="javascript:alert(2)" onclick="alert(3)">y</a>.
"""


def _hostile_project(tmp: Path, events_data: dict) -> Path:
    sources = tmp / "site_src" / "sources"
    sources.mkdir(parents=True)
    source = events_data["sources"]["s000"]
    shutil.copy2(ROOT / source["file"], sources / "doc.txt")
    site = events_data["site"]
    summary = HOSTILE_SUMMARY.replace('"', '\\"')
    text = f'''[site]
title = {tomllib_str(site["title"])}
description = {tomllib_str(site["description"])}
language = {tomllib_str(site["language"])}

[sources.s000]
title = {tomllib_str(source["title"])}
file = "site_src/sources/doc.txt"
note = "Editors' <script>alert(4)</script> note."

[[events]]
id = "hostile"
date = "2022-02"
title = {tomllib_str(HOSTILE_TITLE)}
summary = """{summary}"""
actors = ["<Mallory>"]
tags = ["x<y"]

  [[events.citations]]
  source = "s000"
  quote = "amid the ongoing conflict that erupted in February 2022"
'''
    path = tmp / "events.toml"
    path.write_text(text, encoding="utf-8")
    assert tomllib.loads(text)["events"][0]["title"] == HOSTILE_TITLE
    return path


def tomllib_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_markdown_and_titles_cannot_inject_markup(tmp_path, events_data):
    events = _hostile_project(tmp_path, events_data)
    out = tmp_path / "public"
    site, problems = build(events, out)
    assert site is not None, "\n".join(map(str, problems))

    pages = [out / "index.html", out / "events" / "hostile" / "index.html", out / "sources" / "s000" / "index.html"]
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        doc = parse(page)
        name = page.relative_to(out).as_posix()
        for node in doc.iter():
            assert node.tag not in ("img", "b", "i"), f"{name}:{node.line}: <{node.tag}> from the data became markup"
            if node.tag == "script" and node.attrs.get("type") == JSON_LD:
                assert not json_ld_problems(name, node)
            elif node.tag == "script":
                assert node.attrs.get("src") and not node.text().strip(), name
            for attribute, value in node.attrs.items():
                assert not attribute.startswith("on"), f"{name}:{node.line}: {attribute} attribute"
                assert "javascript:" not in value.lower(), f"{name}:{node.line}: {attribute}={value!r}"
        assert "<script>alert" not in raw and "<img" not in raw and "<b>" not in raw, name

    event_doc = parse(out / "events" / "hostile" / "index.html")
    # The title is shown as text, escaped, everywhere it appears.
    assert words(event_doc.find("h1").text()) == HOSTILE_TITLE
    assert words(event_doc.find("title").text()).startswith(HOSTILE_TITLE)
    metas = {m.attrs.get("property") or m.attrs.get("name"): m.attrs.get("content", "") for m in event_doc.iter("meta")}
    assert metas["og:title"] == HOSTILE_TITLE
    assert "&lt;b&gt;bold&lt;/b&gt;" in (out / "events" / "hostile" / "index.html").read_text(encoding="utf-8")
    summary = event_doc.find("div", class_="summary")
    assert "Before" in summary.text() and "alert(1)" not in summary.text()
    assert words(event_doc.find("a", href="../../actors/mallory/").text()) == "<Mallory>"

