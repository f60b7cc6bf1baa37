"""Markdown → sanitised HTML, for summaries, notes and the Markdown pages."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

import nh3
from markupsafe import Markup

# What a summary or note may contain once rendered; everything else is
# stripped by the sanitiser, so raw HTML in the data never reaches a page.
_ALLOWED_TAGS = {"p", "em", "strong", "a", "code", "ul", "ol", "li", "blockquote", "br", "h2", "h3", "h4"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_URL_SCHEMES = {"http", "https", "mailto"}

class Markdown:
    """Markdown → sanitised HTML, each text converted once and kept.

    `done` maps (text, page) → HTML; the build cache saves it and hands it
    to the next build, since summaries rarely change."""

    def __init__(self, done: dict[tuple[str, bool], Markup] | None = None):
        self.done = {} if done is None else done
        self._converter = None

    def html(self, text: str, page: bool = False) -> Markup:
        """`text` as HTML, returned as Markup (safe to show as it is), the
        very object kept: wrapping it again would copy every summary.

        `page` allows a top-level heading, for the Markdown pages (the about
        page brings its own <h1>); summaries and notes never get one."""
        kept = self.done.get((text, page))
        if kept is None:
            kept = self.done[(text, page)] = Markup(self._convert(text, page))
        return kept

    def _convert(self, text: str, page: bool) -> str:
        cleaned = _sanitise(text, page, self.converter)
        # nh3 drops an unsafe href but keeps the <a>; an <a> without href is
        # invalid with rel, and useless: keep its text only.
        cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
        return _HREF.sub(_valid_href, cleaned)

    def converter(self):
        """Python-Markdown's converter, made when first needed: a build that
        finds every text already converted does not even import it."""
        if self._converter is None:
            import markdown

            self._converter = markdown.Markdown(extensions=[], output_format="html")
        return self._converter


_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)
_HREF = re.compile(r'href="([^"]*)"')
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _valid_href(match: re.Match) -> str:
    # Percent-encode what a URL may not contain (spaces, '<', controls), so
    # every kept link is a valid URL; the scheme was already checked by nh3.
    url = html.unescape(match.group(1))
    return f'href="{html.escape(quote(url, safe=_URL_SAFE), quote=True)}"'


def _sanitise(text: str, page: bool, make_converter) -> str:
    converter = make_converter()
    converter.reset()
    return clean(converter.convert(text), page)


def clean(rendered: str, page: bool = False) -> str:
    """HTML with only the allowed tags, attributes and link schemes left."""
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS | {"h1"} if page else _ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
