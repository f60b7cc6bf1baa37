"""Loading and validating the events file.

Every class of bad input is checked for its exact message and line: the
static files in tests/bad/ (one per error class, citing tests/bad/sources/)
both through ``timeline.commands.check.check`` and through the real command line,
and the rest in small projects built under pytest's tmp_path. The shipped
events.toml is checked too: it validates, holds the required developments
as separate events citing the right documents, is sorted as promised, and
its archived documents are the ones received.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from timeline.commands.check import check
from timeline.record.lines import LineMap, scan_lines
from timeline.record.load import load, resolved
from timeline.record.quotes import normalise

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad"
SAMPLE = BAD / "sources" / "sample.txt"
EVENTS = ROOT / "events.toml"


def _shared_sources() -> Path:
    beside = ROOT.parent / "shared" / "sources"
    return beside if beside.is_dir() else Path("/work/shared/sources")


# One line per problem: FILE:LINE: [subject:] message
PROBLEM_LINE = re.compile(r"^[^:\s][^:]*:\d+: (?:(?:event|source) '[^']+': |\[site\]: )?\S.*$")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--check", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def edit(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, so a fixture can never silently stay valid."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def messages(path: Path, display: str = "events.toml") -> list[str]:
    site, problems = check(path, display)
    assert site is None, "expected problems, but the file validated"
    assert problems, "no site and no problems"
    return [str(p) for p in problems]


# --- the static bad files -----------------------------------------------------

# Everything after "FILE:" that `--check` prints for each file in tests/bad/.
STATIC_EXPECTED = {
    "syntax_error": [
        "16: TOML syntax error at column 9: Invalid value (the value is not valid TOML (strings need quotes))",
    ],
    "unclosed_string": [
        "17: TOML syntax error at column 37: Illegal character '\\n' (a string is not closed before the end of the line)",
    ],
    "duplicate_key": [
        "18: TOML syntax error at column 19: Cannot overwrite a value (a key or table is defined twice)",
    ],
    "unknown_key": [
        "17: event 'istanbul-meeting': unknown key 'sumary' in an event; did you mean 'summary'?",
    ],
    "unknown_source": [
        "20: event 'istanbul-meeting': unknown source 'smaple'; did you mean 'sample'? (known sources: other, sample)",
    ],
    "quote_not_found": [
        "21: event 'istanbul-meeting': quote not found in source 'sample' (sources/sample.txt): "
        "\"In 2022 the two delegation met in Istanbul.\"; "
        "the closest passage is: \"In 2022 the two delegations met in Istanbul.\"",
    ],
    "duplicate_id": [
        "24: event 'istanbul-meeting': duplicate id 'istanbul-meeting' (first used by event #1, line 13)",
    ],
    "bad_id": [
        "14: event 'Istanbul Meeting 2022': id 'Istanbul Meeting 2022' must be lowercase letters, digits "
        "and single hyphens (for example 'istanbul-meeting-2022')",
    ],
    "impossible_date": [
        "15: event 'istanbul-meeting': 'date': '2025-02-30' is not a real day (February 2025 has no day 30)",
    ],
    "month_13": [
        "15: event 'istanbul-meeting': 'date': '2022-13' has no month 13",
    ],
    "date_words": [
        "15: event 'istanbul-meeting': 'date': 'May 2025' is not an EDTF date; did you mean '2025-05'?",
    ],
    "local_datetime": [
        "15: event 'istanbul-meeting': 'date': date-time 2022-03-29T10:30:00 has no UTC offset; "
        "write it as 2022-03-29T10:30:00+00:00 (or the local offset)",
    ],
    "end_before_date": [
        "16: event 'istanbul-meeting': 'end' (2022-03-28) is before 'date' (2022-03-29)",
    ],
    "empty_title": [
        "16: event 'istanbul-meeting': 'title' is empty",
    ],
    "missing_keys": [
        "13: event 'istanbul-meeting': missing required key 'title'",
        "13: event 'istanbul-meeting': missing required key 'summary'",
    ],
    "wrong_types": [
        "16: event 'istanbul-meeting': 'title' must be a string, found integer 2022",
        "17: event 'istanbul-meeting': 'actors' must be an array of strings, like [\"Russia\", \"Ukraine\"], "
        "found string 'Russia, Ukraine'",
    ],
    "source_missing": [
        "11: source 'other': file 'sources/missing.txt' does not exist",
    ],
    "source_directory": [
        "11: source 'other': file 'sources' is not a regular file",
    ],
    "source_absolute": [
        "11: source 'other': file '/etc/hostname' must be a path relative to the events file's folder, not absolute",
    ],
    "source_outside": [
        "11: source 'other': file 'sources/../../outside.txt' points outside the project folder",
    ],
    "missing_date_note": [
        "15: event 'istanbul-meeting': no quote states the year 2023; add a 'date_note' saying how the date "
        "was established",
    ],
    "difference_one_version": [
        "23: event 'istanbul-meeting': a difference needs at least two [[events.differences.versions]], "
        "one per account",
    ],
    "bom": [
        "1: the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM",
    ],
    "not_utf8": [
        "16: is not valid UTF-8 (byte 0xe9 at offset 331); save the file as UTF-8",
    ],
    "empty": [
        "1: the file is empty; it needs a [site] table, [sources] and [[events]]",
    ],
    # All problems of a file are listed, in line order, not just the first.
    "many_problems": [
        "12: source 'other': 'url' 'ftp://example.org' must be an http(s) URL",
        "16: event 'istanbul-meeting': 'date': '2022-02-30' is not a real day (February 2022 has no day 30)",
        "17: event 'istanbul-meeting': 'title' must be a string, found integer 5",
        "24: event 'istanbul-meeting': missing required key 'summary'",
        "25: event 'istanbul-meeting': duplicate id 'istanbul-meeting' (first used by event #1, line 14)",
        "28: event 'istanbul-meeting': unknown key 'sumary' in an event; did you mean 'summary'?",
        "31: event 'istanbul-meeting': unknown source 's9' (known sources: other, sample)",
    ],
}


def _static_lines(name: str) -> list[str]:
    return [f"tests/bad/{name}.toml:{rest}" for rest in STATIC_EXPECTED[name]]


def test_every_static_bad_file_has_an_expectation():
    on_disk = {p.stem for p in BAD.glob("*.toml")}
    assert on_disk == set(STATIC_EXPECTED)


def test_static_files_are_as_described():
    """The byte-level fixtures really hold what their names say."""
    assert (BAD / "bom.toml").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (BAD / "empty.toml").read_bytes() == b""
    raw = (BAD / "not_utf8.toml").read_bytes()
    assert b"caf\xe9" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (BAD / "sources").is_dir() and SAMPLE.is_file()


@pytest.mark.parametrize("name", sorted(STATIC_EXPECTED))
def test_static_bad_file_problems(name):
    site, problems = check(BAD / f"{name}.toml", f"tests/bad/{name}.toml")
    assert site is None
    assert [str(p) for p in problems] == _static_lines(name)
    assert all(p.line for p in problems), "every problem must name a line"


@pytest.mark.parametrize("name", sorted(STATIC_EXPECTED))
def test_static_bad_file_through_cli(name):
    result = run_cli("--events", f"tests/bad/{name}.toml", cwd=ROOT)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    count = len(STATIC_EXPECTED[name])
    assert lines == _static_lines(name) + [f"{count} problem{'s' if count != 1 else ''} found."]
    for line in lines[:-1]:
        assert PROBLEM_LINE.match(line), line


# --- the shipped events.toml --------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    site, problems = check(EVENTS, "events.toml")
    assert problems == []
    assert site is not None
    return site


def test_shipped_events_check_ok_through_cli():
    result = run_cli(cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    site, _ = check(EVENTS)
    assert lines[0] == (
        f"events.toml: OK: {len(site.events)} events, {len(site.sources)} sources, "
        f"{site.citation_count()} citations, {sum(len(e.corrections) for e in site.events)} corrections."
    )


def test_shipped_events_check_with_explicit_path(tmp_path):
    result = run_cli("--events", str(EVENTS), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert "OK:" in result.stdout


def test_every_event_has_a_citation(shipped):
    assert len(shipped.events) >= 8
    for event in shipped.events:
        assert len(event.citations) >= 1, event.id


def test_every_citation_points_at_its_quote(shipped):
    for event in shipped.events:
        for citation in event.all_citations():
            text = shipped.sources[citation.source_id].text
            assert normalise(text[citation.start:citation.end]) == normalise(citation.quote), event.id
            assert citation.anchor == f"passage-{citation.start}"


# id → (sources its citations must include, words one of its quotes must hold)
REQUIRED_DEVELOPMENTS = {
    "istanbul-talks-2022": ({"s002", "s003"}, "first meeting in Istanbul"),
    "european-ultimatum-2025": ({"s000"}, "issued an ultimatum to Putin"),
    "putin-proposes-direct-talks-2025": ({"s000"}, "bilateral talks with Ukraine"),
    "trump-urges-ukraine-to-accept-2025": ({"s000"}, "urged Ukraine to accept Putin's offer"),
    "istanbul-meeting-2025": ({"s000", "s001", "s002", "s003"}, "took place in Istanbul"),
    "prisoner-exchange-agreed-2025": ({"s001", "s002"}, "1,000 prisoners of war"),
    "six-hour-session": ({"s004"}, "six-hour session"),
    "two-hour-session": ({"s004"}, "lasted only two hours"),
}


@pytest.mark.parametrize("event_id", sorted(REQUIRED_DEVELOPMENTS))
def test_required_development_is_its_own_sourced_event(shipped, event_id):
    by_id = {e.id: e for e in shipped.events}
    assert event_id in by_id
    event = by_id[event_id]
    sources, words = REQUIRED_DEVELOPMENTS[event_id]
    cited = {c.source_id for c in event.citations}
    assert sources <= cited, f"{event_id} cites {sorted(cited)}"
    assert any(normalise(words) in normalise(c.quote) for c in event.citations)


def test_required_developments_are_distinct_events(shipped):
    ids = [e.id for e in shipped.events]
    assert len(ids) == len(set(ids))
    by_id = {e.id: e for e in shipped.events}
    assert by_id["six-hour-session"].duration_minutes == 6 * 60
    assert by_id["two-hour-session"].duration_minutes == 2 * 60
    order = [e.id for e in shipped.events]
    assert order.index("six-hour-session") < order.index("two-hour-session")
    assert order.index("istanbul-talks-2022") < order.index("istanbul-meeting-2025")
    assert order.index("european-ultimatum-2025") < order.index("putin-proposes-direct-talks-2025")


def test_shipped_events_sorted_with_ties_in_file_order(shipped):
    events = shipped.events
    with (ROOT / "events.toml").open("rb") as handle:
        file_order = {e["id"]: i for i, e in enumerate(tomllib.load(handle)["events"])}
    for earlier, later in zip(events, events[1:]):
        assert earlier.date.sort_key() <= later.date.sort_key(), (earlier.id, later.id)
        if earlier.date.sort_key() == later.date.sort_key():
            assert file_order[earlier.id] < file_order[later.id], (earlier.id, later.id)
    order = [e.id for e in events]
    # Nothing sorts before the war's start, and what followed the 10 May
    # ultimatum sorts after it.
    assert order[0] == "war-erupts-2022"
    assert order.index("european-ultimatum-2025") < order.index("west-weighs-sanctions-2025")
    # Same day (11 May 2025): file order.
    assert order.index("putin-proposes-direct-talks-2025") < order.index("trump-urges-ukraine-to-accept-2025")


def test_archived_sources_are_byte_identical_to_received():
    shared = _shared_sources()
    archived = sorted((ROOT / "site_src" / "sources").iterdir())
    assert len(archived) == 5
    for path in archived:
        assert path.read_bytes() == (shared / path.name).read_bytes(), path.name
    received = {p.name for p in shared.glob("*.txt")}
    assert received == {p.name for p in archived}


def test_shipped_sources_all_archived_and_cited(shipped):
    for source in shipped.sources.values():
        assert source.file.startswith("site_src/sources/")
        assert source.path.read_text(encoding="utf-8") == source.text
    cited = {c.source_id for e in shipped.events for c in e.all_citations()}
    assert cited == set(shipped.sources)


# --- temporary projects -------------------------------------------------------

BASE = '''[site]
title = "Test timeline"

[sources.sample]
title = "Sample document"
file = "sources/sample.txt"

[[events]]
id = "first-meeting"
date = "2022-03-29"
title = "Delegations meet in Istanbul"
summary = "The two delegations meet."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met in Istanbul."
'''
# Lines in BASE: 4 [sources.sample], 6 file, 8 [[events]], 9 id, 10 date,
# 11 title, 12 summary, 14 [[events.citations]], 15 source, 16 quote.


class Project:
    def __init__(self, root: Path):
        self.root = root
        (root / "sources").mkdir(parents=True)
        (root / "sources" / "sample.txt").write_bytes(SAMPLE.read_bytes())
        self.events = root / "events.toml"

    def write(self, text: str) -> Path:
        self.events.write_text(text, encoding="utf-8")
        return self.events

    def problems(self, text: str) -> list[str]:
        return messages(self.write(text))

    def site(self, text: str):
        site, problems = check(self.write(text), "events.toml")
        assert [str(p) for p in problems] == []
        return site


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "project")


def event_block(event_id: str, date: str, extra: str = "", quote: str = "In 2022 the two delegations met") -> str:
    return f'''
[[events]]
id = "{event_id}"
date = {date}
title = "Title of {event_id}"
summary = "Summary."
{extra}
  [[events.citations]]
  source = "sample"
  quote = "{quote}"
'''


def test_base_project_is_valid(project):
    site = project.site(BASE)
    assert [e.id for e in site.events] == ["first-meeting"]
    assert site.info.title == "Test timeline"


def test_cli_in_a_project_folder(project):
    project.write(BASE + event_block("second-meeting", '"2022-04"'))
    result = run_cli("--events", "events.toml", cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "events.toml: OK: 2 events, 1 source, 2 citations.\n"


def test_cli_lists_problems_for_a_project(project):
    project.write(edit(BASE, 'title = "Delegations meet in Istanbul"', 'title = ""'))
    result = run_cli("--events", "events.toml", cwd=project.root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "events.toml:11: event 'first-meeting': 'title' is empty",
        "1 problem found.",
    ]


def test_cli_events_file_missing(tmp_path):
    result = run_cli("--events", "nope.toml", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == ["nope.toml: file not found", "1 problem found."]


def test_events_path_is_a_directory(tmp_path):
    assert messages(tmp_path, "somewhere") == ["somewhere: is a directory, not an events file"]


def test_whitespace_only_events_file(project):
    assert project.problems(" \n\t\n") == [
        "events.toml:1: the file is empty; it needs a [site] table, [sources] and [[events]]"
    ]


def test_non_utf8_line_is_the_line_of_the_bad_byte(project):
    project.events.write_bytes(BASE.encode() + b"# \xff\n")
    assert messages(project.events) == [
        f"events.toml:17: is not valid UTF-8 (byte 0xff at offset {len(BASE.encode()) + 2}); save the file as UTF-8"
    ]


# TOML syntax: line and column, no traceback.

@pytest.mark.parametrize("old, new, expected", [
    ('summary = "The two delegations meet."', 'summary = "The two delegations meet.',
     "events.toml:12: TOML syntax error at column 37: Illegal character '\\n' "
     "(a string is not closed before the end of the line)"),
    ('title = "Delegations meet in Istanbul"', 'title "Delegations meet in Istanbul"',
     "events.toml:11: TOML syntax error at column 7: Expected '=' after a key in a key/value pair "
     "(expected `key = value`)"),
    ('title = "Delegations meet in Istanbul"', 'title = "x"\ntitle = "y"',
     "events.toml:12: TOML syntax error at column 12: Cannot overwrite a value (a key or table is defined twice)"),
    ('date = "2022-03-29"', 'date = March 2022',
     "events.toml:10: TOML syntax error at column 8: Invalid value (the value is not valid TOML (strings need quotes))"),
    ('date = "2022-03-29"', 'date = 29 March',
     "events.toml:10: TOML syntax error at column 11: Expected newline or end of document after a statement"),
])
def test_toml_syntax_errors(project, old, new, expected):
    assert project.problems(edit(BASE, old, new)) == [expected]


def test_unclosed_string_at_end_of_file(project):
    assert project.problems(BASE + 'editor_note = "no end') == [
        "events.toml:17: TOML syntax error: a string opened here is never closed"
    ]


def test_unclosed_multiline_string_names_its_opening_line(project):
    text = edit(BASE, 'summary = "The two delegations meet."', 'summary = """The two delegations meet.')
    (problem,) = check(project.write(text), "events.toml")[1]
    assert problem.line == 12
    assert "string" in problem.message


def test_table_declared_twice(project):
    assert project.problems(BASE + '\n[sources.sample]\ntitle = "Again"\n') == [
        "events.toml:18: TOML syntax error at column 16: Cannot declare ('sources', 'sample') twice "
        "(a table is defined twice, or a key is also used as a table)"
    ]


def test_syntax_error_through_cli_has_no_traceback(project):
    project.write(BASE + "[[events]\n")
    result = run_cli("--events", "events.toml", cwd=project.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("events.toml:17: TOML syntax error at column ")


# Keys.

def test_unknown_key_suggests_the_right_one(project):
    text = edit(BASE, 'summary = "The two delegations meet."', 'summary = "The two delegations meet."\nsumary = "x"')
    assert project.problems(text) == [
        "events.toml:13: event 'first-meeting': unknown key 'sumary' in an event; did you mean 'summary'?"
    ]


def test_unknown_key_without_a_close_match(project):
    text = edit(BASE, 'summary = "The two delegations meet."', 'summary = "The two delegations meet."\nzzz = "x"')
    assert project.problems(text) == ["events.toml:13: event 'first-meeting': unknown key 'zzz' in an event"]


def test_unknown_keys_in_site_source_and_citation(project):
    text = edit(BASE, 'title = "Test timeline"', 'titel = "Test timeline"')
    text = edit(text, 'file = "sources/sample.txt"', 'file = "sources/sample.txt"\npublsher = "X"')
    text = edit(text, '  source = "sample"', '  source = "sample"\n  qoute = "x"')
    assert project.problems(text) == [
        "events.toml:1: [site]: missing required key 'title'",
        "events.toml:2: [site]: unknown key 'titel' in [site]; did you mean 'title'?",
        "events.toml:7: source 'sample': unknown key 'publsher' in a source; did you mean 'publisher'?",
        "events.toml:17: event 'first-meeting': unknown key 'qoute' in a citation; did you mean 'quote'?",
    ]


def test_missing_site_table(project):
    text = edit(BASE, '[site]\ntitle = "Test timeline"\n', "")
    assert project.problems(text) == ["events.toml:1: missing the [site] table (it needs at least a title)"]


def test_no_events(project):
    text = BASE[:BASE.index("[[events]]")]
    assert project.problems(text) == ["events.toml:1: no [[events]]: add at least one event"]


# Sources and quotes.

def test_unknown_source_lists_known_ones(project):
    text = edit(BASE, 'file = "sources/sample.txt"\n',
                'file = "sources/sample.txt"\n\n[sources.another]\ntitle = "B"\nfile = "sources/sample.txt"\n')
    text = edit(text, 'source = "sample"', 'source = "s9"')
    assert project.problems(text) == [
        "events.toml:19: event 'first-meeting': unknown source 's9' (known sources: another, sample)"
    ]


def test_unknown_source_when_none_are_declared(project):
    text = edit(BASE, '[sources.sample]\ntitle = "Sample document"\nfile = "sources/sample.txt"\n', "")
    assert project.problems(text) == [
        "events.toml:1: missing [sources.<id>] tables: every event must cite a source",
        "events.toml:12: event 'first-meeting': unknown source 'sample' (known sources: none)",
    ]


@pytest.mark.parametrize("quote, closest", [
    # Case is not forgiven.
    ("in 2022 the two delegations met", "In 2022 the two delegations met"),
    # Nor other punctuation.
    ("the two delegations met, in Istanbul", "the two delegations met in Istanbul."),
    ("lasted six hours and ended with agreement", "lasted six hours and ended without agreement."),
])
def test_quote_not_found_shows_closest_passage(project, quote, closest):
    text = edit(BASE, 'quote = "In 2022 the two delegations met in Istanbul."', f'quote = "{quote}"')
    assert project.problems(text) == [
        f"events.toml:16: event 'first-meeting': quote not found in source 'sample' (sources/sample.txt): "
        f"\"{quote}\"; the closest passage is: \"{closest}\""
    ]


def test_quote_forgives_typography_and_whitespace(project):
    # The source has curly quotes, a curly apostrophe, an em dash and a double space.
    quote = '\\"Nothing\'s going to happen until we meet,\\" one of them said - twice.\\nThe second round lasted six hours'
    text = edit(BASE, 'quote = "In 2022 the two delegations met in Istanbul."', f'quote = "{quote}"')
    text = edit(text, 'date = "2022-03-29"', 'date = "2022-03-29"\ndate_note = "Supplied."')
    site = project.site(text)
    citation = site.events[0].citations[0]
    original = site.sources["sample"].text[citation.start:citation.end]
    assert original.startswith("\u201cNothing\u2019s")
    assert original.endswith("six hours")
    assert "\u2014" in original and "  six" in original


def test_citation_span_excludes_surrounding_whitespace(project):
    text = edit(BASE, 'quote = "In 2022 the two delegations met in Istanbul."', 'quote = "  met in Istanbul.  "')
    text = edit(text, 'date = "2022-03-29"', 'date = "2022-03-29"\ndate_note = "Supplied."')
    site = project.site(text)
    citation = site.events[0].citations[0]
    assert citation.quote == "met in Istanbul."
    assert site.sources["sample"].text[citation.start:citation.end] == "met in Istanbul."


def test_source_problem_blocks_its_citations(project):
    text = edit(BASE, 'file = "sources/sample.txt"', 'file = "sources/missing.txt"')
    assert project.problems(text) == [
        "events.toml:6: source 'sample': file 'sources/missing.txt' does not exist",
        "events.toml:15: event 'first-meeting': source 'sample' cannot be used until its own problems are fixed",
    ]


def _broken_source(project: Project, file_value: str) -> list[str]:
    problems = project.problems(edit(BASE, 'file = "sources/sample.txt"', f'file = "{file_value}"'))
    assert problems[1:] == [
        "events.toml:15: event 'first-meeting': source 'sample' cannot be used until its own problems are fixed"
    ]
    return problems[:1]


def test_source_file_is_a_symlink(project):
    (project.root / "sources" / "link.txt").symlink_to(project.root / "sources" / "sample.txt")
    assert _broken_source(project, "sources/link.txt") == [
        "events.toml:6: source 'sample': file 'sources/link.txt' is a symbolic link; archive the document itself"
    ]


def test_source_file_not_utf8(project):
    (project.root / "sources" / "latin.txt").write_bytes(b"In 2022 they met at the caf\xe9.\n")
    assert _broken_source(project, "sources/latin.txt") == [
        "events.toml:6: source 'sample': file 'sources/latin.txt' is not valid UTF-8 (byte 0xe9 at offset 27)"
    ]


def test_source_file_empty(project):
    (project.root / "sources" / "blank.txt").write_text(" \n\n")
    assert _broken_source(project, "sources/blank.txt") == [
        "events.toml:6: source 'sample': file 'sources/blank.txt' is empty"
    ]


def test_source_file_is_a_directory(project):
    assert _broken_source(project, "sources") == [
        "events.toml:6: source 'sample': file 'sources' is not a regular file"
    ]


def test_source_file_absolute_even_when_it_exists(project):
    absolute = project.root / "sources" / "sample.txt"
    assert _broken_source(project, str(absolute)) == [
        f"events.toml:6: source 'sample': file '{absolute}' must be a path relative to the events file's "
        "folder, not absolute"
    ]


def test_source_file_outside_project_even_when_it_exists(project):
    (project.root.parent / "outside.txt").write_bytes(SAMPLE.read_bytes())
    assert _broken_source(project, "../outside.txt") == [
        "events.toml:6: source 'sample': file '../outside.txt' points outside the project folder"
    ]


def test_source_in_a_subfolder_reached_through_dotdot_inside_project_is_fine(project):
    text = edit(BASE, 'file = "sources/sample.txt"', 'file = "sources/../sources/sample.txt"')
    assert project.site(text).sources["sample"].path == project.root / "sources/../sources/sample.txt"


def test_source_file_with_nul_character_is_a_problem_not_a_crash(project):
    project.write(edit(BASE, 'file = "sources/sample.txt"', 'file = "sources/sample\\u0000.txt"'))
    result = run_cli("--events", "events.toml", cwd=project.root)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("events.toml:6: source 'sample': ")
    assert "control character (U+0000)" in result.stderr


def test_bad_source_id(project):
    text = edit(BASE, "[sources.sample]", "[sources.Sample]")
    problems = project.problems(text)
    assert problems[0] == (
        "events.toml:4: source 'Sample': source id 'Sample' must be lowercase letters, digits and single hyphens"
    )


# Ids.

def test_duplicate_ids(project):
    text = BASE + event_block("first-meeting", '"2022-04"')
    assert project.problems(text) == [
        "events.toml:19: event 'first-meeting': duplicate id 'first-meeting' (first used by event #1, line 8)"
    ]


@pytest.mark.parametrize("bad, hint", [
    ("First Meeting", " (for example 'first-meeting')"),
    ("FirstMeeting", " (for example 'firstmeeting')"),
    ("first_meeting", " (for example 'first-meeting')"),
    ("first--meeting", " (for example 'first-meeting')"),
    ("-first-", " (for example 'first')"),
    ("Talks 2022!", " (for example 'talks-2022')"),
    ("!!!", ""),
])
def test_bad_ids_with_suggested_slug(project, bad, hint):
    text = edit(BASE, 'id = "first-meeting"', f'id = "{bad}"')
    assert project.problems(text) == [
        f"events.toml:9: event '{bad}': id '{bad}' must be lowercase letters, digits and single hyphens{hint}"
    ]


# Dates.

NOT_A_DATE = ('is not a date; use EDTF ("2022", "2022-03", "2022-03-29", "2022-21" (spring), "2025-05~", '
              '"2026-02?", "2022-04/2022-11", "../2022-12", a TOML date or an offset date-time)')

@pytest.mark.parametrize("value, message", [
    ('"2025-02-30"', "'date': '2025-02-30' is not a real day (February 2025 has no day 30)"),
    ('"2023-02-29"', "'date': '2023-02-29' is not a real day (February 2023 has no day 29)"),
    ('"2025-13"', "'date': '2025-13' has no month 13"),
    ('"2025-13-01"', "'date': '2025-13-01' has no month 13"),
    ('"2025-00"', "'date': '2025-00' has no month 0"),
    ('"May 2025"', "'date': 'May 2025' is not an EDTF date; did you mean '2025-05'?"),
    ('"2025-5"', f"'date': '2025-5' {NOT_A_DATE}"),
    ('"16/05/2025"', f"'date': '16/05/2025' {NOT_A_DATE}"),
    ('"spring 2022"', "'date': 'spring 2022' is not an EDTF date; did you mean '2022-21'?"),
    ('"c. 2022"', "'date': 'c. 2022' is not an EDTF date; did you mean '2022~'?"),
    ('"2022-25"', "'date': '2022-25': seasons are 21 to 24 (spring, summer, autumn, winter); 25 is a Level 2 "
                  "season, and only Levels 0 and 1 are read"),
    ('"2022-11/2022-04"', "'date': '2022-11/2022-04' ends before it starts: the end, 2022-04, is before the "
                          "start, 2022-11"),
    ('"2022-13~"', "'date': '2022-13~' has no month 13"),
    ('"{2022,2023}"', "'date': '{2022,2023}' is EDTF Level 2; only Levels 0 and 1 are read"),
    ("2022-03-29T10:00:00", "'date': date-time 2022-03-29T10:00:00 has no UTC offset; "
                            "write it as 2022-03-29T10:00:00+00:00 (or the local offset)"),
    ("2022", "'date': expected a date, found int 2022"),
])
def test_impossible_and_malformed_dates(project, value, message):
    text = edit(BASE, 'date = "2022-03-29"', f"date = {value}")
    assert project.problems(text) == [f"events.toml:10: event 'first-meeting': {message}"]


def test_bad_end_date_is_reported_on_the_end_line(project):
    text = edit(BASE, 'date = "2022-03-29"', 'date = "2022-03-29"\nend = "2022-02-31"')
    assert project.problems(text) == [
        "events.toml:11: event 'first-meeting': 'end': '2022-02-31' is not a real day "
        "(February 2022 has no day 31)"
    ]


@pytest.mark.parametrize("date, end, shown", [
    ('"2022-03-29"', '"2022-03-28"', "'end' (2022-03-28) is before 'date' (2022-03-29)"),
    ('"2022-03-29"', '"2022-02"', "'end' (2022-02) is before 'date' (2022-03-29)"),
    ('"2022"', '"2021-12-31"', "'end' (2021-12-31) is before 'date' (2022)"),
    ("2022-03-29T12:00:00+00:00", "2022-03-29T11:59:00+00:00",
     "'end' (2022-03-29T11:59:00+00:00) is before 'date' (2022-03-29T12:00:00+00:00)"),
])
def test_end_before_date(project, date, end, shown):
    text = edit(BASE, 'date = "2022-03-29"', f"date = {date}\nend = {end}")
    assert project.problems(text) == [f"events.toml:11: event 'first-meeting': {shown}"]


@pytest.mark.parametrize("date, end, edtf", [
    ('"2022-03-29"', '"2022-03-29"', "2022-03-29"),  # ending the day it began: one day
    ('"2022-03-29"', '"2022-03"', "2022-03-29/2022-03"),   # the end month contains the start day
    ('"2022-03"', '"2022-03-01"', "2022-03/2022-03-01"),
    ('"2022"', '"2022-01"', "2022/2022-01"),
])
def test_an_old_style_end_is_an_interval_with_a_hint(project, date, end, edtf):
    site = project.site(edit(BASE, 'date = "2022-03-29"', f"date = {date}\nend = {end}"))
    assert site.events[0].end is None and site.events[0].date.text == edtf
    assert site.events[0].date.interval == ("/" in edtf)
    assert [str(h) for h in site.hints] == [
        f"events.toml:11: event 'first-meeting': hint: 'end' is the old way to write this date; "
        f"in EDTF it is date = \"{edtf}\""]


@pytest.mark.parametrize("lines, line, message", [
    ('date = "2022-04/2022-11"\nend = "2022-12"', 11, "'end' cannot be combined with an EDTF interval or "
                                                    "qualifier; write the whole interval in 'date', like \"2022-04/2022-11\""),
    ('date = "2022-04~"\nend = "2022-12"', 11, "'end' cannot be combined with an EDTF interval or qualifier; "
                                              "write the whole interval in 'date', like \"2022-04/2022-11\""),
    ('date = "2022-04?"\ncirca = true', 11, "'circa' cannot be combined with an EDTF interval or qualifier; "
                                           "write '~' in 'date' instead"),
])
def test_old_style_keys_beside_an_edtf_date_are_refused(project, lines, line, message):
    problems = project.problems(edit(BASE, 'date = "2022-03-29"', lines))
    assert problems == [f"events.toml:{line}: event 'first-meeting': {message}"]


def test_circa_alone_is_approximate_with_a_hint(project):
    site = project.site(edit(BASE, 'date = "2022-03-29"', 'date = "2022-03"\ncirca = true'))
    assert site.events[0].date.text == "2022-03~" and site.events[0].date.approximate
    assert [str(h) for h in site.hints] == [
        "events.toml:11: event 'first-meeting': hint: 'circa' is the old way to write this date; "
        "in EDTF it is date = \"2022-03~\""]


def test_end_stays_the_moment_a_timed_event_ended(project):
    text = edit(BASE, 'date = "2022-03-29"', "date = 2022-03-29T12:00:00+03:00\nend = 2022-03-29T10:00:00+01:00")
    site = project.site(text)  # the same instant
    assert site.events[0].end.moment.isoformat() == "2022-03-29T10:00:00+01:00" and site.hints == ()


def test_offset_datetime_is_accepted(project):
    site = project.site(edit(BASE, 'date = "2022-03-29"', "date = 2022-03-29T15:00:00+03:00"))
    date = site.events[0].date
    assert date.point.precision == "time"
    assert date.time_display() == "15:00 UTC+03:00"


def test_toml_date_and_partial_strings_keep_their_precision(project):
    text = edit(BASE, 'date = "2022-03-29"', "date = 2022-03-29")
    text += event_block("in-march", '"2022-03"') + event_block("in-2022", '"2022"')
    site = project.site(text)
    precision = {e.id: e.date.point.precision for e in site.events}
    assert precision == {"first-meeting": "day", "in-march": "month", "in-2022": "year"}


# Empty and missing values, wrong types.

@pytest.mark.parametrize("key, value, line", [
    ("title", '""', 11),
    ("title", '"   \\t "', 11),
    ("summary", '"""\n   \n"""', 12),
    ("id", '" "', 9),
])
def test_empty_or_whitespace_values(project, key, value, line):
    old = {"title": 'title = "Delegations meet in Istanbul"', "summary": 'summary = "The two delegations meet."',
           "id": 'id = "first-meeting"'}[key]
    problems = project.problems(edit(BASE, old, f"{key} = {value}"))
    subject = "event #1" if key == "id" else "event 'first-meeting'"
    assert problems == [f"events.toml:{line}: {subject}: '{key}' is empty"]


@pytest.mark.parametrize("removed, subject, key", [
    ('id = "first-meeting"\n', "event #1", "id"),
    ('date = "2022-03-29"\n', "event 'first-meeting'", "date"),
    ('title = "Delegations meet in Istanbul"\n', "event 'first-meeting'", "title"),
    ('summary = "The two delegations meet."\n', "event 'first-meeting'", "summary"),
])
def test_missing_required_keys(project, removed, subject, key):
    assert project.problems(edit(BASE, removed, "")) == [
        f"events.toml:8: {subject}: missing required key '{key}'"
    ]


def test_missing_citations(project):
    text = BASE[:BASE.index("  [[events.citations]]")]
    assert project.problems(text) == [
        "events.toml:8: event 'first-meeting': no citations: add at least one [[events.citations]] "
        "with source and quote"
    ]


def test_missing_source_and_quote_in_a_citation(project):
    text = edit(BASE, '  source = "sample"\n  quote = "In 2022 the two delegations met in Istanbul."\n', '  \n')
    assert project.problems(text) == [
        "events.toml:14: event 'first-meeting': missing required key 'source'",
        "events.toml:14: event 'first-meeting': missing required key 'quote'",
    ]


@pytest.mark.parametrize("line_text, message", [
    ("title = 5", "'title' must be a string, found integer 5"),
    ("title = 1.5", "'title' must be a string, found number 1.5"),
    ("title = true", "'title' must be a string, found boolean True"),
    ('actors = "Russia"', "'actors' must be an array of strings, like [\"Russia\", \"Ukraine\"], found string 'Russia'"),
    ("tags = [1, 2]", "'tags' must be an array of strings, like [\"Russia\", \"Ukraine\"], found array"),
    ('circa = "yes"', "'circa' must be true or false, found string 'yes'"),
    ("date_note = 5", "'date_note' must be a string, found integer 5"),
    ('duration = "6 hours"', "'duration' '6 hours' must look like \"6h\", \"45m\" or \"1h30m\""),
    ('actors = ["Russia", "Russia"]', "'actors' lists 'Russia' twice"),
    ('actors = ["Russia", " "]', "'actors' has an empty entry"),
])
def test_wrong_types(project, line_text, message):
    key = line_text.split(" ")[0]
    if key == "title":
        text = edit(BASE, 'title = "Delegations meet in Istanbul"', line_text)
        line = 11
    else:
        text = edit(BASE, 'summary = "The two delegations meet."', f'summary = "The two delegations meet."\n{line_text}')
        line = 13
    assert project.problems(text) == [f"events.toml:{line}: event 'first-meeting': {message}"]


def test_citations_of_the_wrong_type(project):
    text = BASE[:BASE.index("  [[events.citations]]")] + 'citations = "sample"\n'
    assert project.problems(text) == [
        "events.toml:14: event 'first-meeting': 'citations' must hold at least one [[events.citations]] table"
    ]


def test_durations_are_read_in_minutes(project):
    for value, minutes in (("6h", 360), ("45m", 45), ("1h30m", 90), ("2h 15min", 135)):
        text = edit(BASE, 'summary = "The two delegations meet."',
                    f'summary = "The two delegations meet."\nduration = "{value}"')
        assert project.site(text).events[0].duration_minutes == minutes, value


# date_note.

def test_missing_date_note_when_no_quote_states_the_year(project):
    text = edit(BASE, 'date = "2022-03-29"', 'date = "2023-05"')
    assert project.problems(text) == [
        "events.toml:10: event 'first-meeting': no quote states the year 2023; add a 'date_note' saying how "
        "the date was established"
    ]


def test_date_note_supplies_the_year(project):
    text = edit(BASE, 'date = "2022-03-29"', 'date = "2023-05"\ndate_note = "From the public record."')
    event = project.site(text).events[0]
    assert event.date_is_supplied
    assert event.date_note == "From the public record."


def test_quote_stating_the_year_needs_no_date_note(project):
    event = project.site(BASE).events[0]
    assert not event.date_is_supplied


def test_year_stated_in_a_difference_version_is_enough(project):
    text = edit(BASE, 'date = "2022-03-29"', 'date = "2022-03-29"')
    text = edit(text, 'quote = "In 2022 the two delegations met in Istanbul."', 'quote = "met in Istanbul"')
    text += DIFFERENCE.format(versions=VERSION.format(claim="A", quote="In 2022 the two") + VERSION.format(
        claim="B", quote="six hours"))
    assert len(project.site(text).events[0].differences) == 1


# Differences.

DIFFERENCE = '''
  [[events.differences]]
  about = "How long"
{versions}'''
VERSION = '''
    [[events.differences.versions]]
    claim = "{claim}"
    source = "sample"
    quote = "{quote}"
'''


def test_difference_with_one_version(project):
    text = BASE + DIFFERENCE.format(versions=VERSION.format(claim="Six hours", quote="six hours"))
    assert project.problems(text) == [
        "events.toml:18: event 'first-meeting': a difference needs at least two "
        "[[events.differences.versions]], one per account"
    ]


def test_difference_with_no_versions(project):
    assert project.problems(BASE + DIFFERENCE.format(versions="")) == [
        "events.toml:18: event 'first-meeting': a difference needs at least two "
        "[[events.differences.versions]], one per account"
    ]


def test_difference_with_two_versions(project):
    text = BASE + DIFFERENCE.format(versions=VERSION.format(claim="Six hours", quote="six hours")
                                    + VERSION.format(claim="Met", quote="two delegations met"))
    (difference,) = project.site(text).events[0].differences
    assert difference.about == "How long"
    assert [v.claim for v in difference.versions] == ["Six hours", "Met"]


def test_difference_version_quote_is_checked(project):
    text = BASE + DIFFERENCE.format(versions=VERSION.format(claim="Six hours", quote="six hours")
                                    + VERSION.format(claim="Seven", quote="seven hours"))
    assert project.problems(text) == [
        "events.toml:29: event 'first-meeting': quote not found in source 'sample' (sources/sample.txt): "
        "\"seven hours\"; the closest passage is: \"six hours\""
    ]


# Sorting.

def test_events_sorted_by_date_partial_dates_first_ties_in_file_order(project):
    note = 'date_note = "Supplied."'
    text = BASE  # 2022-03-29
    text += event_block("day-2022-03-01", '"2022-03-01"')
    text += event_block("month-2022-03-a", '"2022-03"')
    text += event_block("year-2022", '"2022"')
    text += event_block("month-2022-03-b", '"2022-03"')
    text += event_block("timed-2022-03-29", "2022-03-29T09:00:00+02:00")
    text += event_block("day-2022-03-29-second", "2022-03-29")
    text += event_block("month-2021-12", '"2021-12"', extra=note)
    site = project.site(text)
    assert [e.id for e in site.events] == [
        "month-2021-12",
        "year-2022",            # 2022 sorts as 1 January 2022
        "day-2022-03-01",       # March 2022 sorts as 1 March: a tie, kept in file order
        "month-2022-03-a",
        "month-2022-03-b",
        "first-meeting",        # date-only events before timed ones of the same day
        "day-2022-03-29-second",
        "timed-2022-03-29",
    ]


def test_validation_never_invents_a_day(project):
    site = project.site(BASE + event_block("in-march", '"2022-03"') + event_block("in-2022", '"2022"'))
    by_id = {e.id: e.date.point for e in site.events}
    assert (by_id["in-march"].day, by_id["in-march"].iso()) == (None, "2022-03")
    assert (by_id["in-2022"].month, by_id["in-2022"].iso()) == (None, "2022")


# --- the loader's line map ----------------------------------------------------

SCANNED = "\n".join([
    '# comment with "quotes" and [brackets]',                      # 1
    "[site]",                                                       # 2
    'title = "A [bracketed] \\"title\\""  # trailing comment',      # 3
    "",                                                             # 4
    '[sources."s-1"]',                                              # 5
    'note = """',                                                   # 6
    "multi-line with ''' and \"quotes\" \\\"\"\"",                  # 7
    '"""',                                                          # 8
    "file = 'literal\\path'",                                       # 9
    "",                                                             # 10
    "[[events]]",                                                   # 11
    'id = "a"',                                                     # 12
    "actors = [",                                                   # 13
    '  "x", # a comment with a " quote',                            # 14
    '  "y",',                                                       # 15
    "]",                                                            # 16
    "citations = [",                                                # 17
    '  { source = "s", quote = "q1" },',                            # 18
    '  { source = "s", quote = "q2" },',                            # 19
    "]",                                                            # 20
    "",                                                             # 21
    "[[events]]",                                                   # 22
    'id = "b"',                                                     # 23
    "  [[events.citations]]",                                       # 24
    '  quote = """',                                                # 25
    "two",                                                          # 26
    'lines"""',                                                     # 27
    "  [[events.citations]]",                                       # 28
    '  source = "s"',                                               # 29
    "",
])


def test_scanned_sample_is_valid_toml():
    data = tomllib.loads(SCANNED)
    assert data["sources"]["s-1"]["note"] == "multi-line with ''' and \"quotes\" \"\"\"\n"
    assert data["sources"]["s-1"]["file"] == "literal\\path"
    assert [c["quote"] for c in data["events"][0]["citations"]] == ["q1", "q2"]
    assert data["events"][1]["citations"][0]["quote"] == "two\nlines"


def test_scanner_records_every_key_line():
    lines = scan_lines(SCANNED)
    assert lines[("site",)] == 2
    assert lines[("site", "title")] == 3
    assert lines[("sources", "s-1")] == 5
    assert lines[("sources", "s-1", "note")] == 6
    assert lines[("sources", "s-1", "file")] == 9
    assert lines[("events", 0)] == 11
    assert lines[("events", 0, "actors")] == 13
    assert lines[("events", 0, "citations")] == 17
    assert lines[("events", 0, "citations", 0)] == 18
    assert lines[("events", 0, "citations", 1)] == 19
    assert lines[("events", 1)] == 22
    assert lines[("events", 1, "id")] == 23
    assert lines[("events", 1, "citations", 0)] == 24
    assert lines[("events", 1, "citations", 0, "quote")] == 25
    assert lines[("events", 1, "citations", 1)] == 28
    assert lines[("events", 1, "citations", 1, "source")] == 29


def test_line_map_falls_back_to_the_enclosing_table():
    line_map = LineMap(scan_lines(SCANNED))
    assert line_map.line("events", 0, "citations", 1, "quote") == 19
    assert line_map.line("events", 1, "citations", 1, "quote") == 28
    assert line_map.line("events", 1, "summary") == 22
    assert line_map.line("nowhere") == 1  # the document itself


def test_crlf_line_endings_keep_line_numbers(project):
    text = edit(BASE, 'title = "Delegations meet in Istanbul"', "title = 5")
    project.events.write_bytes(text.replace("\n", "\r\n").encode())
    assert messages(project.events) == ["events.toml:11: event 'first-meeting': 'title' must be a string, found integer 5"]


def test_load_returns_data_and_lines(project):
    loaded, problems = load(project.write(BASE), "shown.toml")
    assert problems == []
    assert loaded.display == "shown.toml"
    assert resolved(loaded.data)["events"][0]["id"] == "first-meeting"
    assert loaded.lines.line("events", 0, "citations", 0, "quote") == 16


@pytest.mark.parametrize("url", ["http://[", "https://[::1", "http:///path"])
def test_urls_the_outputs_cannot_take_apart_are_refused(project, url):
    """A base_url or source url with no host the URL parser can read (the
    feed reads the host of base_url) is a problem, not a crash of the build."""
    text = edit(BASE, 'title = "Test timeline"', f'title = "Test timeline"\nbase_url = "{url}"')
    text = edit(text, 'file = "sources/sample.txt"', f'file = "sources/sample.txt"\nurl = "{url}"')
    assert project.problems(text) == [
        f"events.toml:3: [site]: 'base_url' '{url}' must be an http(s) URL",
        f"events.toml:8: source 'sample': 'url' '{url}' must be an http(s) URL",
    ]
