"""Plain words for the pages and outputs: text of HTML, slugs, durations."""
from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]+>")


def plain_text(rendered: str, limit: int | None = None) -> str:
    """The words of rendered HTML (see markdown.Markdown), for descriptions, feeds and data files."""
    words = html.unescape(_TAG.sub("", str(rendered))).split()
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
