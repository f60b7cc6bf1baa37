"""The templates: one Jinja environment, and pages and cards rendered through it.

A mistake in a template (its syntax, an undefined name, an error while it
renders) becomes a BuildError naming the template's file and line, the
same words in the terminal and in the preview.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError
from markupsafe import Markup

from timeline.config import TEMPLATES
from timeline.errors import BuildError, Problem
from timeline.site import urls


def make_environment() -> Environment:
    """The templates' environment: escaping on, an undefined name an error."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["urls"] = urls  # templates link through the one module that makes URLs
    return env


def render_page(env: Environment, template: str, context: dict) -> bytes:
    return _located(lambda: env.get_template(template).render(**context).encode("utf-8"))


def render_card(env: Environment, view, h: int, root: str, link_title: bool) -> str:
    """One event's card (templates/_event.html) at heading level `h`, its
    links prefixed with `root`."""
    return _located(lambda: str(env.get_template("_event.html").module.event_card(view, h, Markup(root), link_title)))


def render_fragment(env: Environment, view, root: str, show_when: bool) -> str:
    """One event for the feed and the TimelineJS slides: the card's pieces
    without its title (templates/_event.html, event_fragment)."""
    return _located(lambda: str(env.get_template("_event.html").module.event_fragment(view, Markup(root), show_when)))


def _located(render: Callable):
    """render(), with a template's mistake raised as a BuildError at its file and line."""
    try:
        return render()
    except BuildError:
        raise
    except Exception as error:
        problem = template_problem(error)
        if problem is None:
            raise
        raise BuildError([problem]) from error


def template_problem(error: Exception) -> Problem | None:
    """`error` as a Problem at the template file and line it came from; None
    when no template is to blame."""
    if isinstance(error, TemplateSyntaxError):
        return Problem(_shown(error.filename or error.name or "template"), error.lineno,
                       f"TemplateSyntaxError: {error.message}")
    where = None
    tb = error.__traceback__
    while tb is not None:  # the innermost template frame
        found = tb.tb_frame.f_globals
        if "__jinja_exception__" in found:  # rewritten by Template.render: the template's own file and line
            where = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        elif (template := found.get("__jinja_template__")) is not None:  # a macro called from Python
            where = template.filename or template.name, template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    if where is None:
        return None
    return Problem(_shown(where[0]), where[1], f"{type(error).__name__}: {error}")


def _shown(file: str) -> str:
    """A template's file as a reader finds it: relative to here when below it."""
    relative = os.path.relpath(file) if os.path.isabs(file) else file
    return file if relative.startswith("..") else relative


def compile_all(env: Environment) -> None:
    """Load every template, so that a syntax error shows before any page is made."""
    for name in env.list_templates(extensions=["html"]):
        _located(lambda name=name: env.get_template(name))
