"""Property-based tests: random events files never make the pipeline crash.

Hypothesis writes events files of two kinds into a temporary project that
holds the five archived documents:

- valid ones, built from strategies: ids, partial dates in every form, titles
  and notes in arbitrary Unicode, quotes cut from real passages of the
  documents. ``check`` must accept them and ``build`` must
  publish them.
- mutated ones: keys deleted, duplicated, retyped or misspelt, lines dropped
  or repeated, random characters and bytes changed. ``check`` must either
  accept them (and then ``build`` must succeed) or return problems, each with
  a non-empty message and a line number or None — never raise.

Alongside, the loader's piece-wise parser and its caches are checked against
plain ``tomllib`` and against a cold start. The number of examples run is
printed at the end of the module (and written to test-artifacts/ when that
folder exists); PROPERTY_SCALE=10 in the environment runs ten times as many.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import shutil
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from conftest import toml_string
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from timeline.commands.build import build
from timeline.commands.check import check
from timeline.errors import Problem
from timeline.record import load as load_module
from timeline.record.validate import unsafe_character

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "site_src" / "sources"
SOURCE_FILES = sorted(p.name for p in ARCHIVE.glob("*.txt"))
# A short document for the mutation tests: a quote broken by a mutation makes
# the validator look for the closest passage, which costs time per word.
SMALL = ROOT / "tests" / "bad_inputs" / "sources" / "doc.txt"
SOURCE_WORDS = {name: (ARCHIVE / name).read_text(encoding="utf-8").split() for name in SOURCE_FILES}
SOURCE_WORDS[SMALL.name] = SMALL.read_text(encoding="utf-8").split()

EXAMPLES: Counter = Counter()  # examples run, by test
BUILDS: Counter = Counter()  # accepted mutants that were built, by test
# The numbers of examples fit the suite's budget (about a minute for this
# file); PROPERTY_SCALE=10 runs ten times as many, for a longer search.
SCALE = float(os.environ.get("PROPERTY_SCALE", "1"))
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- a small TOML writer (the standard library only reads TOML) ---------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")




def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not (isinstance(value, float) and not math.isfinite(value)) else "nan"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def _is_table_array(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_document(data: dict) -> str:
    lines: list[str] = []

    def table(path: tuple, body: dict) -> None:
        for key, value in body.items():
            if not isinstance(value, dict) and not _is_table_array(value):
                lines.append(f"{toml_key(key)} = {toml_value(value)}")
        for key, value in body.items():
            sub = path + (toml_key(key),)
            if isinstance(value, dict):
                lines.extend(["", f"[{'.'.join(sub)}]"])
                table(sub, value)
            elif _is_table_array(value):
                for item in value:
                    lines.extend(["", f"[[{'.'.join(sub)}]]"])
                    table(sub, item)

    table((), data)
    return "\n".join(lines).lstrip("\n") + "\n"


# --- strategies for valid files -----------------------------------------------

_ID_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
ids = st.lists(_ID_PART, min_size=1, max_size=4).map("-".join)
# Arbitrary Unicode (no surrogates: they cannot be written as UTF-8), but not
# blank; and, cheaper to draw, strings known to trouble text handling.
TRICKY = [
    "Erdoğan", "Зеленський", "Путин", "İstanbul", "\u200fevil\u200e", "a\u200bb", "e\u0301", "\U0001f54a\ufe0f",
    "中文", "עברית", "العربية", "<b>&amp;</b>", "a & b < c > d", "\"quoted\" 'single'", "tab\there",
    "line\nbreak", "\u00a0nbsp\u00a0", "x" * 200, "{{ jinja }}", "{% raw %}", "<!--root-->", "$1 \\1", "[31m form\x0cfeed",
]
# Valid text excludes what the checker refuses on purpose (controls HTML
# forbids, direction overrides); the mutation tests below still feed them in.
_SAFE_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"),
                                 blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# "[^" opens a citation marker, which the checker rightly refuses when malformed (test_claims).
words = st.one_of(st.sampled_from(TRICKY), st.text(_SAFE_CHARACTERS, min_size=1, max_size=12)).filter(
    lambda s: s.strip() and not unsafe_character(s) and "[^" not in s)
markdownish = st.lists(st.one_of(words, st.sampled_from([
    "*emphasis*", "**strong**", "`code`", "[a link](https://example.org/a?b=c&d=e)", "\n\n", "- item\n",
    "<b>raw html</b>", "&amp;", "# heading\n",
])), min_size=1, max_size=3).map(" ".join).filter(lambda s: s.strip())
names = st.lists(words, max_size=3, unique_by=lambda s: s.strip())


# The whole range of datetime.date: year 1 to 9999 (the edges once broke the
# build: see test_dates_at_the_edges_of_the_calendar_build below).
YEARS = st.integers(1, 9999)


@st.composite
def dates(draw):
    """A date in one of the accepted forms, and the year it states (None for
    EDTF forms, which take neither `end` nor `circa`)."""
    year = draw(YEARS)
    day = draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    form = draw(st.sampled_from(["year", "month", "day", "toml-date", "moment", "edtf"]))
    if form == "edtf":
        return draw(edtf_dates(year, day)), None
    if form == "year":
        return f"{year:04d}", year
    if form == "month":
        return f"{year:04d}-{day.month:02d}", year
    if form == "day":
        return day.isoformat(), year
    if form == "toml-date":
        return day, year
    # Any offset TOML allows, even where UTC falls outside years 1-9999.
    minutes = draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
    time = draw(st.times()).replace(microsecond=0)
    return dt.datetime.combine(day, time, dt.timezone(dt.timedelta(minutes=minutes))), year


@st.composite
def edtf_dates(draw, year: int, day: dt.date) -> str:
    """An EDTF Level 1 form: a season, a qualified date, unspecified digits, an interval."""
    qualifier = draw(st.sampled_from(["~", "?", "%"]))
    later = draw(st.integers(year, 9999))
    return draw(st.sampled_from([
        f"{year:04d}-{21 if year == 9999 else draw(st.integers(21, 24))}",
        f"{year:04d}-{day.month:02d}{qualifier}", f"{day.isoformat()}{qualifier}", f"{year:04d}-XX",
        f"{year:04d}/{later:04d}", f"../{year:04d}-{day.month:02d}", f"{day.isoformat()}/..",
        f"{year // 10:03d}X" if year >= 10 else f"{year:04d}",
    ]))


@st.composite
def quotes(draw, source_files):
    """(source index, a run of whole words cut from that document)."""
    index = draw(st.integers(0, len(source_files) - 1))
    tokens = SOURCE_WORDS[source_files[index]]
    start = draw(st.integers(0, len(tokens) - 1))
    length = draw(st.integers(1, 15))
    return index, " ".join(tokens[start:start + length])


@st.composite
def valid_documents(draw, max_sources: int = 3, max_events: int = 5, pool: tuple = tuple(SOURCE_FILES)) -> dict:
    files = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=max_sources, unique=True))
    source_ids = draw(st.lists(ids, min_size=len(files), max_size=len(files), unique=True))
    sources = {}
    for source_id, file in zip(source_ids, files):
        source = {"title": draw(words), "file": f"site_src/sources/{file}"}
        flags = draw(st.integers(0, 15))  # one draw for the optional keys
        if flags & 1:
            source["publisher"] = draw(words)
        if flags & 2:
            source["url"] = "https://example.org/" + draw(st.sampled_from(["", "a/b", "x?y=1&z=2", "%20~._-"]))
        if flags & 4:
            source["title_assigned"] = bool(flags & 8)
        if flags & 8:
            source["note"] = draw(markdownish)
        sources[source_id] = source
    site = {"title": draw(words)}
    flags = draw(st.integers(0, 7))
    if flags & 1:
        site["description"] = draw(words)
    if flags & 2:
        site["language"] = draw(st.sampled_from(["en", "en-GB", "uk", "ru", "tr", "de-CH"]))
    if flags & 4:
        site["base_url"] = draw(st.sampled_from(["https://example.org/", "https://example.org/repo", "http://h.example/x/"]))

    events = []
    for event_id in draw(st.lists(ids, min_size=1, max_size=max_events, unique=True)):
        date, year = draw(dates())
        event = {"id": event_id, "date": date}
        flags = draw(st.integers(0, 511))  # one draw for the optional keys
        if flags & 1 and year is not None and year < 9999:  # the earlier format, with its hints
            event["end"] = f"{draw(st.integers(year + 1, 9999)):04d}"
        if flags & 2 and year is not None:
            event["circa"] = bool(flags & 4)
        event["title"] = draw(words)
        event["summary"] = draw(markdownish)
        if flags & 8:
            event["place"] = draw(words)
        if flags & 16:
            event["actors"] = draw(names)
        if flags & 32:
            event["tags"] = draw(names)
        if flags & 64:
            event["duration"] = draw(st.sampled_from(["6h", "45m", "1h30m", "2h 15min", "0h1m"]))
        if flags & 128:
            event["editor_note"] = draw(markdownish)
        citations = []
        for index, quote in draw(st.lists(quotes(files), min_size=1, max_size=3)):
            citations.append({"source": source_ids[index], "quote": quote})
        event["citations"] = citations
        all_quotes = [c["quote"] for c in citations]
        if flags & 256:
            versions = []
            for index, quote in draw(st.lists(quotes(files), min_size=2, max_size=3)):
                versions.append({"claim": draw(words), "source": source_ids[index], "quote": quote})
                all_quotes.append(quote)
            difference = {"about": draw(words), "versions": versions}
            if flags & 4:
                difference["note"] = draw(words)
            event["differences"] = [difference]
        if flags & 16 or year is None or not any(str(year) in q for q in all_quotes):
            event["date_note"] = draw(words)
        events.append(event)
    return {"site": site, "sources": sources, "events": events}


# --- mutations -------------------------------------------------------------------

OTHER_VALUES = ["1", "-0", "1.5", "inf", "true", "2022-01-01", "1979-05-27T07:32:00", "07:32:00", "[]", '["a", 1]',
                "{}", '{ source = "x" }', '""', '"   "', '"x"', "'''\nmulti\n'''", '"\\u202e"', "[[]]"]


def _fixed_documents(count: int = 40) -> list[dict]:
    """Valid documents made without Hypothesis (drawing is the slow part of
    an example), and the shipped events.toml: cheap starting points for the
    mutation tests."""
    rng = random.Random(20251122)
    pool = (SMALL.name, SOURCE_FILES[1])
    fragments = ["*emphasis*", "**strong**", "[a link](https://example.org/)", "plain words", "- item\n- item"]
    documents = []
    for k in range(count):
        files = rng.sample(pool, rng.randint(1, 2))
        source_ids = [f"s{k}-{i}" for i in range(len(files))]
        sources = {sid: {"title": rng.choice(TRICKY), "file": f"site_src/sources/{file}"}
                   for sid, file in zip(source_ids, files)}
        if k % 3 == 0:
            sources[source_ids[0]].update(publisher=rng.choice(TRICKY), url="https://example.org/doc",
                                          title_assigned=True, note=rng.choice(fragments))

        def cite(i: int) -> dict:
            tokens = SOURCE_WORDS[files[i]]
            start = rng.randrange(len(tokens))
            return {"source": source_ids[i], "quote": " ".join(tokens[start:start + rng.randint(1, 10)])}

        events = []
        for e in range(rng.randint(1, 3)):
            year = rng.randint(1, 9999)
            day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            date = [f"{year:04d}", f"{year:04d}-{day.month:02d}", day.isoformat(), day,
                    dt.datetime(year, day.month, day.day, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))][(k + e) % 5]
            event = {"id": f"e{k}-{e}", "date": date, "date_note": rng.choice(TRICKY), "title": rng.choice(TRICKY),
                     "summary": " ".join(rng.sample(fragments, 2) + [rng.choice(TRICKY)])}
            if (k + e) % 2:
                event.update(place=rng.choice(TRICKY), actors=rng.sample(TRICKY, 2), tags=rng.sample(TRICKY, 1),
                             circa=True, duration="1h30m", editor_note=rng.choice(fragments))
            if year < 9999 and (k + e) % 4 == 1:
                event["end"] = f"{year + 1:04d}"
            event["citations"] = [cite(rng.randrange(len(files))) for _ in range(rng.randint(1, 2))]
            if (k + e) % 4 == 3:
                event["differences"] = [{"about": rng.choice(TRICKY), "note": "n", "versions": [
                    {"claim": rng.choice(TRICKY), **cite(rng.randrange(len(files)))} for _ in range(2)]}]
            events.append(event)
        documents.append({"site": {"title": rng.choice(TRICKY)}, "sources": sources, "events": events})
    with (ROOT / "events.toml").open("rb") as f:
        documents.append(tomllib.load(f))
    return documents


FIXED_DOCUMENTS = _fixed_documents()
MUTATION_BASES = st.one_of(
    st.sampled_from(FIXED_DOCUMENTS),
    valid_documents(max_sources=2, max_events=3, pool=(SMALL.name, SOURCE_FILES[1])),
)
# Each accepted mutant is built, up to this many per test; past it they are
# only checked (a build takes ~0.15 s, a check ~2 ms).
BUILDS_PER_MUTATION_TEST = int(30 * SCALE)


@st.composite
def structural_mutation(draw, document: dict) -> str:
    """Delete, duplicate, retype or misspell keys of a valid document."""
    lines = toml_document(document).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        key_lines = [i for i, line in enumerate(lines) if re.match(r"\s*[\"\w-]+\s*=", line)]
        header_lines = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")]
        action = draw(st.sampled_from(["delete", "duplicate", "retype", "misspell", "drop-header", "repeat-header", "swap"]))
        if action in ("delete", "duplicate", "retype", "misspell") and key_lines:
            i = draw(st.sampled_from(key_lines))
            key, _, value = lines[i].partition("=")
            if action == "delete":
                del lines[i]
            elif action == "duplicate":
                lines.insert(i + 1, key + "=" + draw(st.sampled_from([value, *OTHER_VALUES])))
            elif action == "retype":
                lines[i] = key + "= " + draw(st.sampled_from(OTHER_VALUES))
            else:
                stripped = key.strip()
                position = draw(st.integers(0, max(0, len(stripped) - 1)))
                misspelt = stripped[:position] + draw(st.sampled_from(["", "x", stripped[position:position + 1] * 2])) + stripped[position + 1:]
                lines[i] = f"{misspelt or 'k'} ={value}"
        elif action == "drop-header" and header_lines:
            del lines[draw(st.sampled_from(header_lines))]
        elif action == "repeat-header" and header_lines:
            i = draw(st.sampled_from(header_lines))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
        elif action == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@st.composite
def character_mutation(draw, document: dict) -> bytes:
    """Random characters or bytes inserted, deleted or replaced; or truncation."""
    text = toml_document(document)
    raw = text.encode("utf-8")
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["insert", "delete", "replace", "byte", "truncate"]))
        if action == "byte":
            position = draw(st.integers(0, max(0, len(raw) - 1)))
            raw = raw[:position] + bytes([draw(st.integers(0, 255))]) + raw[position + 1:]
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        position = draw(st.integers(0, len(text)))
        if action == "insert":
            text = text[:position] + draw(st.one_of(
                st.characters(), st.sampled_from(list("\"'[]{}=#\\\n\r\t.,") + ['"""', "'''", "\r\n", "\ufeff"])
            )) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + 1:]
        elif action == "replace":
            text = text[:position] + draw(st.characters()) + text[position + 1:]
        else:
            text = text[:position]
        raw = text.encode("utf-8", "surrogatepass")
    return raw


# --- the project and the checks ----------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("properties")
    shutil.copytree(ARCHIVE, root / "site_src" / "sources")
    shutil.copy(SMALL, root / "site_src" / "sources" / SMALL.name)
    return root


@pytest.fixture(scope="module", autouse=True)
def report_examples(request):
    yield
    total = sum(EXAMPLES.values())
    summary = (f"Hypothesis examples run: {total} ({', '.join(f'{k}: {v}' for k, v in sorted(EXAMPLES.items()))}); "
               f"accepted mutants built: {', '.join(f'{k}: {v}' for k, v in sorted(BUILDS.items())) or 'none'}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(summary)
    artifacts = ROOT / "test-artifacts"
    if artifacts.is_dir():
        (artifacts / "hypothesis-examples.txt").write_text(summary + "\n", encoding="utf-8")


def _problem_is_well_formed(problem: Problem) -> None:
    assert isinstance(problem, Problem)
    assert isinstance(problem.message, str) and problem.message.strip(), problem
    assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1), problem
    assert str(problem)




def check_then_build(project: Path, raw: bytes, must_be_valid: bool = False, build_as: str = "") -> bool:
    """The property itself: problems or a successful build, never an exception."""
    events = project / "events.toml"
    events.write_bytes(raw)
    site, problems = check(events, "events.toml")
    # The caches (pieces of the file, validated events) never change the answer.
    cold_site, cold_problems = check(events, "events.toml")
    assert [str(p) for p in problems] == [str(p) for p in cold_problems]
    assert site == cold_site
    if site is None:
        assert not must_be_valid, "\n".join(map(str, problems))
        assert problems, "no site and no problems"
        for problem in problems:
            _problem_is_well_formed(problem)
        return False
    assert problems == []
    if build_as:
        if BUILDS[build_as] >= BUILDS_PER_MUTATION_TEST:
            return True
        BUILDS[build_as] += 1
    out = project / "public"
    built, build_problems = build(events, out, "events.toml")
    assert built is not None and build_problems == []
    assert (out / "index.html").is_file()
    for event in built.events:
        assert (out / "events" / event.id / "index.html").is_file()
    assert not [p for p in project.iterdir() if p.name.startswith((".public.new-", ".public.old-"))]
    return True


def parse_agrees_with_tomllib(project: Path, raw: bytes) -> None:
    """The loader (piece-wise, cached) reads exactly what tomllib reads, and
    puts every key on the line a plain scan of the whole text finds."""
    events = project / "events.toml"
    events.write_bytes(raw)
    try:
        expected = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        expected = None
    loaded, problems = load_module.load(events, "events.toml")
    if loaded is None:
        assert problems
        text = raw.decode("utf-8", "replace")
        assert expected is None or not text.strip(), "tomllib reads this file, the loader refuses it"
        return
    assert expected is not None, "the loader accepts a file that is not valid TOML 1.0 (tomllib refuses it)"
    assert _comparable(load_module.resolved(loaded.data)) == _comparable(expected)
    for key, line in load_module.scan_lines(raw.decode("utf-8")).items():
        assert loaded.lines.line(*key) == line, key


def _comparable(value):
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


# --- the properties --------------------------------------------------------------------

def test_toml_writer_round_trips():
    document = {"site": {"title": 'a "b" \\ \x00 \u202e'}, "events": [{"id": "x", "citations": [{"q": 1}]}, {"id": "y"}]}
    assert tomllib.loads(toml_document(document)) == document


def test_fixed_starting_points_are_valid(project):
    for document in FIXED_DOCUMENTS:
        events = project / "events.toml"
        events.write_text(toml_document(document), encoding="utf-8")
        site, problems = check(events, "events.toml")
        assert site is not None, [str(p) for p in problems]


@settings(max_examples=int(550 * SCALE), **SETTINGS)
@given(document=valid_documents())
def test_valid_files_are_accepted(project, document):
    EXAMPLES["valid, checked"] += 1
    text = toml_document(document)
    note(text)
    events = project / "events.toml"
    events.write_text(text, encoding="utf-8")
    site, problems = check(events, "events.toml")
    assert site is not None, "\n".join(map(str, problems))
    assert sorted(e.id for e in site.events) == sorted(e["id"] for e in document["events"])
    parse_agrees_with_tomllib(project, text.encode("utf-8"))


@settings(max_examples=int(50 * SCALE), **SETTINGS)
@given(document=valid_documents())
def test_valid_files_build(project, document):
    EXAMPLES["valid, built"] += 1
    text = toml_document(document)
    note(text)
    assert check_then_build(project, text.encode("utf-8"), must_be_valid=True)


@settings(max_examples=int(550 * SCALE), **SETTINGS)
@given(data=st.data())
def test_structurally_mutated_files_never_crash(project, data):
    text = data.draw(structural_mutation(data.draw(MUTATION_BASES)))
    EXAMPLES["keys mutated"] += 1
    note(text)
    parse_agrees_with_tomllib(project, text.encode("utf-8"))
    check_then_build(project, text.encode("utf-8"), build_as="key mutations")


@settings(max_examples=int(750 * SCALE), **SETTINGS)
@given(data=st.data())
def test_character_mutated_files_never_crash(project, data):
    raw = data.draw(character_mutation(data.draw(MUTATION_BASES)))
    EXAMPLES["characters mutated"] += 1
    note(repr(raw))
    parse_agrees_with_tomllib(project, raw)
    check_then_build(project, raw, build_as="character mutations")


# --- the edges of the calendar, always -----------------------------------------------

MINIMAL = '''[site]
title = "T"

[sources.s]
title = "S"
file = "site_src/sources/{file}"

[[events]]
id = "e"
date = {date}
date_note = "Given by the editors."
title = "E"
summary = "S."

  [[events.citations]]
  source = "s"
  quote = "{quote}"
'''


def _minimal(date: str) -> bytes:
    file = SOURCE_FILES[0]
    quote = " ".join(SOURCE_WORDS[file][:4]).replace("\\", "\\\\").replace('"', '\\"')
    return MINIMAL.format(file=file, date=date, quote=quote).encode("utf-8")


@pytest.mark.parametrize("date", ['"0001"', '"0001-01"', "0001-01-01", '"9999"', '"9999-12"', "9999-12-31",
                                  "9999-12-31T23:59:59+00:00", "9999-12-31T23:30:00-01:00"])
def test_dates_at_the_edges_of_the_calendar_build(project, date):
    check_then_build(project, _minimal(date), must_be_valid=True)


@pytest.mark.parametrize("date", ["0001-01-01T00:30:00+01:00", "0001-01-01T13:59:59+14:00"])
def test_moment_at_the_edge_of_the_calendar_builds(project, date):
    check_then_build(project, _minimal(date), must_be_valid=True)


# --- the source normaliser ---------------------------------------------------------------

def _folded_by_hand(original: str) -> tuple[str, list[int]]:
    """The normalised text and its offsets, one character at a time."""
    from timeline.record.quotes import _TYPOGRAPHIC
    chars, offsets, previous_space = [], [], True
    for index, ch in enumerate(original.translate(_TYPOGRAPHIC)):
        if ch.isspace():
            if previous_space:
                continue
            ch, previous_space = " ", True
        else:
            previous_space = False
        chars.append(ch)
        offsets.append(index)
    return "".join(chars), offsets + [len(original)]


@settings(max_examples=int(300 * SCALE), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\u00a0\u2003\x1c“”‘’—–-.")), max_size=60))
def test_source_normaliser_matches_a_character_by_character_fold(text):
    from timeline.record.quotes import NormalisedText
    normalised = NormalisedText(text)
    folded, offsets = _folded_by_hand(text)
    assert normalised.text == folded
    assert [normalised.original_offset(i) for i in range(len(folded))] == offsets[:-1]


@settings(max_examples=int(300 * SCALE), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ,;\\“”é€😀\u0301")), max_size=300))
def test_ical_folding_keeps_every_line_whole_and_short(line):
    """RFC 5545: unfolding gives the line back; no physical line over 75 octets."""
    from timeline.render.outputs.ical import fold
    folded = fold(line)
    assert folded.endswith("\r\n")
    assert folded[:-2].replace("\r\n ", "") == line
    assert all(len(part.encode("utf-8")) <= 75 for part in folded[:-2].split("\r\n"))
