"""Claim-level citations: markers [^N], the sentence rule, source kinds,
and what pages and outputs make of them (no browser: see test_notes_browser)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import toml_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline.commands.build import build
from timeline.commands.check import check
from timeline.record.sentences import MARKER, malformed_markers, split_sentences, strip_markers
from timeline.render.markdown import Markdown
from timeline.render.notes import link_markers

TEXT = ("In 2022 the two delegations met in Istanbul. The second round lasted six hours. "
        "Officials said the U.S. envoy was present. Nothing was agreed.")


# Every text the build writes but the archived documents, shown as they are.
OUTPUT_SUFFIXES = {".html", ".json", ".xml", ".ics", ".csv"}


def record(tmp_path: Path, summary: str, citations: int = 2, site: str = "cite_every_sentence = true",
           kind: str = 'kind = "news report"', editor_note: str | None = None, extra: str = "") -> Path:
    """An events file with one source and one event; `summary =` is line 14, its text starts on 15."""
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    quotes = ["In 2022 the two delegations met in Istanbul.", "The second round lasted six hours",
              "the U.S. envoy was present", "Nothing was agreed"]
    lines = [
        "[site]", 'title = "T"', site, "",
        "[sources.doc]", 'title = "A document"', 'file = "doc.txt"', kind, "",
        "[[events]]", 'id = "met"', 'date = "2022"', 'title = "They met"',
        'summary = """', summary, '"""',
    ]
    if editor_note is not None:
        lines.append(f"editor_note = {toml_string(editor_note)}")
    lines.append(extra)
    for quote in quotes[:citations]:
        lines += ["  [[events.citations]]", '  source = "doc"', f"  quote = {toml_string(quote)}", ""]
    events = tmp_path / "events.toml"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return events


def messages(events: Path) -> list[str]:
    site, problems = check(events, "events.toml")
    return [f"{p.line}: {p.message}" for p in problems]


# --- splitting sentences ----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("One.[^1] Two.[^2]", ["One.[^1]", "Two.[^2]"]),
    ("The U.S. envoy met them.[^1] Then they left.[^2]", ["The U.S. envoy met them.[^1]", "Then they left.[^2]"]),
    ("It happened c. May 2025, they say.[^1]", ["It happened c. May 2025, they say.[^1]"]),
    ("Joseph R. Biden spoke.[^1]", ["Joseph R. Biden spoke.[^1]"]),
    ("It cost 1.5 million. It ended.", ["It cost 1.5 million.", "It ended."]),
    ('He said "no."[^1] They left.[^2]', ['He said "no."[^1]', "They left.[^2]"]),
    ("He said “no.” They left.", ["He said “no.”", "They left."]),
    ("Was it? Yes! It was.", ["Was it?", "Yes!", "It was."]),
    ("One line\nwraps here.[^1]\n\nA new paragraph[^2]", ["One line\nwraps here.[^1]", "A new paragraph[^2]"]),
    ("Talks with the U.S.[^1] Next day.[^2]", ["Talks with the U.S.[^1]", "Next day.[^2]"]),
    ("Held in Istanbul[^1] and Ankara.[^2]", ["Held in Istanbul[^1] and Ankara.[^2]"]),
    ("e.g. this one. And i.e. that.", ["e.g. this one.", "And i.e. that."]),
    ("It ended on May 1st. Talks resumed.", ["It ended on May 1st.", "Talks resumed."]),
    ("1. They met.[^1]\n2. They talked.[^2]", ["They met.[^1]", "They talked.[^2]"]),
    ("- They met.[^1]\n- They talked\n- Then.[^2]", ["They met.[^1]", "They talked", "Then.[^2]"]),
    ("Use `a. B` here.[^1]", ["Use `a. B` here.[^1]"]),
    ("See [the U.N. page](https://e.org/a. B) now.[^1]", ["See [the U.N. page](https://e.org/a. B) now.[^1]"]),
])
def test_sentences_are_split_as_a_reader_would(text, expected):
    assert [s.text for s in split_sentences(text)] == expected


def test_a_sentence_knows_its_markers_and_its_place():
    text = "First.[^2][^1][^2]\n  Second, with none."
    first, second = split_sentences(text)
    assert first.markers == (2, 1) and first.start == 0 and first.plain == "First."
    assert second.markers == () and text[second.start:].startswith("Second")


def test_malformed_markers_are_found_where_they_stand():
    text = "A[^] b[^x] c[^0] d[^ 2] e[^2 f[^12]"
    assert malformed_markers(text) == [(1, "[^]"), (6, "[^x]"), (12, "[^0]"), (18, "[^"), (25, "[^2")]


# --- checking ----------------------------------------------------------------------

def test_a_record_that_follows_the_rule_passes(tmp_path):
    events = record(tmp_path, "They met in Istanbul.[^1]\nThe second round lasted six hours.[^2]")
    assert messages(events) == []


def test_a_sentence_without_a_marker_is_named_on_its_own_line(tmp_path):
    events = record(tmp_path, "They met in Istanbul.[^1][^2]\nThe delegations then flew home to rest.")
    assert messages(events) == [
        '16: sentence without a citation marker: "The delegations then flew home to…" '
        "(end it with [^N], N the citation that supports it)",
    ]


def test_a_marker_past_the_citations_says_how_many_there_are(tmp_path):
    events = record(tmp_path, "They met.[^1]\n\nAnd talked.[^2][^3]", citations=2)
    assert messages(events) == ["17: marker [^3] points past the event's 2 citations"]
    one = record(tmp_path, "They met.[^1] And talked.[^2]", citations=1)
    assert messages(one) == ["15: marker [^2] points past the event's 1 citation"]


def test_a_citation_no_sentence_uses_is_named_at_its_table(tmp_path):
    events = record(tmp_path, "They met in Istanbul.[^1]", citations=3)
    text = events.read_text(encoding="utf-8").splitlines()
    lines = [i for i, line in enumerate(text, 1) if line.strip() == "[[events.citations]]"]
    assert messages(events) == [
        f"{lines[1]}: citation 2 (doc) supports no sentence: add [^2] after each sentence it supports, or remove it",
        f"{lines[2]}: citation 3 (doc) supports no sentence: add [^3] after each sentence it supports, or remove it",
    ]


def test_a_malformed_marker_is_named_without_a_second_complaint(tmp_path):
    events = record(tmp_path, "They met.[^1]\nThey talked.[^a]\nThey left.[^2]")
    assert messages(events) == [
        "16: malformed citation marker '[^a]': write [^N], N the number of a citation (1 to 2)",
    ]


def test_a_single_line_summary_counts_from_its_own_line(tmp_path):
    events = record(tmp_path, "")
    text = events.read_text(encoding="utf-8").replace('summary = """\n\n"""', 'summary = "They met.[^1][^2] Then.[^9]"')
    events.write_text(text, encoding="utf-8")
    assert 'summary = "They met.[^1][^2] Then.[^9]"' in events.read_text(encoding="utf-8").splitlines()[13]
    assert messages(events) == ["14: marker [^9] points past the event's 2 citations"]


def test_with_the_rule_off_markers_are_still_checked_but_not_required(tmp_path):
    events = record(tmp_path, "They met in Istanbul.[^1] No marker here.", citations=3, site="")
    assert messages(events) == []
    bad = record(tmp_path, "They met.[^4] Then.[^x]", citations=3, site="")
    assert messages(bad) == [
        "15: malformed citation marker '[^x]': write [^N], N the number of a citation (1 to 3)",
        "15: marker [^4] points past the event's 3 citations",
    ]


def test_markers_in_the_editors_note_count_as_use(tmp_path):
    events = record(tmp_path, "They met in Istanbul.[^1]", editor_note="The document says six hours.[^2]")
    assert messages(events) == []
    past = record(tmp_path, "They met in Istanbul.[^1][^2]", editor_note="See [^5].")
    assert messages(past) == ["17: marker [^5] points past the event's 2 citations"]


@pytest.mark.parametrize("summary, message", [
    ("See [the page](https://e.org/a[^1]) now.[^2]", "citation marker [^1] inside a link, code span or HTML"),
    ("See [the page[^1]](https://e.org/) now.[^2]", "citation marker [^1] inside a link, code span or HTML"),
    ("Type `[^1]` here.[^2]", "citation marker [^1] inside a link, code span or HTML"),
    ("They met.[^1] [^2]", "citation marker [^2] stands alone"),
])
def test_a_marker_no_reader_would_see_as_a_note_is_named(tmp_path, summary, message):
    events = record(tmp_path, summary)
    problems = messages(events)
    assert any(p.startswith("15: ") and message in p for p in problems), problems


def test_a_marker_outside_a_summary_or_editors_note_is_refused(tmp_path):
    events = record(tmp_path, "They met.[^1][^2]")
    text = events.read_text(encoding="utf-8").replace('title = "They met"', 'title = "They met[^1]"')
    events.write_text(text, encoding="utf-8")
    assert messages(events) == [
        "13: citation marker [^1] in 'title': markers belong in 'summary' or 'editor_note'",
    ]


def test_a_single_line_string_with_escaped_line_breaks_keeps_its_own_line(tmp_path):
    events = record(tmp_path, "")
    text = events.read_text(encoding="utf-8").replace('summary = """\n\n"""',
                                                      'summary = "They met.[^1][^2]\\n\\nNo marker here."')
    events.write_text(text, encoding="utf-8")
    assert messages(events) == [
        '14: sentence without a citation marker: "No marker here." (end it with [^N], N the citation that supports it)',
    ]


def test_the_switch_must_be_true_or_false(tmp_path):
    events = record(tmp_path, "They met.[^1][^2]", site='cite_every_sentence = "yes"')
    assert messages(events) == ["3: 'cite_every_sentence' must be true or false, found string 'yes'"]


def test_a_source_kind_comes_from_the_vocabulary(tmp_path):
    events = record(tmp_path, "They met.[^1][^2]", kind='kind = "analyis"')
    assert messages(events) == [
        "8: unknown kind 'analyis'; did you mean 'analysis'? (kinds: \"news report\", \"analysis\", "
        "\"opinion\", \"official statement\", \"interview\")",
    ]
    assert messages(record(tmp_path, "They met.[^1][^2]", kind="")) == []


def test_turning_the_rule_on_rechecks_events_kept_from_the_last_check(tmp_path):
    from timeline.speed.cache import BuildCache
    cache = BuildCache()
    events = record(tmp_path, "They met in Istanbul.[^1] No marker here.", site="")
    assert check(events, "events.toml", cache)[1] == []
    text = events.read_text(encoding="utf-8").replace('title = "T"\n', 'title = "T"\ncite_every_sentence = true\n')
    events.write_text(text, encoding="utf-8")
    problems = [p.message for p in check(events, "events.toml", cache)[1]]
    assert any(m.startswith("sentence without a citation marker") for m in problems), problems


# --- pages and outputs ------------------------------------------------------------

SUMMARY = "They met in Istanbul.[^1]\nThe U.S. envoy was there, it says.[^3][^1]\n\nThe round lasted six hours.[^2]"


@pytest.fixture
def built(tmp_path) -> Path:
    events = record(tmp_path, SUMMARY, citations=4, editor_note="Nothing was agreed, another passage says.[^4]",
                    extra='tags = ["talks"]')
    out = tmp_path / "public"
    site, problems = build(events, out)
    assert site is not None, problems
    return out


def test_each_marker_is_a_note_reference_to_a_note_on_the_same_page(built):
    for page in ("index.html", "events/met/index.html", "tags/talks/index.html"):
        html = (built / page).read_text(encoding="utf-8")
        refs = re.findall(r'<sup class="noteref"><a role="doc-noteref" href="#([^"]+)" id="([^"]+)">(\d+)</a></sup>',
                          html)
        assert [(n, k) for _, k, n in refs] == [("1", "cite-met-1"), ("3", "cite-met-2"), ("1", "cite-met-3"),
                                                 ("2", "cite-met-4"), ("4", "cite-met-5")], page
        for target, _, number in refs:
            assert target == f"note-met-{number}" and f'<li id="{target}">' in html
        assert "[^" not in html
        endnotes = html[html.index('role="doc-endnotes"'):]
        for number in "1234":
            assert f'<li id="note-met-{number}">' in endnotes


def test_a_note_holds_the_quote_source_kind_passage_and_the_way_back(built):
    html = (built / "events/met/index.html").read_text(encoding="utf-8")
    note = re.search(r'<li id="note-met-1">(.*?)</li>', html, re.S).group(1)
    assert "<blockquote" in note and "In 2022 the two delegations met in Istanbul." in note
    assert 'href="../../sources/doc/#passage-0"' in note and ">A document</a>" in note
    assert '<span class="kind">news report</span>' in note
    backlinks = re.findall(r'<a role="doc-backlink" href="#([^"]+)">', note)
    assert backlinks == ["cite-met-1", "cite-met-3"]
    assert "back to sentence 1" in note and "back to sentence 2" in note
    editor = re.search(r'<li id="note-met-4">(.*?)</li>', html, re.S).group(1)
    assert "back to the editors’ note" in editor
    source = (built / "sources/doc/index.html").read_text(encoding="utf-8")
    assert '<mark id="passage-0">' in source


def test_the_summary_stays_in_its_element_and_ids_are_unique(built):
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), page
    index = (built / "index.html").read_text(encoding="utf-8")
    summary = re.search(r'<div class="summary">(.*?)</div>', index, re.S).group(1)
    assert summary.count('role="doc-noteref"') == 4


def test_a_source_page_lists_the_sentences_that_cite_each_passage(built):
    html = (built / "sources/doc/index.html").read_text(encoding="utf-8")
    cited = html[html.index('class="cited-by"'):]
    assert '<a href="../../events/met/#cite-met-1">They met in Istanbul.</a>' in cited
    assert '<a href="../../events/met/#cite-met-4">The round lasted six hours.</a>' in cited
    assert '<a href="../../events/met/#cite-met-5">The editors’ note</a>' in cited
    assert "Kind</dt><dd>News report." in html


def test_no_output_shows_a_marker_and_events_json_gives_each_sentence(built):
    for path in built.rglob("*"):
        if path.is_file() and path.suffix in OUTPUT_SUFFIXES:
            assert "[^" not in path.read_text(encoding="utf-8"), path
    data = json.loads((built / "events.json").read_text(encoding="utf-8"))
    event = data["events"][0]
    assert event["sentences"] == [
        {"text": "They met in Istanbul.", "citations": [1]},
        {"text": "The U.S. envoy was there, it says.", "citations": [3, 1]},
        {"text": "The round lasted six hours.", "citations": [2]},
    ]
    assert event["summary"] == strip_markers(SUMMARY)
    assert event["editor_note"] == "Nothing was agreed, another passage says."
    assert data["sources"][0]["kind"] == "news report"
    feed = (built / "feed.xml").read_text(encoding="utf-8")
    # A reader resolves links against the feed: a note reference leads to the event's page.
    assert 'role="doc-noteref" href="events/met/#note-met-1"' in feed and 'href="#' not in feed
    assert "doc-backlink" not in feed and "doc-backlink" not in (built / "timeline.json").read_text(encoding="utf-8")


# --- the splitter and the renderer agree (property) --------------------------------

WORDS = st.sampled_from(["Russia", "talks", "the U.S.", "c. 2022", "J. Smith", "1.5", "said", "met", "May 1st",
                         "in", "Istanbul", "e.g.", "*now*", "`a. B`", "(twice)", "—", "and",
                         "[the U.N. page](https://e.org/a. B)", "<https://e.org/x. Y>"])


def summary_of(sentences, gap: str) -> str:
    """Generated sentences, each capitalised and ending with its markers."""
    parts = []
    for words, end, numbers in sentences:
        text = " ".join(words)
        parts.append(text[0].upper() + text[1:] + end + "".join(f"[^{n}]" for n in numbers))
    return gap.join(parts)
SENTENCE = st.tuples(st.lists(WORDS, min_size=1, max_size=6), st.sampled_from([".", "?", "!", '."']),
                     st.lists(st.integers(1, 3), min_size=1, max_size=3))


@given(st.lists(SENTENCE, min_size=1, max_size=5), st.sampled_from([" ", "\n", "\n\n"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_marker_is_rendered_and_each_sentence_keeps_its_own(sentences, gap):
    summary = summary_of(sentences, gap)
    split = split_sentences(summary)
    assert [s.markers for s in split] == [tuple(dict.fromkeys(n)) for _, _, n in sentences]
    html = link_markers(Markdown().html(summary), lambda n: f"note-e-{n}", lambda k: f"cite-e-{k}")
    rendered = re.findall(r'role="doc-noteref" href="#note-e-(\d+)"', html)
    assert rendered == [m.group(1) for m in MARKER.finditer(summary)]
    assert "[^" not in html


@given(st.lists(SENTENCE, min_size=1, max_size=4), st.sampled_from([" ", "\n", "\n\n"]))
@settings(max_examples=12, deadline=None)
def test_every_page_and_output_agrees_with_the_splitter(sentences, gap):
    import tempfile
    summary = summary_of(sentences, gap)
    with tempfile.TemporaryDirectory() as folder:
        events = record(Path(folder), summary, citations=3, site="")
        out = Path(folder) / "public"
        site, problems = build(events, out)
        assert site is not None, problems
        markers = [m.group(1) for m in MARKER.finditer(summary)]
        for page in ("index.html", "events/met/index.html"):
            html = (out / page).read_text(encoding="utf-8")
            assert re.findall(r'role="doc-noteref" href="#note-met-(\d+)"', html) == markers, page
        for path in out.rglob("*"):
            if path.is_file() and path.suffix in OUTPUT_SUFFIXES:
                assert "[^" not in path.read_text(encoding="utf-8"), path
        event = json.loads((out / "events.json").read_text(encoding="utf-8"))["events"][0]
        assert [s["citations"] for s in event["sentences"]] == [list(dict.fromkeys(n)) for _, _, n in sentences]


DIFFERENCE = '''
  [[events.differences]]
  about = "how long the round lasted"

    [[events.differences.versions]]
    claim = "Six hours"
    source = "doc"
    quote = "lasted six hours"

    [[events.differences.versions]]
    claim = "Nothing agreed"
    source = "doc"
    quote = "Nothing was agreed"
'''


def test_a_difference_shows_each_version_with_its_quote_on_both_pages(tmp_path):
    events = record(tmp_path, "They met in Istanbul.[^1][^2]", extra=DIFFERENCE)
    site, problems = build(events, tmp_path / "public")
    assert site is not None, problems
    for page in ("index.html", "events/met/index.html"):
        html = (tmp_path / "public" / page).read_text(encoding="utf-8")
        section = re.search(r'<section class="difference"(.*?)</section>', html, re.S).group(1)
        assert "<strong>Sources differ:</strong> how long the round lasted" in section
        assert '<span class="claim">Six hours</span> <q>lasted six hours</q>' in section
        assert '<span class="claim">Nothing agreed</span> <q>Nothing was agreed</q>' in section
    cited = (tmp_path / "public/sources/doc/index.html").read_text(encoding="utf-8")
    assert "how long the round lasted: Six hours" in cited


# Words by which a sentence says whose view it gives ("one analysis argues…").
ATTRIBUTION = re.compile(r"\b(analys[ie]s|argues|according to|says|said|reports?|sees|expects|describes|quotes|"
                         r"writes|judges|adds|article)\b", re.I)


def test_the_shipped_record_attributes_what_rests_only_on_argument(shipped):
    """The editorial rule: a sentence or title resting only on an analysis
    (or an opinion) says so in its words, never as the site's own fact."""
    unattributed = []
    for event in shipped.events:
        for sentence in event.sentences:
            cited = {shipped.sources[event.citations[n - 1].source_id] for n in sentence.markers}
            if all(source.argues for source in cited) and not ATTRIBUTION.search(sentence.plain):
                unattributed.append(f"{event.id}: {sentence.plain}")
        if all(shipped.sources[c.source_id].argues for c in event.citations) and not ATTRIBUTION.search(event.title):
            unattributed.append(f"{event.id} (title): {event.title}")
    assert not unattributed, "\n".join(unattributed)
    assert any(s.argues for s in shipped.sources.values()) and not all(s.argues for s in shipped.sources.values())
