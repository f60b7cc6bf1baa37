"""The templates: one Jinja environment, and pages and cards rendered through it."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from timeline.config import TEMPLATES
from timeline.site import urls


def make_environment(bytecode_folder: Path | None = None, one_build: bool = False) -> Environment:
    """The templates' environment; with `bytecode_folder`, compiled templates
    are kept there for the next build (Jinja checks each against its source).

    `one_build`: for a single build, which does not look at a template's
    file again once loaded (the preview does, to see edits)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=FileSystemBytecodeCache(str(bytecode_folder)) if bytecode_folder else None,
        auto_reload=not one_build,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["urls"] = urls  # templates link through the one module that makes URLs
    return env


def render_page(env: Environment, template: str, context: dict) -> bytes:
    return env.get_template(template).render(**context).encode("utf-8")


def render_card(env: Environment, view, h: int, root: str, link_title: bool) -> str:
    """One event's card (templates/_event.html) at heading level `h`, its
    links prefixed with `root`."""
    macro = env.get_template("_event.html").module.event_card
    return str(macro(view, h, Markup(root), link_title))


def compile_all(env: Environment) -> None:
    """Load every template, so that a syntax error shows before any page is made."""
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
