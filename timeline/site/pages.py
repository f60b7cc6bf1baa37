"""How a page of the site becomes a Job: its template and the context it shows.

A page's key is a digest of its context (see `shown`), the very dict its
template is rendered with, so no page can show what its key does not
cover. What a page computes only when it is made (its events grouped by
month, its JSON-LD, the passages of a document) is derived from that
context alone. The same site always gives the same bytes: no clock, no
random, sorted iteration.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from timeline.record.model import Site
from timeline.render.markdown import Markdown
from timeline.render.templates import make_environment, render_card, render_page
from timeline.site import urls
from timeline.site.fragments import FragmentCache
from timeline.site.jobs import Job
from timeline.site.listing import EVENTS_PER_PAGE, Listing
from timeline.site.views import EventView, Names, event_view, fingerprint, views_context

ROOT_MARK = "<!--root-->"
CARD_BUDGET = 12_000_000  # characters of cards kept as they are, about 4,000 events' worth; the rest compressed
LIST_LEVEL = 4  # the heading level of an event's title in lists (see Pages.card)

Derive = Callable[[dict], dict]  # more context, made from the context when the page is rendered


def shown(value):
    """`value`, a page's context or a part of it, as its key sees it: an
    event's view as its fingerprint, a list cut into pages as what it
    shows of its parts (their addresses, labels, counts and dates), the
    rest as it is (frozen dataclasses and plain data, whose repr is
    complete and deterministic)."""
    if isinstance(value, EventView):
        return ("view", value.fingerprint)
    if isinstance(value, Listing):
        if value.parts:
            return ("parts", value.path, value.label, len(value.views), value.span(),
                    tuple((p.path, p.label, len(p.views), p.span()) for p in value.parts))
        return ("events", value.path, value.label, tuple(v.fingerprint for v in value.views))
    if isinstance(value, (tuple, list)):
        return tuple(shown(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, shown(item)) for key, item in value.items())
    return value


class Pages:
    """One site's pages: the views they are made from, and pages and files as jobs."""

    def __init__(self, site: Site, env: Environment | None = None, fragments: FragmentCache | None = None,
                 markdown: Markdown | None = None, limit: int = EVENTS_PER_PAGE, preview: bool = False):
        self.site = site
        self.env = env or make_environment()
        self.fragments = fragments or FragmentCache()
        self.markdown = markdown or Markdown()
        self.limit = limit
        self.actors = Names((a for e in site.events for a in e.actors), "actors")
        self.tags = Names((t for e in site.events for t in e.tags), "tags")
        context = views_context(site, self.actors, self.tags)
        if context != self.fragments.views_context:
            self.fragments.views, self.fragments.views_context = {}, context
        # Only the preview marks what changed since the last commit: a build shows committed history alone.
        uncommitted = site.uncommitted if preview else frozenset()
        self.views = [event_view(e, site, self.actors, self.tags, self.markdown, self.fragments, e.id in uncommitted)
                      for e in site.events]
        self._info_key = fingerprint(site.info)  # once, not for each of thousands of pages
        self.store = self.fragments.pages if self.fragments.keep_pages else None  # made pages, in the preview
        self._card_chars = 0  # of the cards this build keeps as they are

    def page(self, path: str, template: str, context: dict, derive: Derive | None = None,
             root: str | None = None) -> Page:
        """A page: `template` rendered with `context` (plus what `derive`
        makes of it), keyed by that context."""
        return Page(path, self, template, None, context, derive, root)

    def lazy_page(self, path: str, template: str, context_of: Callable[[object], dict], arg: object,
                  derive: Derive | None = None) -> Page:
        """A page whose context `context_of(arg)` is made only when its key or
        bytes are asked for: made ahead, the contexts of 100,000 event pages
        would all be held at once."""
        return Page(path, self, template, context_of, arg, derive, None)

    def key(self, path: str, template: str, root: str, context: dict) -> str:
        return fingerprint(("page", self._info_key, path, template, root, shown(context)))

    def render(self, path: str, template: str, root: str, context: dict) -> bytes:
        base_url = self.site.info.base_url
        canonical = urls.absolute(base_url, urls.url_of(path)) if base_url else ""
        return render_page(self.env, template, {"site": self.site.info, "root": root, "path": path,
                                                "canonical": canonical, "card": self.card, **context})

    def file(self, source: Path, path: str) -> Job:
        """A file copied as it is; its key is a digest of its content."""
        return Job(path, source.read_bytes, lambda: fingerprint(("file", source.read_bytes())))

    def card(self, view: EventView, h: int = LIST_LEVEL, root: str = "", link_title: bool = True) -> Markup:
        """One event's card. As lists show it, it is rendered once, with a
        marker where the path to the site root goes, and reused on every list
        that shows the event, at any depth; escaped data cannot contain the
        marker (an HTML comment, which the sanitiser also strips).

        Kept because each card is shown on several lists (the timeline,
        a year, each actor and topic)."""
        if (h, link_title) != (LIST_LEVEL, True):
            return Markup(render_card(self.env, view, h, root, link_title))
        kept = self.fragments.cards.get(view.fingerprint)
        if kept is None:
            html = render_card(self.env, view, LIST_LEVEL, ROOT_MARK, True)
            self.fragments.cards.put(view.fingerprint, self._kept(html))
        else:
            html = kept if isinstance(kept, str) else zlib.decompress(kept).decode("utf-8")
        return Markup(html.replace(ROOT_MARK, root))

    def _kept(self, html: str) -> str | bytes:
        """A card as kept until every list that shows it is made: as it is
        while CARD_BUDGET lasts, then compressed to about a third, since each
        process keeps every card it made. Memory, not speed: a cold build of
        20,000 events peaked at 282 MiB without the budget, 220 MiB with it."""
        if self._card_chars + len(html) <= CARD_BUDGET:
            self._card_chars += len(html)
            return html
        return zlib.compress(html.encode("utf-8"), 1)


class Page(Job):
    """A page of the site as a job: its key is the digest of its context,
    its bytes the template rendered with that context. Slots alone, since a
    large record plans a hundred thousand of them."""

    __slots__ = ("_pages", "_template", "_context_of", "_arg", "_derive", "_root")

    def __init__(self, path: str, pages: Pages, template: str, context_of: Callable[[object], dict] | None,
                 arg: object, derive: Derive | None, root: str | None):
        super().__init__(path, store=pages.store)
        self._pages, self._template, self._context_of, self._arg = pages, template, context_of, arg
        self._derive = derive
        self._root = urls.root_for(path) if root is None else root

    def context(self) -> dict:
        return self._arg if self._context_of is None else self._context_of(self._arg)

    def compute_key(self) -> str:
        return self._pages.key(self.path, self._template, self._root, self.context())

    def render(self) -> bytes:
        context = self.context()
        derived = self._derive(context) if self._derive else {}
        return self._pages.render(self.path, self._template, self._root, {**context, **derived})
