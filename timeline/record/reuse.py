"""What one check of the events file takes from the last and keeps for the next.

An event whose piece of the file and whose sources are unchanged is handed
out as the very object the last check made: the model is immutable, and the
same object lets later steps reuse what they made of it (see
site.views.event_view). A source text seen before keeps its normalised form,
since normalising a long source is slow.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from timeline.record.load import EventPiece
from timeline.record.model import Event
from timeline.record.quotes import NormalisedText


@dataclass
class CheckMemo:
    """What the last check made that the next can reuse."""
    # piece of the file → (sources key, checked event): see Reuse.event
    events: dict[str, tuple[str, Event]] = field(default_factory=dict)
    # source text → its normalised form: normalising a long source is slow
    normalised: dict[str, NormalisedText] = field(default_factory=dict)


def sources_key(sources: dict, every_sentence: bool = False) -> str:
    """A digest of every usable source's id, file and text, and of the rules
    in force: an event checked against other sources, or with the marker
    rule off, may not pass now, so it is not reused."""
    return hashlib.blake2b(
        repr((sorted((k, s.file, normal.digest) for k, (s, normal) in sources.items()), every_sentence)).encode(),
        digest_size=20,
    ).hexdigest()


class Reuse:
    """One check's use of a memo: reads the last check's, builds the next's."""

    def __init__(self, memo: CheckMemo, remember: bool):
        self.memo = memo
        self.remember = remember  # keep checked events for the next check
        self.sources_key = ""  # set once the sources are checked, before any event
        self.next_events: dict[str, tuple[str, Event]] = {}

    # --- source texts -------------------------------------------------------

    def passed_before(self, text: str) -> bool:
        """Whether the last check accepted this source text."""
        return text in self.memo.normalised

    def normalised(self, text: str) -> NormalisedText:
        return self.memo.normalised.get(text) or NormalisedText(text)

    def keep_normalised(self, texts) -> None:
        """Keep these normalised texts, and only these, for the next check."""
        self.memo.normalised = {normal.original: normal for normal in texts}

    # --- events -------------------------------------------------------------

    def event(self, item) -> Event | None:
        """The event checked before from the same piece of the file, when
        the sources are unchanged too."""
        if not isinstance(item, EventPiece):
            return None
        hit = self.memo.events.get(item.text)
        if hit is None or hit[0] != self.sources_key:
            return None
        if self.remember:
            self.next_events[item.text] = hit
        return hit[1]

    def keep_event(self, item, event: Event) -> None:
        """Keep an event checked without a problem for the next check."""
        if self.remember and isinstance(item, EventPiece):
            self.next_events[item.text] = (self.sources_key, event)

    def finish(self) -> None:
        """Hand the next check only the events this file still holds."""
        if self.remember:
            self.memo.events = self.next_events
