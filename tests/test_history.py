"""Corrections and each event's history from git, read from built sites.

Every test builds a tiny project in a throwaway git repository whose commits
have fixed dates and identities, so the hashes and dates on the pages are
known in advance and every build is the same. The build runs as
`python build.py`, the way editors and the publishing workflow run it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "bad" / "sources" / "sample.txt"
ATOM = "{http://www.w3.org/2005/Atom}"
COMMIT_URL = "https://example.org/c/{commit}"

# A valid project: two events citing the sample document word for word.
EVENTS = '''\
# A test record.
[site]
title = "Test timeline"
description = "A test."
language = "en"

[sources.sample]
title = "Sample document"
file = "sources/sample.txt"

[[events]]
id = "talks"
date = 2022-03-29
title = "Talks in Istanbul"
summary = "The delegations met."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met in Istanbul."

[[events]]
id = "round"
date = 2022-03-30
date_note = "The editors place it on the next day."
title = "A long round"
summary = "It lasted six hours."

  [[events.citations]]
  source = "sample"
  quote = "The second round lasted six hours"
'''

CORRECTION = '''
  [[events.corrections]]
  date = 2026-12-01
  kind = "correction"
  note = "An earlier version said the talks were in *Ankara*."
'''
TALKS_QUOTE = '  quote = "In 2022 the two delegations met in Istanbul."\n'

# Git run with no user or system configuration, so a developer's settings
# (signing, hooks, default branch, ...) change nothing here.
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Ed Itor",
    "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_COMMITTER_NAME": "Ed Itor",
    "GIT_COMMITTER_EMAIL": "editor@example.org",
    "LC_ALL": "C",
}


# --- helpers ------------------------------------------------------------------------

def git(repo: Path, *args: str, date: str | None = None, author_date: str | None = None) -> str:
    """Run git in `repo` (dates fixed when given); its standard output."""
    env = dict(GIT_ENV)
    if date:
        env["GIT_COMMITTER_DATE"] = date
        env["GIT_AUTHOR_DATE"] = author_date or date
    result = subprocess.run(["git", "-c", "commit.gpgsign=false", "-C", str(repo), *args],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stderr}"
    return result.stdout.strip()


def commit(repo: Path, date: str, message: str = "edit", author_date: str | None = None) -> str:
    """Commit everything in `repo` on `date` (the committer date); the full hash."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date, author_date=author_date)
    return git(repo, "rev-parse", "HEAD")


def write_project(folder: Path, text: str = EVENTS) -> Path:
    """events.toml and its source in `folder`; the events file."""
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, folder / "sources" / "sample.txt")
    events = folder / "events.toml"
    events.write_text(text, encoding="utf-8")
    return events


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(events: Path, *flags: str) -> subprocess.CompletedProcess:
    """`python build.py` on `events`; git above the test's folder is not looked at."""
    env = {**GIT_ENV, "GIT_CEILING_DIRECTORIES": str(events.parent.parent)}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--events", str(events), *flags],
                          capture_output=True, text=True, env=env, cwd=events.parent)


def build(events: Path, out: Path, *flags: str) -> Path:
    """A build that must succeed; the output folder."""
    result = run(events, "--out", str(out), *(flags or ("--no-cache",)))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def page(out: Path, event_id: str) -> str:
    return (out / "events" / event_id / "index.html").read_text(encoding="utf-8")


def history_section(html: str) -> str:
    found = re.findall(r'<section class="history" id="history".*?</section>', html, re.S)
    assert len(found) == 1, "one history section per event page"
    return found[0]


def revisions(html: str) -> list[str]:
    """The entries of the page's history, newest first, each as its HTML."""
    found = re.findall(r'<ol class="revisions">(.*?)</ol>', history_section(html), re.S)
    assert len(found) == 1, history_section(html)
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", found[0], re.S)]


def entry(datetime: str, day: str, full_hash: str, what: str, url: str = "") -> str:
    code = f'<code title="{full_hash}">{full_hash[:7]}</code>'
    if url:
        code = f'<a href="{url}">{code}</a>'
    return f'<time datetime="{datetime}">{day}</time> · {code} · {what}'


def jsonld_event(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    events = [data for data in map(json.loads, scripts) if data.get("@type") == "Event"]
    assert len(events) == 1, scripts
    return events[0]


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the only line of `path` holding `needle`."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


@pytest.fixture
def repo(tmp_path) -> Path:
    """An empty git repository holding the project's files, not yet committed; its folder."""
    folder = tmp_path / "record"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    write_project(folder)
    return folder


@pytest.fixture
def corrected(repo) -> Path:
    """The project with one correction on 'talks', in two commits: the
    events added on 1 November, the correction on 1 December; the folder."""
    commit(repo, "2026-11-01T10:00:00+00:00", "add")
    edit(repo / "events.toml", TALKS_QUOTE, TALKS_QUOTE + CORRECTION)
    edit(repo / "events.toml", 'title = "Talks in Istanbul"', 'title = "Talks in Istanbul, day one"')
    commit(repo, "2026-12-01T09:15:00+02:00", "correct")
    return repo


# --- the history ----------------------------------------------------------------------

def test_each_commit_that_changed_an_event_is_listed_newest_first_with_its_date_hash_and_change(repo, tmp_path):
    events = repo / "events.toml"
    first = commit(repo, "2026-11-01T10:00:00+00:00", "add the events")
    edit(events, 'title = "Talks in Istanbul"', 'title = "Talks in Istanbul, day one"')
    # Authored long before it landed: the page gives the day it was committed.
    second = commit(repo, "2026-11-05T10:00:00+02:00", "retitle", author_date="2026-10-20T08:00:00+00:00")
    # Comments, blank lines and spacing inside a table are no change to any event.
    edit(events, "# A test record.\n", "# A test record, reworded.\n\n")
    edit(events, 'id = "talks"\ndate = 2022-03-29', 'id = "talks"\ndate    =   2022-03-29   # the first day')
    spacing = commit(repo, "2026-11-10T10:00:00+00:00", "spacing")
    edit(events, 'summary = "The delegations met."', 'summary = "The two delegations met."')
    edit(events, 'date = 2022-03-30\n', 'date = 2022-03-31\n')
    edit(events, 'title = "A long round"', 'title = "A very long round"')
    fourth = commit(repo, "2026-11-20T18:45:00-05:00", "round")
    out = build(events, tmp_path / "out")

    assert revisions(page(out, "talks")) == [
        entry("2026-11-20", "20 November 2026", fourth, "changed the summary"),
        entry("2026-11-05", "5 November 2026", second, "changed the title"),
        entry("2026-11-01", "1 November 2026", first, "added"),
    ]
    assert revisions(page(out, "round")) == [
        entry("2026-11-20", "20 November 2026", fourth, "changed the date and title"),  # in the keys' order
        entry("2026-11-01", "1 November 2026", first, "added"),
    ]
    for event_id in ("talks", "round"):
        html = page(out, event_id)
        assert spacing not in html and spacing[:7] not in html
        assert "20 October 2026" not in html  # the author date


def test_a_merged_branch_is_one_entry_dated_by_its_merge(repo, tmp_path):
    events = repo / "events.toml"
    first = commit(repo, "2026-11-01T10:00:00+00:00", "add")
    git(repo, "checkout", "-q", "-b", "side")
    edit(events, 'title = "Talks in Istanbul"', 'title = "Talks in Istanbul, day one"')
    side_1 = commit(repo, "2026-11-02T10:00:00+00:00", "side: retitle")
    edit(events, 'summary = "The delegations met."', 'summary = "The two delegations met."')
    side_2 = commit(repo, "2026-11-03T10:00:00+00:00", "side: summary")
    git(repo, "checkout", "-q", "main")
    edit(events, 'summary = "It lasted six hours."', 'summary = "It lasted six long hours."')
    main = commit(repo, "2026-11-04T10:00:00+00:00", "main: round")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "-m", "merge side", "side", date="2026-11-09T12:00:00+00:00")
    merge = git(repo, "rev-parse", "HEAD")
    assert len(git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3, "a real merge"
    out = build(events, tmp_path / "out")

    talks = page(out, "talks")
    assert revisions(talks) == [
        entry("2026-11-09", "9 November 2026", merge, "changed the title and summary"),
        entry("2026-11-01", "1 November 2026", first, "added"),
    ]
    assert side_1 not in talks and side_2 not in talks
    # The main line's own commit is its own entry; the merge changed nothing of 'round'.
    assert revisions(page(out, "round")) == [
        entry("2026-11-04", "4 November 2026", main, "changed the summary"),
        entry("2026-11-01", "1 November 2026", first, "added"),
    ]


def test_builds_of_one_commit_are_byte_identical_and_uncommitted_edits_leave_the_history_alone(corrected, tmp_path):
    events = corrected / "events.toml"
    one = tree(build(events, tmp_path / "one"))
    two = tree(build(events, tmp_path / "elsewhere" / "two"))
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    before = history_section(page(tmp_path / "one", "talks"))
    assert len(revisions(before)) == 2

    edit(events, 'title = "Talks in Istanbul, day one"', 'title = "Talks in Istanbul, first day"')
    edit(events, 'summary = "The delegations met."', 'summary = "The two delegations met."')
    edit(events, 'title = "A long round"', 'title = "A long round of talks"')
    out = build(events, tmp_path / "edited")
    talks = page(out, "talks")
    assert "Talks in Istanbul, first day" in talks  # the edit is built...
    assert history_section(talks) == before  # ...and is no revision
    assert history_section(page(out, "round")) == history_section(page(tmp_path / "one", "round"))
    # dateModified is still the last commit's, not the time of the edit.
    assert jsonld_event(talks)["mainEntityOfPage"]["dateModified"] == "2026-12-01T09:15:00+02:00"
    # Only the preview (--serve) marks events changed since the last commit.
    assert not [name for name, data in tree(out).items() if b'class="uncommitted"' in data]


def test_without_history_the_build_succeeds_and_says_why(corrected, tmp_path):
    edit(corrected / "events.toml", 'summary = "It lasted six hours."', 'summary = "It lasted six long hours."')
    commit(corrected, "2026-12-05T10:00:00+00:00", "a third commit")

    # A copy of the files without .git.
    copy = tmp_path / "copy" / "record"
    shutil.copytree(corrected, copy, ignore=shutil.ignore_patterns(".git"))
    out = build(copy / "events.toml", tmp_path / "out-copy")
    for event_id in ("talks", "round"):
        section = history_section(page(out, event_id))
        assert "The history is not available from this copy of the record: " in section
        assert "not in a git repository" in section
        assert '<ol class="revisions">' not in section

    # A shallow clone holds the files but not their history.
    shallow = tmp_path / "shallow" / "record"
    git(tmp_path, "clone", "-q", "--depth", "1", corrected.resolve().as_uri(), str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "true"
    out = build(shallow / "events.toml", tmp_path / "out-shallow")
    for event_id in ("talks", "round"):
        section = history_section(page(out, event_id))
        assert "The history is not available from this copy of the record: " in section
        assert "shallow clone" in section
        assert '<ol class="revisions">' not in section

    # A full clone has it all, the same as the original.
    full = tmp_path / "full" / "record"
    git(tmp_path, "clone", "-q", corrected.resolve().as_uri(), str(full))
    out = build(full / "events.toml", tmp_path / "out-full")
    original = build(corrected / "events.toml", tmp_path / "out-original")
    assert len(revisions(page(out, "talks"))) == 2
    assert len(revisions(page(out, "round"))) == 2
    assert tree(out) == tree(original)


def test_a_file_never_committed_builds_and_says_so(repo, tmp_path):
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty", date="2026-11-01T10:00:00+00:00")
    out = build(repo / "events.toml", tmp_path / "out")
    section = history_section(page(out, "talks"))
    assert "The history is not available from this copy of the record: events.toml is not committed." in section


# --- corrections ------------------------------------------------------------------------

def test_a_correction_shows_on_its_page_the_corrections_page_the_feed_and_the_home_card(corrected, tmp_path):
    out = build(corrected / "events.toml", tmp_path / "out")
    talks = page(out, "talks")

    # At the top of the event: after the title, before the summary and the sources.
    aside = re.search(r'<aside class="corrections" id="corrections".*?</aside>', talks, re.S)
    assert aside, talks
    assert talks.index('<h1 class="event-title">') < aside.start() < talks.index('<div class="summary">')
    item = re.search(r'<li class="correction correction" id="correction-talks-1">(.*?)</li>', aside.group(0), re.S)
    assert item, aside.group(0)
    text = re.sub(r"<[^>]+>", "", item.group(1))
    assert item.group(1).startswith('<p class="correction-label"><strong>Corrected '
                                    '<time datetime="2026-12-01">1 December 2026</time>:')
    assert text == "Corrected 1 December 2026:An earlier version said the talks were in Ankara."
    assert "<em>Ankara</em>" in item.group(1)  # the note is Markdown
    assert 'class="corrections"' not in page(out, "round")

    # The corrections page, which the feed is announced from.
    listing = (out / "corrections" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="\.\./corrections\.xml"', listing)
    entries = re.findall(r'<li class="correction (\w+)">(.*?)</li>', listing, re.S)
    assert len(entries) == 1 and entries[0][0] == "correction"
    assert 'Corrected <time datetime="2026-12-01">1 December 2026</time>:' in entries[0][1]
    assert 'href="../events/talks/#correction-talks-1"' in entries[0][1]
    assert "An earlier version said the talks were in <em>Ankara</em>." in entries[0][1]

    # The feed.
    feed = ET.parse(out / "corrections.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    feed_entries = feed.findall(f"{ATOM}entry")
    assert len(feed_entries) == 1
    title = feed_entries[0].findtext(f"{ATOM}title")
    assert title == "Corrected 1 December 2026: Talks in Istanbul, day one"
    assert feed_entries[0].find(f"{ATOM}link").get("href") == "events/talks/#correction-talks-1"
    assert "Ankara" in feed_entries[0].findtext(f"{ATOM}content")

    # The card on the home page is marked; the other is not.
    home = (out / "index.html").read_text(encoding="utf-8")
    marks = re.findall(r'<p class="corrected-mark">(.*?)</p>', home, re.S)
    assert marks == ['<a href="events/talks/#corrections">Corrected <time datetime="2026-12-01">1 December 2026</time></a>']

    # Every page's footer links to the corrections page (404.html, served at any depth, from the root).
    for name, data in tree(out).items():
        if name.endswith(".html"):
            prefix = "/" if name == "404.html" else "../" * name.count("/")
            assert f'<a href="{prefix}corrections/">Corrections</a>' in data.decode("utf-8"), name

    # events.json carries it.
    data = json.loads((out / "events.json").read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in data["events"]}
    assert by_id["talks"]["corrections"] == [
        {"date": "2026-12-01", "kind": "correction", "note": "An earlier version said the talks were in *Ankara*."}]
    assert by_id["round"]["corrections"] == []


def test_corrections_are_listed_newest_first_with_their_labels(repo, tmp_path):
    events = repo / "events.toml"
    edit(events, TALKS_QUOTE, TALKS_QUOTE + CORRECTION + '''
  [[events.corrections]]
  date = 2027-01-15
  kind = "update"
  note = "Later reports add the second day."
''')
    edit(events, '  quote = "The second round lasted six hours"\n', '''  quote = "The second round lasted six hours"

  [[events.corrections]]
  date = 2026-12-20
  kind = "clarification"
  note = "The hours are the round's, not the day's."
''')
    commit(repo, "2027-01-15T10:00:00+00:00")
    out = build(events, tmp_path / "out")

    listing = (out / "corrections" / "index.html").read_text(encoding="utf-8")
    labels = re.findall(r'<span class="correction-label">(\w+) <time datetime="([\d-]+)">', listing)
    assert labels == [("Updated", "2027-01-15"), ("Clarified", "2026-12-20"), ("Corrected", "2026-12-01")]
    feed = ET.parse(out / "corrections.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "Updated 15 January 2027: Talks in Istanbul",
        "Clarified 20 December 2026: A long round",
        "Corrected 1 December 2026: Talks in Istanbul",
    ]
    talks = page(out, "talks")
    assert re.findall(r'<li class="correction (\w+)" id="(correction-talks-\d)">', talks) == [
        ("update", "correction-talks-1"), ("correction", "correction-talks-2")]
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="events/talks/#corrections">Updated <time datetime="2027-01-15">15 January 2027</time></a>' \
           ' <span class="more">and 1 earlier</span>' in home


def test_jsonld_names_the_correction_and_the_last_commit_as_date_modified(corrected, tmp_path):
    out = build(corrected / "events.toml", tmp_path / "out")
    page_data = jsonld_event(page(out, "talks"))["mainEntityOfPage"]
    assert page_data["@type"] == "WebPage"
    assert page_data["dateModified"] == "2026-12-01T09:15:00+02:00"
    assert page_data["correction"] == [{"@type": "CorrectionComment", "datePublished": "2026-12-01",
                                        "text": "An earlier version said the talks were in Ankara."}]
    # Unchanged since it was added: modified when it was added, and no correction.
    round_page = jsonld_event(page(out, "round"))["mainEntityOfPage"]
    assert round_page["dateModified"] == "2026-11-01T10:00:00+00:00"
    assert "correction" not in round_page


def test_without_history_date_modified_is_the_newest_correction(corrected, tmp_path):
    copy = tmp_path / "copy" / "record"
    shutil.copytree(corrected, copy, ignore=shutil.ignore_patterns(".git"))
    out = build(copy / "events.toml", tmp_path / "out")
    assert jsonld_event(page(out, "talks"))["mainEntityOfPage"]["dateModified"] == "2026-12-01"
    assert "dateModified" not in jsonld_event(page(out, "round")).get("mainEntityOfPage", {})


# --- mistakes in corrections ----------------------------------------------------------------

@pytest.mark.parametrize("old, new, needle, message", [
    ('kind = "correction"', 'kind = "corection"', 'kind = "corection"',
     "event 'talks': unknown kind 'corection'; did you mean 'correction'? "
     '(kinds: "correction", "clarification", "update")'),
    ("date = 2026-12-01", 'date = "2026-12-01"', 'date = "2026-12-01"',
     "event 'talks': a correction's 'date' must be a TOML date like 2026-12-01, without quotes; "
     "found string '2026-12-01'"),
    ("date = 2026-12-01", "date = 2026-12-01T10:00:00Z", "date = 2026-12-01T10:00:00Z",
     "event 'talks': a correction's 'date' is a day: write date = 2026-12-01, without a time"),
    ('  note = "An earlier', '  notes = "x"\n  note = "An earlier', 'notes = "x"',
     "event 'talks': unknown key 'notes' in a correction; did you mean 'note'?"),
])
def test_a_mistaken_correction_is_refused_at_its_line(tmp_path, old, new, needle, message):
    events = write_project(tmp_path, EVENTS.replace(TALKS_QUOTE, TALKS_QUOTE + CORRECTION))
    edit(events, old, new)
    line = line_of(events, needle)
    for flags in (["--check"], ["--out", str(tmp_path / "out"), "--no-cache"]):
        result = run(events, *flags)
        assert result.returncode == 1, result.stdout
        assert f"events.toml:{line}: {message}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


# --- the hint on --check ----------------------------------------------------------------------

def test_check_hints_at_a_changed_summary_until_a_correction_is_added(repo):
    events = repo / "events.toml"
    commit(repo, "2026-11-01T10:00:00+00:00")
    result = run(events, "--check")
    assert result.returncode == 0 and "hint" not in result.stderr, result.stderr

    edit(events, 'summary = "It lasted six hours."', 'summary = "It lasted seven hours."')
    edit(events, 'title = "Talks in Istanbul"', 'title = "Talks in Istanbul, day one"')  # a title is no hint
    result = run(events, "--check")
    assert result.returncode == 0, result.stderr
    header = line_of(events, 'id = "round"') - 1
    assert result.stderr.splitlines() == [
        f"events.toml:{header}: event 'round': hint: its summary changed since the last commit with no correction "
        "added; if the change corrects what was published, add an [[events.corrections]] table saying what was "
        "wrong and what is right"]
    assert "OK: 2 events" in result.stdout

    edit(events, '  quote = "The second round lasted six hours"\n', '  quote = "The second round lasted six hours"\n'
         + CORRECTION)
    result = run(events, "--check")
    assert result.returncode == 0 and result.stderr == "", result.stderr

    # Committed, the change is no longer "since the last commit".
    commit(repo, "2026-12-01T10:00:00+00:00")
    edit(events, "date = 2022-03-30\n", "date = 2022-03-31\n")
    result = run(events, "--check")
    assert result.returncode == 0
    assert f"events.toml:{header}: event 'round': hint: its date changed since the last commit" in result.stderr


# --- links to commits -------------------------------------------------------------------------

def test_commit_url_links_each_hash_to_its_commit(corrected, tmp_path):
    events = corrected / "events.toml"
    hashes = git(corrected, "log", "--format=%H").split()
    expected = [
        entry("2026-12-01", "1 December 2026", hashes[0], "changed the title and corrections",
              f"https://example.org/c/{hashes[0]}"),
        entry("2026-11-01", "1 November 2026", hashes[1], "added", f"https://example.org/c/{hashes[1]}"),
    ]
    out = build(events, tmp_path / "option", "--no-cache", "--commit-url", COMMIT_URL)
    assert revisions(page(out, "talks")) == expected

    # The same from [site] commit_url, in a copy of the repository.
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", corrected.resolve().as_uri(), str(clone))
    edit(clone / "events.toml", 'language = "en"\n', f'language = "en"\ncommit_url = "{COMMIT_URL}"\n')
    assert revisions(page(build(clone / "events.toml", tmp_path / "site-key"), "talks")) == expected

    result = run(events, "--out", str(tmp_path / "bad"), "--no-cache", "--commit-url", "https://example.org/c/")
    assert result.returncode == 2
    assert "{commit}" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "bad").exists()


# --- the cache ----------------------------------------------------------------------------------

def test_a_cached_build_after_a_new_commit_equals_a_build_without_cache(corrected, tmp_path):
    events = corrected / "events.toml"
    cache = tmp_path / "cache"
    build(events, tmp_path / "public", "--cache-dir", str(cache))
    assert (cache / "build-cache.pickle").is_file()

    edit(events, 'summary = "It lasted six hours."', 'summary = "It lasted six long hours."')
    build(events, tmp_path / "public", "--cache-dir", str(cache))  # an uncommitted edit, cached
    newest = commit(corrected, "2026-12-07T10:00:00+00:00", "round: summary")
    build(events, tmp_path / "public", "--cache-dir", str(cache))
    fresh = build(events, tmp_path / "fresh", "--no-cache")
    assert tree(tmp_path / "public") == tree(fresh)
    assert revisions(page(fresh, "round"))[0] == entry("2026-12-07", "7 December 2026", newest, "changed the summary")

    # A commit that changes nothing of the file still builds what a fresh build does.
    commit(corrected, "2026-12-08T10:00:00+00:00", "empty")
    build(events, tmp_path / "public", "--cache-dir", str(cache))
    assert tree(tmp_path / "public") == tree(build(events, tmp_path / "fresh-2", "--no-cache"))
    # So does an amend that rewrites the newest commit's hash and date.
    git(corrected, "reset", "-q", "--hard", newest)
    git(corrected, "commit", "-q", "--amend", "-m", "round: summary, amended", date="2026-12-09T10:00:00+00:00")
    build(events, tmp_path / "public", "--cache-dir", str(cache))
    fresh = build(events, tmp_path / "fresh-3", "--no-cache")
    assert tree(tmp_path / "public") == tree(fresh)
    assert revisions(page(fresh, "round"))[0].startswith('<time datetime="2026-12-09">')
    # A revert brings back a version the cache has seen, after another: it is a change, not an addition.
    git(corrected, "revert", "--no-edit", "HEAD", date="2026-12-10T10:00:00+00:00")
    revert = git(corrected, "rev-parse", "HEAD")
    build(events, tmp_path / "public", "--cache-dir", str(cache))
    fresh = build(events, tmp_path / "fresh-4", "--no-cache")
    assert tree(tmp_path / "public") == tree(fresh)
    assert revisions(page(fresh, "round"))[0] == entry("2026-12-10", "10 December 2026", revert, "changed the summary")
    assert len(revisions(page(fresh, "talks"))) == 2


# --- the shipped record -------------------------------------------------------------

def test_the_shipped_record_shows_its_real_history(site_dir):
    """Every event page of the shipped record lists commits of events.toml's
    own first-parent log, its oldest "added"; or, in a copy without the whole
    history, says so."""
    shallow = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True)
    events = json.loads((site_dir / "events.json").read_text(encoding="utf-8"))["events"]
    pages = {e["id"]: (site_dir / "events" / e["id"] / "index.html").read_text(encoding="utf-8") for e in events}
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        assert all("The history is not available from this copy" in page for page in pages.values())
        return
    log = subprocess.run(["git", "-C", str(ROOT), "log", "--first-parent", "--format=%H %cI", "--", "events.toml"],
                         capture_output=True, text=True, check=True).stdout.split()
    dates = dict(zip(log[::2], log[1::2]))
    for event_id, page in pages.items():
        rows = re.findall(r'<li><time datetime="([\d-]+)">[^<]+</time> · <code title="([0-9a-f]{40})">([0-9a-f]{7})'
                          r'</code> · ([^<]+)</li>', page)
        assert rows, event_id
        for day, full, short, _ in rows:
            assert full in dates and short == full[:7] and dates[full].startswith(day), (event_id, full)
        assert rows[-1][3] == "added", event_id
        order = [list(dates).index(full) for _, full, _, _ in rows]
        assert order == sorted(order), event_id  # newest first, as git logs them


# --- the preview --------------------------------------------------------------------

def test_the_preview_marks_what_changed_since_the_last_commit_and_follows_commits(corrected):
    from timeline.commands.preview import Preview

    events = corrected / "events.toml"
    preview = Preview(events, "events.toml")

    def shown(event_id: str) -> str:
        assert preview.rebuild(), preview.problems
        return preview.jobs[f"events/{event_id}/index.html"].make().decode("utf-8")

    assert 'class="uncommitted"' not in shown("round")
    edit(events, 'summary = "It lasted six hours."', 'summary = "It lasted six long hours."')
    round_page = shown("round")
    assert 'class="uncommitted"' in round_page and 'class="uncommitted"' not in shown("talks")
    home = preview.jobs["index.html"].make().decode("utf-8")
    assert home.count('class="uncommitted"') == 1
    assert len(revisions(round_page)) == 1  # the history is the committed one
    full = commit(corrected, "2026-12-02T08:00:00+00:00", "longer")
    edit(events, "# A test record.", "# A test record, saved again.")  # a save after the commit
    after = shown("round")
    assert 'class="uncommitted"' not in after
    assert len(revisions(after)) == 2 and full[:7] in revisions(after)[0]


def test_the_preview_watches_for_commits(corrected):
    from timeline.commands.preview import Preview
    from timeline.commands.watch import start_watching

    preview = Preview(corrected / "events.toml", "events.toml")
    changes, observer = start_watching(preview)
    try:
        commit(corrected, "2026-12-02T08:00:00+00:00", "an empty commit")
        assert changes.changed.wait(timeout=20), "a commit did not wake the preview"
    finally:
        observer.stop()
        observer.join()
