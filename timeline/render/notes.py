"""Citation markers made into note references, and text without them.

Python-Markdown leaves a marker ``[^N]`` as literal text (no footnote
extension is loaded, and an undefined reference stays as written), so a
summary is converted once, as for any page, and its markers are linked
afterwards, each to the note of its event's N-th citation. The ids come
from site.urls; a marker's link is made here because it stands inside the
converted Markdown, where no template reaches.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable

from markupsafe import Markup

from timeline.record.sentences import MARKER, strip_markers
from timeline.render.markdown import Markdown
from timeline.render.text import plain_text

NoteIds = Callable[[int], str]  # citation number → the id of its note
MarkerIds = Callable[[int], str]  # k-th marker of the event (from 1) → the id of its reference


def link_markers(html: Markup, note_id: NoteIds, marker_id: MarkerIds, first: int = 1) -> Markup:
    """`html` with each marker a note reference; markers are counted from `first`."""
    count = itertools.count(first)

    def reference(match) -> str:
        number = int(match.group(1))
        return (f'<sup class="noteref"><a role="doc-noteref" href="#{note_id(number)}" '
                f'id="{marker_id(next(count))}">{number}</a></sup>')

    return Markup(MARKER.sub(reference, str(html)))


def words_of(markdown: Markdown, text: str, limit: int | None = None) -> str:
    """The words of a Markdown text, rendered, without its markers."""
    return plain_text(strip_markers(str(markdown.html(text))), limit)
