"""What the site's planning hands from one build to the next, in memory.

Part of the build cache (speed.cache): event views by the checked event
they show, list cards by their view's fingerprint, and, in the preview,
made pages by their key. Every key covers everything its value depends on,
and cards and pages are dropped whenever a template changes.
"""
from __future__ import annotations

from timeline.config import TEMPLATES


class Generations:
    """A dict that forgets what two builds in a row did not use.

    Each build (`start`) begins a generation; an entry read or written in
    it is kept, one left over from the last generation is kept only if this
    one reads it. So the cache holds what the current site uses, however
    many edits the preview has seen.
    """

    def __init__(self):
        self.now: dict = {}
        self.before: dict = {}

    def start(self) -> None:
        self.before, self.now = self.now, {}

    def get(self, key):
        value = self.now.get(key)
        if value is None:
            value = self.before.get(key)
            if value is not None:
                self.now[key] = value
        return value

    def put(self, key, value) -> None:
        self.now[key] = value

    def clear(self) -> None:
        self.now, self.before = {}, {}


class FragmentCache:
    """What one build can hand to the next: views, cards, made pages.

    Every key holds everything its value depends on, and cards and pages
    are dropped whenever a template changes, so a stale entry cannot be used.
    `pages` holds bytes only in the preview, which serves from memory; a
    build instead finds a page whose key is unchanged in the last published
    folder and keeps it without making it again (see timeline.publish.publish).
    """

    def __init__(self, keep_pages: bool = False):
        self.keep_pages = keep_pages
        self.cards = Generations()  # view fingerprint → a list's card of the event (see site.pages.Pages.card)
        self.pages = Generations()  # page key → bytes (preview only)
        self.views: dict[int, tuple] = {}  # id(event) → (event, EventView)
        self.views_context: tuple = ()  # see views_context()
        self.next_views: dict[int, tuple] = {}
        self.stamp: tuple = ()
        self.restored: tuple | None = None  # what the disk cache held when read (see cache.write)

    def start(self) -> None:
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in TEMPLATES.glob("*.html")))
        if stamp != self.stamp:
            self.cards.clear()
            self.pages.clear()
            self.stamp = stamp
        self.cards.start()
        self.pages.start()

    def finish(self) -> None:
        """Keep the views of this build only, so the cache cannot grow without bound."""
        self.views, self.next_views = self.next_views, {}
