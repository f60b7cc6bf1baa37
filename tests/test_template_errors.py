"""A mistake in a template, as a contributor makes it: through `python build.py`
it is one line naming the template's file and line, with no traceback, and
the output folder stays as it was; the preview shows the same words.

Each test works on a copy of the whole project (code, templates, record),
so the real templates are never touched."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from test_serve import preview_in

# Each message names the line the mistake was made on ({line}).
MISTAKES = {
    "a syntax error": ("event.html", "{% block main %}", "{% block main %}{% if %}",
                       "templates/event.html:{line}: TemplateSyntaxError: Expected an expression, got 'end of statement block'"),
    "an undefined name": ("_event.html", "{{ view.duration }}", "{{ view.no_such_name }}",
                          "templates/_event.html:{line}: UndefinedError: 'timeline.site.views.EventView object' "
                          "has no attribute 'no_such_name'"),
    "an unknown filter": ("sources.html", "{{ source.title }}", "{{ source.title | no_such_filter }}",
                          "templates/sources.html:{line}: TemplateSyntaxError: No filter named 'no_such_filter'."),
    "a failure while rendering": ("source.html", "{{ source.title }}", "{{ 1 // 0 }}",
                                  "templates/source.html:{line}: ZeroDivisionError: integer division or modulo by zero"),
}


@pytest.fixture
def project(whole_project: Path) -> Path:
    return whole_project


def build(project: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", *flags], cwd=project, capture_output=True, text=True,
                          timeout=120, check=False)


def break_template(project: Path, mistake: str) -> str:
    name, old, new, message = MISTAKES[mistake]
    template = project / "templates" / name
    text = template.read_text(encoding="utf-8")
    assert old in text
    template.write_text(text.replace(old, new, 1), encoding="utf-8")
    return message.format(line=text.count("\n", 0, text.index(old)) + 1)  # the line of the mistake


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
@pytest.mark.parametrize("flags", [(), ("--no-cache",)], ids=["cached", "no-cache"])
def test_a_template_mistake_is_one_line_and_the_site_stays(project, mistake, flags):
    assert build(project, *flags).returncode == 0
    before = snapshot(project / "public")
    message = break_template(project, mistake)
    run = build(project, *flags)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [message, "1 problem found.", "Nothing was built; public/ is unchanged."]
    assert snapshot(project / "public") == before


def test_the_preview_shows_a_template_mistake_in_the_words_of_the_build(project, page):
    with preview_in(project) as (port, log):
        page.goto(f"http://127.0.0.1:{port}/events/six-hour-session/")  # an event with a duration
        message = break_template(project, "an undefined name")
        overlay = page.locator("#build-problems")
        overlay.wait_for(timeout=10000)
        assert message in overlay.inner_text()
        assert message in log.read_text()
        assert "Traceback" not in log.read_text()
