"""Claim-level citations in a real browser: note references, notes, passages.

Every sentence of an event's summary ends with note references
(`a[role=doc-noteref]`) pointing to notes (`li` in `[role=doc-endnotes]`) on
the same page; each note holds the quote, a link (`a.cite`) to the
highlighted passage on the source page, and back-links to its markers.
notes.js adds a preview of the quote on hover and focus, and opens what a
followed link would otherwise leave folded.

Uses the fixtures of conftest.py (`page`, `new_context`, `site_url`,
`site_dir`, `events_data`) and the helpers of test_browser.py. Screenshots
go to test-artifacts/notes-*.png.
"""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, EVENT, axe_check, goto, widths

NOTEREF = 'a[role="doc-noteref"]'
BACKLINK = 'a[role="doc-backlink"]'
ENDNOTES = '[role="doc-endnotes"]'
SUMMARY_NOTEREF = f"article.event .summary {NOTEREF}"
NOTE_PAGES = {"index": "", "event": EVENT}
MAX_PX_PER_EVENT = 350

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'",
                         "\u00a0": " "})


def norm(text: str) -> str:
    """`text` with typographic quotes made plain and whitespace runs made one space."""
    return " ".join(text.translate(_QUOTES).split())


def fragment(url: str) -> str:
    return urlsplit(url).fragment


def hash_is(anchor: str) -> re.Pattern:
    return re.compile(re.escape("#" + anchor) + "$")


def open_all_details(page: Page) -> int:
    return page.evaluate("() => { const d = [...document.querySelectorAll('details')];"
                         " d.forEach(x => { x.open = true; }); return d.length; }")


def note_quote(page: Page, note_id: str) -> str:
    """The quote a note holds, from the DOM (shown or folded)."""
    quote = page.locator(f'li[id="{note_id}"] blockquote')
    expect(quote).to_have_count(1)
    text = norm(quote.evaluate("q => q.textContent"))
    assert text, f"note {note_id} has an empty quote"
    return text


# The text of a source page's document from the start of `mark:target` on,
# as runs of [text, highlighted?]. Highlights that overlap split a passage
# into several <mark>s, only the first carrying the passage's id, so the
# passage is the highlighted text that starts at the target.
_FROM_TARGET = """(mark, limit) => {
    const root = mark.closest('.document-text') || document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const runs = [];
    let started = false, n = 0;
    for (let node = walker.nextNode(); node && n < limit; node = walker.nextNode()) {
        if (!started && !mark.contains(node)) continue;
        started = true;
        runs.push([node.data, !!node.parentElement.closest('mark')]);
        n += node.data.length;
    }
    return runs;
}"""


def assert_lands_on_passage(page: Page, quote: str, where: str) -> None:
    """The page is a source page whose targeted <mark> starts a highlighted
    passage reading `quote` (normalised)."""
    assert re.search(r"/sources/[^/]+/#passage-\d+$", page.url), f"{where}: landed on {page.url}"
    target = page.locator("mark:target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", fragment(page.url))
    expect(target).to_be_in_viewport()
    runs = target.evaluate(_FROM_TARGET, len(quote) * 2 + 200)
    # Normalise run by run, keeping for each character whether it is highlighted.
    chars: list[tuple[str, bool]] = []
    for text, marked in runs:
        for ch in text.translate(_QUOTES):
            if ch.isspace():
                if chars and chars[-1][0] != " ":
                    chars.append((" ", marked))
            else:
                chars.append((ch, marked))
    passage = "".join(c for c, _ in chars)
    assert passage.startswith(quote), (
        f"{where}: the passage at #{fragment(page.url)} does not read as the quote\n"
        f"  quote:   {quote!r}\n  passage: {passage[:len(quote) + 40]!r}")
    unmarked = "".join(c for c, m in chars[:len(quote)] if not m and c != " ")
    assert not unmarked, f"{where}: part of the quote is not highlighted: {unmarked!r}"
    own = norm(target.evaluate("m => m.textContent"))
    assert own and quote.startswith(own), f"{where}: mark:target {own!r} is not the start of {quote!r}"


def follow_noteref_then_cite(page: Page, ref_id: str, where: str) -> None:
    """Click marker `ref_id`, check its note is the target and in view, then
    click the note's citation and check the passage."""
    ref = page.locator(f'a[id="{ref_id}"]')
    note_id = ref.get_attribute("href")[1:]
    ref.click()
    expect(page).to_have_url(hash_is(note_id))
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", note_id)
    assert target.evaluate("t => t.tagName") == "LI"
    expect(target).to_be_in_viewport()
    quote = note_quote(page, note_id)
    cite = target.locator("a.cite")
    expect(cite).to_have_count(1)
    expect(cite).to_be_visible()
    cite.click()
    page.wait_for_url(re.compile(r"/sources/[^/]+/#passage-\d+$"))
    assert_lands_on_passage(page, quote, f"{where} {ref_id} -> {note_id}")


# --- 1. two clicks from a sentence to its passage ---------------------------------------

def test_every_sentence_of_an_event_page_is_two_clicks_from_its_passage(page: Page, site_url, errors):
    goto(page, site_url + EVENT)
    ids = page.locator(NOTEREF).evaluate_all("refs => refs.map(a => a.id)")
    assert len(ids) >= 5, ids
    for ref_id in ids:
        goto(page, site_url + EVENT)
        follow_noteref_then_cite(page, ref_id, EVENT)
    assert not errors, errors


def test_a_sample_of_the_timeline_sentences_is_two_clicks_from_their_passages(page: Page, site_url, errors):
    goto(page, site_url)
    refs = page.locator(SUMMARY_NOTEREF).evaluate_all("""refs => refs.map(a => ({
        id: a.id,
        cite: document.getElementById(a.getAttribute('href').slice(1)).querySelector('a.cite').getAttribute('href'),
    }))""")
    # The first marker citing each source document, and the one whose passage
    # lies deepest in its document (the browser must scroll to it).
    sample: dict[str, str] = {}
    for r in refs:
        sample.setdefault(r["cite"].split("#")[0], r["id"])
    deepest = max(refs, key=lambda r: int(r["cite"].rsplit("-", 1)[1]))
    chosen = sorted(set(sample.values()) | {deepest["id"], refs[-1]["id"]}, key=[r["id"] for r in refs].index)
    assert len(chosen) >= 3, chosen
    for ref_id in chosen:
        goto(page, site_url)
        follow_noteref_then_cite(page, ref_id, "index")
    assert not errors, errors


# --- 2. without JavaScript -----------------------------------------------------------------

@pytest.mark.parametrize("name", list(NOTE_PAGES))
def test_without_javascript_every_noteref_leads_to_a_note_with_its_quote(new_context, site_url, name):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    goto(page, site_url + NOTE_PAGES[name])
    found = page.locator(NOTEREF).evaluate_all(f"""refs => refs.map(a => {{
        const href = a.getAttribute('href');
        const note = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
        const quote = note && note.querySelector('blockquote');
        const cite = note && note.querySelector('a.cite');
        return {{
            id: a.id, href, text: a.textContent.trim(),
            found: !!note,
            tag: note ? note.tagName : null,
            inEndnotes: !!(note && note.parentElement.tagName === 'OL' && note.closest('{ENDNOTES}')),
            sameEvent: !!(note && a.closest('article.event') === note.closest('article.event')),
            position: note ? [...note.parentElement.children].indexOf(note) + 1 : null,
            quote: quote ? quote.textContent.trim() : '',
            cite: cite ? cite.getAttribute('href') : null,
            kind: !!(note && note.querySelector('span.kind')),
            back: note ? [...note.querySelectorAll('a[role="doc-backlink"]')].map(b => b.getAttribute('href')) : [],
        }};
    }})""")
    assert len(found) >= 5, found
    problems = []
    for r in found:
        if not r["found"]:
            problems.append(f"{r['id']}: {r['href']} is not on the page")
            continue
        if r["tag"] != "LI" or not r["inEndnotes"]:
            problems.append(f"{r['id']}: {r['href']} is a {r['tag']}, in endnotes: {r['inEndnotes']}")
        if not r["sameEvent"]:
            problems.append(f"{r['id']}: {r['href']} is in another event")
        if r["text"] != str(r["position"]) or not r["href"].endswith(f"-{r['text']}"):
            problems.append(f"{r['id']}: reads {r['text']!r} but its note is number {r['position']} ({r['href']})")
        if not r["quote"]:
            problems.append(f"{r['id']}: note {r['href']} has no quote")
        if not (r["cite"] and re.fullmatch(r"(\.\./)*sources/[^/]+/#passage-\d+", r["cite"])):
            problems.append(f"{r['id']}: note {r['href']} cites {r['cite']!r}")
        if f"#{r['id']}" not in r["back"]:
            problems.append(f"{r['id']}: note {r['href']} has no way back to it ({r['back']})")
    assert not problems, "\n".join(problems)

    # The two clicks work without the script: the first and the last marker of a summary.
    summary = page.locator(SUMMARY_NOTEREF).evaluate_all("rs => rs.map(a => a.id)")
    for ref_id in (summary[0], summary[-1]):
        goto(page, site_url + NOTE_PAGES[name])
        follow_noteref_then_cite(page, ref_id, f"{name} without JavaScript")


# --- 3. the preview -----------------------------------------------------------------

# The bottom of the glyphs just before a marker (or its group of markers):
# the last character of the sentence it ends, on the marker's line.
_LINE_GLYPHS_BOTTOM = """a => {
    let node = a.closest('sup').previousSibling;
    while (node && !(node.nodeType === Node.TEXT_NODE && node.data.trim())) node = node.previousSibling;
    if (!node) return null;
    const end = node.data.trimEnd().length;
    const range = document.createRange();
    range.setStart(node, end - 1);
    range.setEnd(node, end);
    return range.getBoundingClientRect().bottom;
}"""


@pytest.mark.parametrize("name,width", [("index", 1280), ("event", 1280), ("index", 320), ("event", 375)])
def test_hovering_a_noteref_previews_its_quote_and_leaving_hides_it(new_context, site_url, name, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    goto(page, site_url + NOTE_PAGES[name])
    preview = page.locator("#note-preview")
    expect(preview).to_have_count(0)
    refs = page.locator(SUMMARY_NOTEREF)
    picks = sorted({0, 1, refs.count() - 1})
    for i in picks:
        ref = refs.nth(i)
        quote = note_quote(page, ref.get_attribute("href")[1:])
        ref.scroll_into_view_if_needed()
        ref.hover()
        expect(preview).to_have_count(1)
        expect(preview).to_be_visible()
        expect(preview).to_have_attribute("role", "tooltip")
        expect(ref).to_have_attribute("aria-describedby", "note-preview")
        assert quote in norm(preview.inner_text()), (quote, preview.inner_text())
        # The preview sits on the screen, under its marker.
        box, ref_box = preview.bounding_box(), ref.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
        assert box["y"] >= ref_box["y"] + ref_box["height"] - 1, (box, ref_box)
        # ...and below the text of the sentence's last line, not over its descenders.
        glyphs = ref.evaluate(_LINE_GLYPHS_BOTTOM)
        assert glyphs and box["y"] >= glyphs - 0.5, f"the preview (top {box['y']}) covers the line (glyphs to {glyphs})"
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.mouse.move(1, 1)
        expect(preview).to_have_count(0)
        expect(ref).not_to_have_attribute("aria-describedby", "note-preview")
    expect(page.locator("[aria-describedby='note-preview']")).to_have_count(0)


@pytest.mark.parametrize("name", list(NOTE_PAGES))
def test_tabbing_to_a_noteref_previews_its_quote_and_escape_hides_it(page: Page, site_url, name):
    goto(page, site_url + NOTE_PAGES[name])
    preview = page.locator("#note-preview")
    # Start from the first event's title link (on an event page, from the
    # page's top) and tab forward to the first marker.
    page.locator("article.event").first.evaluate(
        "a => { const t = a.querySelector('.event-title a'); if (t) t.focus(); }")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('role') === 'doc-noteref'"):
            break
    expect(page.locator(f"{NOTEREF}:focus")).to_have_count(1)
    focused = page.locator(f'a[id="{page.evaluate("document.activeElement.id")}"]')
    quote = note_quote(page, focused.get_attribute("href")[1:])
    expect(preview).to_be_visible()
    expect(focused).to_have_attribute("aria-describedby", "note-preview")
    assert quote in norm(preview.inner_text())
    page.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    expect(focused).to_be_focused()
    expect(focused).not_to_have_attribute("aria-describedby", "note-preview")
    # From a marker followed by another (a sentence citing two passages), Tab
    # moves the preview to the second: one preview at a time.
    first = page.locator(f"sup.noteref:has(+ sup.noteref) > {NOTEREF}").first
    page.evaluate("document.activeElement.blur()")  # it may be the marker focused above
    first.focus()
    expect(first).to_have_attribute("aria-describedby", "note-preview")
    page.keyboard.press("Tab")
    now = page.locator(f"{NOTEREF}:focus")
    expect(now).to_have_count(1)
    expect(preview).to_have_count(1)
    expect(now).to_have_attribute("aria-describedby", "note-preview")
    expect(first).not_to_have_attribute("aria-describedby", "note-preview")
    assert note_quote(page, now.get_attribute("href")[1:]) in norm(preview.inner_text())
    page.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    expect(page.locator("[aria-describedby='note-preview']")).to_have_count(0)


def test_the_preview_stays_while_the_pointer_moves_onto_it(page: Page, site_url):
    goto(page, site_url + EVENT)
    ref = page.locator(NOTEREF).first
    ref.hover()
    preview = page.locator("#note-preview")
    expect(preview).to_be_visible()
    preview.hover()  # the pointer leaves the reference for the preview
    expect(preview).to_be_visible()
    page.mouse.move(1, 1)
    expect(preview).to_have_count(0)


def test_clicking_a_noteref_on_the_timeline_opens_its_quote(page: Page, site_url):
    goto(page, site_url)
    # A marker whose note is the second or later of its card.
    ref = page.locator(SUMMARY_NOTEREF).filter(has_not_text=re.compile(r"^1$")).first
    note_id = ref.get_attribute("href")[1:]
    details = page.locator(f'li[id="{note_id}"] details.quote')
    expect(details).to_have_count(1)
    expect(details).not_to_have_attribute("open", "")
    expect(details.locator("blockquote")).to_be_hidden()
    ref.click()
    expect(page).to_have_url(hash_is(note_id))
    expect(details).to_have_attribute("open", "")
    expect(details.locator("blockquote")).to_be_visible()
    expect(details.locator("blockquote")).to_be_in_viewport()
    expect(page.locator("#note-preview")).to_have_count(0)


# --- 4. back-links ---------------------------------------------------------------------

def test_each_backlink_on_an_event_page_leads_to_its_marker(page: Page, site_url):
    goto(page, site_url + EVENT)
    links = page.locator(BACKLINK).evaluate_all("ls => ls.map(b => b.getAttribute('href'))")
    assert len(links) == page.locator(NOTEREF).count(), links
    for href in links:
        marker_id = href[1:]
        page.locator(f'li {BACKLINK}[href="{href}"]').click()
        expect(page).to_have_url(hash_is(marker_id))
        target = page.locator(":target")
        expect(target).to_have_attribute("id", marker_id)
        expect(target).to_have_attribute("role", "doc-noteref")
        expect(target).to_be_in_viewport()


def test_a_backlink_into_a_folded_editors_note_opens_it(page: Page, site_url, events_data):
    goto(page, site_url)
    markers = page.locator(f"details.editor-note.compact {NOTEREF}").evaluate_all("rs => rs.map(a => a.id)")
    # The shipped record has several editors' notes citing their notes.
    with_markers = [e for e in events_data["events"] if "[^" in e.get("editor_note", "")]
    assert len(with_markers) >= 2, "expected events whose editors' note carries a marker"
    assert len(markers) >= len(with_markers), markers
    for marker_id in markers:
        goto(page, site_url)
        marker = page.locator(f'a[id="{marker_id}"]')
        folded = marker.locator("xpath=ancestor::details[1]")
        expect(folded).not_to_have_attribute("open", "")
        expect(marker).to_be_hidden()
        back = page.locator(f'{BACKLINK}[href="#{marker_id}"]')
        expect(back).to_have_count(1)
        back.click()
        expect(page).to_have_url(hash_is(marker_id))
        expect(folded).to_have_attribute("open", "")
        expect(page.locator(":target")).to_have_attribute("id", marker_id)
        expect(marker).to_be_visible()
        expect(marker).to_be_in_viewport()


# --- 5. unique ids --------------------------------------------------------------------

class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.notes: list[str] = []
        self.markers: list[tuple[str, str]] = []  # (id, href)
        self.backlinks: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "li" and (a.get("id") or "").startswith("note-"):
            self.notes.append(a["id"])
        if tag == "a" and a.get("role") == "doc-noteref":
            self.markers.append((a.get("id") or "", a.get("href") or ""))
        if tag == "a" and a.get("role") == "doc-backlink":
            self.backlinks.append(a.get("href") or "")


def test_note_and_marker_ids_are_unique_on_every_page(site_dir: Path, events_data):
    checked = Counter()
    problems = []
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "doc-noteref" not in text:
            continue
        rel = path.relative_to(site_dir).as_posix()
        checked[rel.split("/")[0] if "/" in rel else rel] += 1
        p = _Ids()
        p.feed(text)
        marker_ids = [m for m, _ in p.markers]
        for kind, ids in (("note", p.notes), ("marker", marker_ids), ("any", p.ids)):
            dup = [i for i, n in Counter(ids).items() if n > 1]
            if dup:
                problems.append(f"{rel}: {kind} ids used twice: {dup[:5]}")
        if not all(marker_ids):
            problems.append(f"{rel}: a marker without an id")
        notes = set(p.notes)
        missing = [h for _, h in p.markers if h[1:] not in notes]
        if missing:
            problems.append(f"{rel}: markers pointing to no note: {missing[:5]}")
        back = [h for h in p.backlinks if h[1:] not in set(marker_ids)]
        if back:
            problems.append(f"{rel}: back-links to no marker: {back[:5]}")
        if sorted(h[1:] for h in p.backlinks) != sorted(marker_ids):
            problems.append(f"{rel}: back-links and markers do not match one to one")
    assert not problems, "\n".join(problems)
    assert checked["index.html"] == 1, checked
    assert checked["events"] == len(events_data["events"]), checked
    assert checked["tags"] >= 1 and checked["actors"] >= 1, checked


# --- 6. the scan target and narrow screens -------------------------------------------------

def test_the_timeline_is_quick_to_scan(new_context, site_url, events_data):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    goto(page, site_url)
    span = page.evaluate("""() => {
        const a = [...document.querySelectorAll('article.event')];
        return {n: a.length, top: a[0].getBoundingClientRect().top,
                bottom: a[a.length - 1].getBoundingClientRect().bottom};
    }""")
    assert span["n"] == len(events_data["events"])
    per_event = (span["bottom"] - span["top"]) / span["n"]
    print(f"\nindex at 1280x900: {per_event:.1f} px per event ({span['n']} events, "
          f"{span['bottom'] - span['top']:.0f} px)")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "notes-px-per-event.txt").write_text(f"{per_event:.1f}\n")
    assert per_event <= MAX_PX_PER_EVENT, f"{per_event:.1f} px per event, more than {MAX_PX_PER_EVENT}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("name", list(NOTE_PAGES))
def test_no_horizontal_scrolling_with_every_note_opened(new_context, site_url, name, width, scheme):
    page = new_context(viewport={"width": width, "height": 800}, color_scheme=scheme).new_page()
    goto(page, site_url + NOTE_PAGES[name])
    assert open_all_details(page) > 0
    expect(page.locator("details:not([open])")).to_have_count(0)
    if name == "index":
        expect(page.locator("details.quote blockquote").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notes-{name}-{width}-{scheme}-open.png"), full_page=True)
    sizes = widths(page)
    assert sizes["scroll"] <= sizes["client"], f"{name} at {width}px ({scheme}) scrolls sideways: {sizes}"
    # No opened quote is wider than the page either (it would be clipped if not scrolled).
    wide_quotes = page.evaluate("""() => [...document.querySelectorAll('.notes blockquote')]
        .filter(q => q.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     || q.scrollWidth > q.clientWidth + 1)
        .map(q => q.closest('li').id)""")
    assert not wide_quotes, wide_quotes


# --- 7. print ------------------------------------------------------------------------------

def test_printed_timeline_shows_every_quote_and_no_backlinks(page: Page, site_url):
    goto(page, site_url)
    page.emulate_media(media="print")
    assert page.evaluate("matchMedia('print').matches")
    quotes = page.locator(f"{ENDNOTES} li blockquote")
    count = quotes.count()
    assert count == page.locator(f"{ENDNOTES} li").count() > 0
    expect(page.locator("details.quote[open]")).to_have_count(0)
    # A closed <details> can give its content a box yet skip painting it
    # (content-visibility), so the quote's text itself must have a box and render.
    boxes = quotes.evaluate_all("""qs => qs.map(q => {
        const range = document.createRange();
        range.selectNodeContents(q);
        const r = range.getBoundingClientRect();
        return {note: q.closest('li').id, w: r.width, h: r.height, text: q.innerText.trim().length,
                visible: q.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})};
    })""")
    unseen = [b for b in boxes if not (b["w"] > 0 and b["h"] > 0 and b["text"] > 0 and b["visible"])]
    assert not unseen, f"{len(unseen)} of {count} quotes not printed, e.g. {unseen[:3]}"
    for i in range(count):
        expect(quotes.nth(i)).to_be_visible()
    backlinks = page.locator(BACKLINK)
    assert backlinks.count() > 0
    shown = backlinks.evaluate_all("bs => bs.filter(b => b.checkVisibility() && b.getClientRects().length).length")
    assert shown == 0
    for i in range(backlinks.count()):
        expect(backlinks.nth(i)).to_be_hidden()


# --- 8. accessibility ---------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(NOTE_PAGES))
def test_axe_finds_no_violations_with_notes_opened_and_a_preview_shown(page: Page, site_url, name, scheme):
    page.emulate_media(color_scheme=scheme)
    goto(page, site_url + NOTE_PAGES[name])
    open_all_details(page)
    ref = page.locator(SUMMARY_NOTEREF).nth(1)
    ref.hover()
    expect(page.locator("#note-preview")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notes-{name}-preview-{scheme}.png"))
    axe_check(page)
    expect(page.locator("#note-preview")).to_be_visible()


# --- 9. screenshots --------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", list(NOTE_PAGES))
def test_screenshots_of_the_notes(new_context, site_url, name, width, scheme):
    page = new_context(viewport={"width": width, "height": 900}, color_scheme=scheme).new_page()
    goto(page, site_url + NOTE_PAGES[name])
    expect(page.locator(f"{ENDNOTES} li").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"notes-{name}-{width}-{scheme}.png"
    page.screenshot(path=str(path), full_page=True)  # for a person to look at
    # The note numbers line up with the markers: each note's number is its marker's text.
    numbers = page.locator(f"{ENDNOTES} li").evaluate_all(
        "ls => ls.map(l => [l.id, [...l.parentElement.children].indexOf(l) + 1])")
    for note_id, n in numbers:
        assert note_id.endswith(f"-{n}"), (note_id, n)
