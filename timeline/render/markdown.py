"""Text helpers shared by the renderers: Markdown, plain text, slugs, durations."""
from __future__ import annotations

import html
import re
import unicodedata
from functools import cache, lru_cache
from urllib.parse import quote

import nh3
from markupsafe import Markup

# What a summary or note may contain once rendered; everything else is
# stripped by the sanitiser, so raw HTML in the data never reaches a page.
_ALLOWED_TAGS = {"p", "em", "strong", "a", "code", "ul", "ol", "li", "blockquote", "br", "h2", "h3", "h4"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<[^>]+>")

@cache
def _converter():
    """One converter for the process, made when first needed: a build that
    finds every summary in its cache does not even import Markdown."""
    import markdown

    return markdown.Markdown(extensions=[], output_format="html")


# (text, page) → HTML. A plain dict rather than lru_cache so that the build
# cache (timeline/cache.py) can save it and fill it again.
markdown_cache: dict[tuple[str, bool], Markup] = {}


def markdown_html(text: str, page: bool = False) -> Markup:
    """Markdown → sanitised HTML; cached by text since summaries rarely change.

    Returned as Markup (safe to show as it is), the very object the cache
    holds: wrapping it again would copy every summary of the site.

    `page` allows a top-level heading, for the Markdown pages (the about page
    brings its own <h1>); summaries and notes never get one.
    """
    cached = markdown_cache.get((text, page))
    if cached is None:
        cached = markdown_cache[(text, page)] = Markup(_convert(text, page))
    return cached


_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)
_HREF = re.compile(r'href="([^"]*)"')
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _valid_href(match: re.Match) -> str:
    # Percent-encode what a URL may not contain (spaces, '<', controls), so
    # every kept link is a valid URL; the scheme was already checked by nh3.
    url = html.unescape(match.group(1))
    return f'href="{html.escape(quote(url, safe=_URL_SAFE), quote=True)}"'


def _convert(text: str, page: bool) -> str:
    cleaned = _sanitise(text, page)
    # nh3 drops an unsafe href but keeps the <a>; an <a> without href is
    # invalid with rel, and useless: keep its text only.
    cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
    return _HREF.sub(_valid_href, cleaned)


# A paragraph of words and common punctuation, which Python-Markdown would
# only wrap in <p>: no character that can open inline markup or an entity,
# no tab, no blank line, no line that could start a block (indent, list,
# heading, quote, rule) or end in a line break. Most summaries are like
# this, and Markdown is the slowest step of a cold build; the tests compare
# this shortcut with Markdown itself on generated text.
_PLAIN_PARAGRAPH = re.compile(
    r"(?:[^\W\d_]|[,.;:'\"?!%$()’‘“”—–/])"  # a line starts with a letter or punctuation
    r"(?:[^\W_]|[ ,.;:'\"?!%$()’‘“”—–/-])*"
    r"(?<! )"  # and ends without a space
    r"(?:\n(?:[^\W\d_]|[,.;:'\"?!%$()’‘“”—–/])(?:[^\W_]|[ ,.;:'\"?!%$()’‘“”—–/-])*(?<! ))*"
)


def plain_paragraph(text: str) -> str | None:
    """`text` as Markdown would render it, when it is one plain paragraph; else None."""
    body = text.strip("\n")
    return f"<p>{body}</p>" if _PLAIN_PARAGRAPH.fullmatch(body) else None


def _sanitise(text: str, page: bool) -> str:
    rendered = plain_paragraph(text)
    if rendered is not None:
        return rendered  # nothing in it for the sanitiser to change (tested)
    converter = _converter()
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


# Bounded: unbounded, the plain texts of 100,000 summaries (for the CSV and
# the calendar) stayed in memory for the whole build.
@lru_cache(maxsize=8192)
def plain_text(markdown_text: str, limit: int | None = None) -> str:
    """The words of a Markdown text, for meta descriptions and feeds."""
    words = html.unescape(_TAG.sub("", str(markdown_html(markdown_text)))).split()
    text = " ".join(words)
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def slugify(name: str) -> str:
    """'Recep Tayyip Erdoğan' → 'recep-tayyip-erdogan'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "x"


def duration_words(minutes: int) -> str:
    """90 → '1 hour 30 minutes'."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)
