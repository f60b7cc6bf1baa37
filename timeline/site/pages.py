"""Model → every file of the site, as jobs that each make one file's bytes.

Planning the site (which files, with what content) is cheap; making a
file's bytes is the work. Keeping the two apart lets a build write each
file as soon as it is made (memory stays flat however large the record),
lets it share the making between processes, and lets the preview make only
the pages someone opens.

Pure: the same Site always gives the same bytes (no clock, no random, sorted
iteration), which makes builds reproducible and lets `write` publish
atomically. Python prepares view objects; the templates only present them.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from urllib.parse import quote

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)
from markupsafe import Markup

from timeline.config import PAGES, STATIC, TEMPLATES
from timeline.record.dates import MONTHS, display_range, gap_words
from timeline.record.model import Citation, Event, Site, Source
from timeline.render.markdown import Markdown
from timeline.render.outputs import OUTPUT_FILES, output_makers
from timeline.render.outputs.feed import feed_memo
from timeline.render.outputs.seo import event_jsonld, site_jsonld
from timeline.render.text import duration_words, plain_text, slugify
from timeline.site.listing import (
    EVENTS_PER_PAGE,
    Listing,
    homes,
    month_pages,
    nodes,
    plan,
)
from timeline.site.overview import overview

ROOT_MARK = "<!--root-->"
NO_HTML = Markup("")
LIST_LEVEL = 4  # the heading level of an event's title in lists (see Renderer.card)


# --- views ------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    text: str
    url: str  # relative to the site root


@dataclass(frozen=True)
class CitationView:
    quote: str
    source: Source
    url: str  # the highlighted passage: sources/<id>/#passage-N


@dataclass(frozen=True)
class VersionView:
    claim: str
    citation: CitationView


@dataclass(frozen=True)
class DifferenceView:
    about: str
    note: str
    versions: tuple[VersionView, ...]


def fingerprint(value) -> str:
    """A digest of everything a rendered fragment depends on.

    Cache keys compare digests instead of deep structures, which made cache
    lookups the slowest part of a warm rebuild. The frozen dataclasses'
    repr is complete and deterministic, and BLAKE2 makes collisions moot.
    """
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=20).hexdigest()


@dataclass(frozen=True)
class EventView:
    event: Event
    url: str
    when: str
    datetime: str
    end_datetime: str
    time: str
    duration: str
    actors: tuple[Link, ...]
    tags: tuple[Link, ...]
    citations: tuple[CitationView, ...]
    differences: tuple[DifferenceView, ...]
    source_ids: tuple[str, ...]
    summary_html: Markup
    editor_note_html: Markup
    description: str  # the summary's first words, for meta descriptions
    fingerprint: str


@dataclass(frozen=True)
class MonthGroup:
    id: str
    label: str
    gap: str  # words for the time since the previous group's last event
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(m.events) for m in self.months)


def _citation_view(citation: Citation, site: Site) -> CitationView:
    source = site.sources[citation.source_id]
    return CitationView(citation.quote, source, f"sources/{source.id}/#{citation.anchor}")


class Names:
    """Actor and tag names ↔ their page slugs (distinct names never share one),
    and one link to each name's page, shared by every event that has it."""

    def __init__(self, names, folder: str):
        self.slugs: dict[str, str] = {}
        used: set[str] = set()
        for name in sorted(set(names)):
            slug, n = slugify(name), 2
            while slug in used:
                slug, n = f"{slugify(name)}-{n}", n + 1
            used.add(slug)
            self.slugs[name] = slug
        self.links = {name: Link(name, f"{folder}/{slug}/") for name, slug in self.slugs.items()}


def event_view(event: Event, site: Site, actors: Names, tags: Names, markdown: Markdown,
               cache: "FragmentCache | None" = None) -> EventView:
    """The event as its templates show it; reused while the event is unchanged.

    Validation hands out the same Event object for an unchanged event, and
    `views_context` (checked by the Renderer) covers what else a view
    shows, so identity alone identifies an unchanged view.
    """
    if cache is not None:
        hit = cache.views.get(id(event))
        if hit is not None and hit[0] is event:
            cache.next_views[id(event)] = hit
            return hit[1]
    actor_links = tuple(actors.links[a] for a in event.actors)
    tag_links = tuple(tags.links[t] for t in event.tags)
    cited = tuple(sorted({(c.source_id, site.sources[c.source_id].title, site.sources[c.source_id].publisher)
                          for c in event.all_citations()}))
    view = _make_view(event, site, markdown, actor_links, tag_links, cited)
    if cache is not None:
        cache.next_views[id(event)] = (event, view)
    return view


def views_context(site: Site, actors: Names, tags: Names) -> tuple:
    """What an event's view shows besides the event: source titles and name slugs."""
    return (tuple((s.id, s.title, s.publisher, s.file) for s in sorted(site.sources.values(), key=lambda s: s.id)),
            tuple(actors.slugs.items()), tuple(tags.slugs.items()))


def _make_view(event: Event, site: Site, markdown: Markdown, actor_links, tag_links, cited) -> EventView:
    date = event.date
    summary_html = markdown.html(event.summary)
    return EventView(
        event=event,
        url=f"events/{event.id}/",
        when=display_range(date, event.end, event.circa),
        datetime=date.iso(),
        end_datetime=event.end.iso() if event.end else "",
        time=date.time_display(),
        duration=duration_words(event.duration_minutes) if event.duration_minutes else "",
        actors=actor_links,
        tags=tag_links,
        citations=tuple(_citation_view(c, site) for c in event.citations),
        differences=tuple(
            DifferenceView(d.about, d.note, tuple(VersionView(v.claim, _citation_view(v.citation, site)) for v in d.versions))
            for d in event.differences
        ),
        source_ids=tuple(sorted({c.source_id for c in event.all_citations()})),
        summary_html=summary_html,
        editor_note_html=markdown.html(event.editor_note) if event.editor_note else NO_HTML,
        description=plain_text(summary_html, limit=200),
        fingerprint=fingerprint((event, cited, actor_links, tag_links)),
    )


def by_month(views) -> dict[tuple[int, int | None], list]:
    """(year, month or None) → its events, year by year, 'month not known' first.

    Grouped by key rather than by runs: an event known only to its year
    sorts at 1 January and can fall between two January events.
    """
    groups: dict[tuple[int, int | None], list] = defaultdict(list)
    for view in views:
        groups[(view.event.date.year, view.event.date.month)].append(view)
    return dict(sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or 0)))


def group_by_month(views: list[EventView]) -> tuple[YearGroup, ...]:
    """Years → months → events, with a gap marker where time passed."""
    years: dict[int, list[MonthGroup]] = defaultdict(list)
    previous = None
    for (year, month), bucket in by_month(views).items():
        label = f"{MONTHS[month - 1]} {year}" if month else f"{year}, month not known"
        gap = gap_words(previous.event.date, bucket[0].event.date) if previous else ""
        years[year].append(MonthGroup(f"y{year}-{month or 0:02d}", label, gap, tuple(bucket)))
        previous = bucket[-1]
    return tuple(YearGroup(y, tuple(m)) for y, m in sorted(years.items()))


# --- source pages ---------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    anchor: str  # id for the passage that starts here, or ""


def source_paragraphs(source: Source, citations: list[Citation]) -> list[list[Segment]]:
    """The document's lines, split where cited passages start and end."""
    lines = source.text.split("\n")
    line_starts = []
    offset = 0
    for line in lines:
        line_starts.append(offset)
        offset += len(line) + 1
    spans_of_line: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s, e in sorted({(c.start, c.end) for c in citations}):
        first = bisect.bisect_right(line_starts, s) - 1
        last = bisect.bisect_right(line_starts, e - 1) - 1
        for index in range(first, last + 1):
            spans_of_line[index].append((s, e))
    paragraphs = []
    for index, line in enumerate(lines):
        start = line_starts[index]
        end = start + len(line)
        if not line.strip():
            continue
        spans = spans_of_line.get(index, ())
        inside = [(max(s, start), min(e, end), s) for s, e in spans if s < end and e > start]
        cuts = sorted({start, end, *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
        starts = {s: f"passage-{s}" for _, _, s in inside if start <= s < end}
        segments = []
        for a, b in zip(cuts, cuts[1:]):
            marked = any(x <= a and b <= y for x, y, _ in inside)
            segments.append(Segment(source.text[a:b], marked, starts.get(a, "")))
        paragraphs.append(segments)
    return paragraphs


# --- the site -------------------------------------------------------------------

def make_environment(bytecode_folder: Path | None = None, one_build: bool = False) -> Environment:
    """The templates' environment; with `bytecode_folder`, compiled templates
    are kept there for the next build (Jinja checks each against its source).

    `one_build`: for a single build, which does not look at a template's
    file again once loaded (the preview does, to see edits): Jinja looked
    at it for every page and card made, 30,000 times at 4,000 events."""
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
    return env


def _root_for(path: str) -> str:
    """Relative prefix from a page at `path` back to the site root."""
    depth = path.count("/")
    return "../" * depth


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
    folder and keeps it without making it again (see write.publish).
    """

    def __init__(self, keep_pages: bool = False):
        self.keep_pages = keep_pages
        self.cards = Generations()  # view fingerprint → a list's card of the event (see Renderer.card)
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


class Job:
    """One file of the site, not yet made.

    `key` is a digest of everything the file's bytes depend on: equal keys,
    equal bytes. It is computed when first asked for, since the preview
    needs it only for the pages someone opens. `store`, in the preview,
    keeps made bytes by key across rebuilds. A data file is made as an
    outputs.Layout with a key per event; `salt` then stands for everything
    else its bytes depend on, so that an event's piece is the same bytes
    wherever its key and the salt are the same (see write.publish).

    Nothing a job refers to refers back to it, so a replaced plan is freed
    at once instead of waiting for the cyclic garbage collector (which
    took up to 200 ms of a preview rebuild at 4,000 events).
    """

    __slots__ = ("path", "_make", "_key_of", "_key", "_store", "salt")

    def __init__(self, path: str, make: Callable[[], bytes | Iterable[bytes]], key_of: Callable[[], str],
                 store: "Generations | None" = None, salt: str | None = None):
        self.path = path
        self.salt = salt
        self._make = make
        self._key_of = key_of
        self._key: str | None = None
        self._store = store

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = self._key_of()
        return self._key

    def make(self) -> bytes:
        if self._store is None:
            return _joined(self._make())
        data = self._store.get(self.key)
        if data is None:
            data = _joined(self._make())
            self._store.put(self.key, data)
        return data

    def chunks(self) -> Iterable[bytes]:
        """The bytes in the pieces they are made in (a data file comes as a
        Layout, an event at a time), for writing without holding the whole file."""
        made = self._make() if self._store is None else self.make()
        return (made,) if isinstance(made, bytes) else made

    def __repr__(self) -> str:
        return f"Job({self.path!r})"


def _joined(chunks: bytes | Iterable[bytes]) -> bytes:
    return chunks if isinstance(chunks, bytes) else b"".join(chunks)


class Plan(Mapping):
    """Every file of one site: path → Job, planned one part at a time.

    A build asks for every file, so every part gets planned. The preview
    asks for one page at a time, so a save costs only the check and the
    parts someone opens (each part is planned once per rebuild).
    Planners are handed the plan rather than holding it, so the plan and
    its jobs are freed as soon as a newer one replaces them.
    """

    def __init__(self, planners: dict[str, Callable[["Plan"], dict[str, Job]]]):
        self._planners = planners
        self._planned: dict[str, dict[str, Job]] = {}
        self._all: dict[str, Job] | None = None
        self._lock = threading.RLock()  # the preview's request threads share a plan

    def part(self, name: str) -> dict[str, Job]:
        with self._lock:
            jobs = self._planned.get(name)
            if jobs is None:
                jobs = self._planned[name] = self._planners[name](self)
            return jobs

    def everything(self) -> dict[str, Job]:
        with self._lock:
            if self._all is None:
                merged: dict[str, Job] = {}
                for name in self._planners:
                    merged.update(self.part(name))
                self._all = dict(sorted(merged.items()))
            return self._all

    def html_paths(self) -> list[str]:
        paths = []
        for name in self._planners:
            if name != "outputs":
                paths.extend(path for path in self.part(name) if path.endswith(".html"))
        return sorted(paths)

    def __getitem__(self, path: str) -> Job:
        return self.part(part_of(path))[path]

    def __contains__(self, path) -> bool:
        return isinstance(path, str) and path in self.part(part_of(path))

    def __iter__(self):
        return iter(self.everything())

    def __len__(self) -> int:
        return len(self.everything())


def part_of(path: str) -> str:
    """Which part of the plan a path of the site belongs to."""
    folder = path.split("/", 1)[0] if "/" in path else ""
    if path == "index.html" or folder == "years":
        return "timeline"
    if folder in ("events", "sources", "actors", "tags"):
        return folder
    if path in OUTPUT_FILES:
        return "outputs"
    return "other"


class Renderer:
    """Plans every of one site as a Job; `jobs` maps path → Job."""

    def __init__(self, site: Site, env: Environment | None = None, cache: FragmentCache | None = None,
                 with_outputs: bool = True, limit: int = EVENTS_PER_PAGE, markdown: Markdown | None = None):
        self.site = site
        self.markdown = markdown or Markdown()
        self.with_outputs = with_outputs
        self.limit = limit
        self.env = env or make_environment()
        self.cache = cache or FragmentCache()
        self.jobs: dict[str, Job] = {}  # filled by plan()
        self._store = self.cache.pages if self.cache.keep_pages else None
        events = site.events
        self.actors = Names((a for e in events for a in e.actors), "actors")
        self.tags = Names((t for e in events for t in e.tags), "tags")
        context = views_context(site, self.actors, self.tags)
        if context != self.cache.views_context:
            self.cache.views, self.cache.views_context = {}, context
        self.views = [event_view(e, site, self.actors, self.tags, self.markdown, self.cache) for e in events]

    def card(self, view: EventView, h: int = LIST_LEVEL, root: str = "", link_title: bool = True) -> Markup:
        """One event's card. As lists show it, it is rendered once, with a
        marker where the path to the site root goes, and reused on every list
        that shows the event, at any depth; escaped data cannot contain the
        marker (an HTML comment, which the sanitiser also strips)."""
        if (h, link_title) != (LIST_LEVEL, True):
            return Markup(self._card_html(view, h, root, link_title))
        html = self.cache.cards.get(view.fingerprint)
        if html is None:
            html = self._card_html(view, LIST_LEVEL, ROOT_MARK, True)
            self.cache.cards.put(view.fingerprint, html)
        return Markup(html.replace(ROOT_MARK, root))

    def _card_html(self, view: EventView, h: int, root: str, link_title: bool) -> str:
        macro = self.env.get_template("_event.html").module.event_card
        return str(macro(view, h, Markup(root), link_title))

    def file(self, source: Path, path: str) -> None:
        """A file copied as it is; its key is a digest of its content."""
        self.jobs[path] = Job(path, source.read_bytes, lambda: fingerprint(("file", source.read_bytes())))

    def page(self, path: str, template: str, memo: tuple, root: str | None = None,
             make=None, **context) -> None:
        """Plan one page. `memo` is everything the page shows beyond the
        site settings and the templates: the page's key is its digest.

        `make`, if given, returns more context; it runs only when the page is
        rendered, so a page made earlier costs no more than its memo.
        """
        root = _root_for(path) if root is None else root

        def render() -> bytes:
            more = make() if make is not None else {}  # not kept: the plan stays small
            return self._render_page(path, template, root, {**context, **more})

        self.jobs[path] = Job(path, render, lambda: self._page_key(path, template, root, memo), self._store)

    def _render_page(self, path: str, template: str, root: str, context: dict) -> bytes:
        canonical = self.site.info.base_url + path.removesuffix("index.html") if self.site.info.base_url else ""
        return self.env.get_template(template).render(
            site=self.site.info, root=root, path=path, canonical=canonical, card=self.card, **context
        ).encode("utf-8")

    def _page_key(self, path: str, template: str, root: str, memo: tuple) -> str:
        return fingerprint(("page", self._info, path, template, root, memo))

    @cached_property
    def _info(self) -> str:
        return fingerprint(self.site.info)  # once, not for each of thousands of pages

    def plan(self) -> "Plan":
        """Every file of the site, each part planned when first asked for."""
        self.cache.start()
        self.cache.finish()
        return Plan({
            "timeline": lambda plan: self._collect(self._timeline_pages),
            "events": lambda plan: self._collect(self._event_pages),
            "sources": lambda plan: self._collect(self._source_pages),
            "actors": lambda plan: self._collect(
                self._name_pages, "actors", self.actors, lambda e: e.actors, "Actors", "Events involving {}"),
            "tags": lambda plan: self._collect(
                self._name_pages, "tags", self.tags, lambda e: e.tags, "Topics", "Events tagged “{}”"),
            "other": lambda plan: self._collect(self._other_files),
            "outputs": self._outputs,
        })

    def render(self) -> dict[str, bytes]:
        """Every file made, in memory: for tests and small sites."""
        return {path: job.make() for path, job in self.plan().items()}

    def _collect(self, fill, *args) -> dict[str, Job]:
        """The jobs that `fill(*args)` plans (through page() and file())."""
        outer, self.jobs = self.jobs, {}
        try:
            fill(*args)
            return self.jobs
        finally:
            self.jobs = outer

    @cached_property
    def _timeline(self) -> tuple[Listing, dict, dict]:
        """The timeline cut into pages; each event's page in it; each month's page."""
        timeline = plan(self.views, "", sub="years/", limit=self.limit)
        return timeline, homes(timeline), month_pages(timeline)

    def _timeline_pages(self) -> None:
        site, views = self.site, self.views
        timeline, home, months = self._timeline
        filters = self._filters()
        figure = overview(site.events, lambda e: f"{home[e.id]}#ev-{e.id}", lambda y, m: months[(y, m)])
        if timeline.parts:
            # Cut into pages by year, the index shows the overview and the
            # parts' counts and dates, not the events: an edited title or
            # summary leaves it alone (it took 40 ms to make at 4,000 events).
            shown = (figure, tuple((p.path, p.label, len(p.views), p.span()) for p in timeline.parts))
        else:
            shown = (tuple(v.fingerprint for v in views), self._source_signature())
        self.page(
            "index.html", "index.html",
            memo=(shown, len(views), self.limit),
            make=lambda: {
                "years": () if timeline.parts else group_by_month(views),
                "jsonld": Markup(site_jsonld(site, with_items=not timeline.parts)),
            },
            listing=timeline, filters=filters, count=len(views), title=site.info.title, overview=figure,
        )
        if timeline.parts:
            self._listing_pages(timeline, "Timeline", [Link("Full timeline", "")], filters, skip_root=True)

    def _event_pages(self) -> None:
        # One small job per event, its context made only when it is needed:
        # with closures over each page's context the plan of 100,000 event
        # pages took 250 MB.
        for i, view in enumerate(self.views):
            path = f"events/{view.event.id}/index.html"
            self.jobs[path] = Job(path, partial(self._event_page, i), partial(self._event_page_key, i), self._store)

    def _event_neighbours(self, i: int) -> tuple[EventView, EventView | None, EventView | None, str]:
        views = self.views
        previous = views[i - 1] if i > 0 else None
        following = views[i + 1] if i + 1 < len(views) else None
        return views[i], previous, following, self._timeline[1][views[i].event.id]

    def _event_page_key(self, i: int) -> str:
        view, previous, following, home = self._event_neighbours(i)
        memo = (view.fingerprint, home, *((v.event.id, v.event.title) if v else None for v in (previous, following)))
        path = f"events/{view.event.id}/index.html"
        return self._page_key(path, "event.html", _root_for(path), memo)

    def _event_page(self, i: int) -> bytes:
        view, previous, following, home = self._event_neighbours(i)
        path = f"events/{view.event.id}/index.html"
        return self._render_page(path, "event.html", _root_for(path), {
            "view": view, "title": view.event.title, "previous": previous, "next": following, "home": home,
            "jsonld": Markup(event_jsonld(self.site, self.markdown, view.event)),
        })

    def _other_files(self) -> None:
        about = (PAGES / "about.md").read_text(encoding="utf-8")
        self.page("about/index.html", "page.html", memo=(about,), title="About this timeline",
                  body=self.markdown.html(about, page=True))
        # Hosts serve 404.html at any depth, so its links cannot be relative.
        self.page("404.html", "404.html", root=self.site.info.base_url or "/", memo=(), title="Page not found")
        for asset in sorted(STATIC.rglob("*")):
            if asset.is_file():
                self.file(asset, asset.relative_to(STATIC).as_posix())

    def _outputs(self, plan: "Plan") -> dict[str, Job]:
        """The feed, calendar and data files, each a job whose key covers the whole record."""
        if not self.with_outputs:
            return {}
        paths = plan.html_paths()
        site = self.site
        # What every data file shows besides its events: the site, the
        # sources and the build time (`shared`, in each file's salt). An
        # event's piece shows the event and, of its sources, what the view's
        # fingerprint covers; anything else of a source it takes from what
        # the salt covers. Pieces made by other code are never reused: a
        # stamp from other code is not read (stamp.read).
        shared = fingerprint(("outputs", site.info, tuple(sorted(self._source_digests.items())),
                              os.environ.get("SOURCE_DATE_EPOCH", "")))
        record = (shared, tuple(v.fingerprint for v in self.views), tuple(paths))
        keys = {view.event.id: view.fingerprint for view in self.views}
        digest = None

        def record_digest() -> str:
            nonlocal digest  # one digest of the whole record for all of them
            digest = digest or fingerprint(record)
            return digest

        def key_of(path: str) -> str:
            # Files that show less than the whole record are keyed by what they show,
            # so that an edit elsewhere leaves them alone.
            if path in ("robots.txt", "events.json.schema.json"):
                return fingerprint((path, shared))
            if path == "feed.xml":
                return fingerprint((path, shared, feed_memo(site, keys)))
            return fingerprint((path, record_digest()))

        return {path: Job(path, make, partial(key_of, path), self._store, salt=fingerprint((path, shared)))
                for path, make in output_makers(site, self.markdown, paths, event_keys=keys).items()}

    def _listing_pages(self, listing: Listing, title: str, up: list[Link], filters, skip_root: bool = False) -> None:
        """A page for every part of a cut list: links to its parts, or its events."""
        leaves = list(listing.leaves())
        position = {leaf.path: i for i, leaf in enumerate(leaves)}
        for node, parent in nodes(listing):
            if skip_root and parent is None:
                continue
            links = list(up)
            if parent is not None and parent.path and parent is not listing:
                links.insert(0, Link(parent.label, parent.path))
            elif parent is not None and parent.path:
                links.insert(0, Link(title, parent.path))
            at = position.get(node.path)
            earlier = leaves[at - 1] if at is not None and at > 0 else None
            later = leaves[at + 1] if at is not None and at + 1 < len(leaves) else None
            # A page of links to parts shows their counts and dates, not their events.
            shown = (tuple((p.path, p.label, len(p.views), p.span()) for p in node.parts) if node.parts
                     else tuple(v.fingerprint for v in node.views))
            self.page(
                f"{node.path}index.html", "list.html",
                memo=(title, len(node.views), node.span() if node.views else "", shown,
                      *((n.path, n.label) if n else None for n in (earlier, later)),
                      tuple((link.text, link.url) for link in links), filters is not None),
                make=lambda node=node: {"years": () if node.parts else group_by_month(node.views)},
                title=f"{title}: {node.label}" if node.label else title,
                listing=node, up=links, filters=filters, previous=earlier, next=later,
            )

    def _filters(self) -> dict:
        return {
            "actors": [Link(name, slug) for name, slug in sorted(self.actors.slugs.items())],
            "tags": [Link(name, slug) for name, slug in sorted(self.tags.slugs.items())],
            "sources": [Link(s.title, s.id) for s in sorted(self.site.sources.values(), key=lambda s: s.id)],
        }

    @cached_property
    def _source_digests(self) -> dict[str, str]:
        """Each source's digest (its text included), for keys: hashed once, not for every page."""
        return {source_id: fingerprint(source) for source_id, source in self.site.sources.items()}

    def _source_signature(self) -> tuple:
        return tuple((s.id, s.title, s.publisher) for s in sorted(self.site.sources.values(), key=lambda s: s.id))

    def _source_pages(self) -> None:
        cited_by: dict[str, list[tuple[EventView, Citation]]] = defaultdict(list)
        spans: dict[str, list[Citation]] = defaultdict(list)
        for view in self.views:
            seen = set()  # one entry per event and passage, however often it is quoted
            for citation in view.event.all_citations():
                spans[citation.source_id].append(citation)
                if (citation.source_id, citation.anchor) not in seen:
                    seen.add((citation.source_id, citation.anchor))
                    cited_by[citation.source_id].append((view, citation))
        sources = sorted(self.site.sources.values(), key=lambda s: s.id)
        for source in sources:
            uses = cited_by[source.id]
            archive_name = Path(source.file).name
            citations = spans[source.id]
            self.file(source.path, f"sources/{source.id}/{archive_name}")
            citing = list({v.event.id: v for v, _ in uses}.values())
            more = None  # the list of citing events, when too long for this page
            if len(citing) > self.limit:
                more = plan(citing, f"sources/{source.id}/cited-by/", limit=self.limit)
                self._listing_pages(more, f"Events citing “{source.title}”",
                                    [Link(source.title, f"sources/{source.id}/"), Link("All sources", "sources/")], None)
                uses = []
            self.page(
                f"sources/{source.id}/index.html", "source.html",
                # What the page shows of its citations: spans, not the Citations
                # (repr of every quote took a quarter of the time to plan and key).
                memo=(self._source_digests[source.id],
                      tuple((v.event.id, v.event.title, v.when, c.anchor) for v, c in uses),
                      sorted({(c.start, c.end) for c in citations}), more and (more.path, len(citing))),
                make=lambda source=source, citations=citations: {"paragraphs": source_paragraphs(source, citations)},
                source=source, title=source.title, cited_by=uses, archive_name=archive_name,
                more=more, citing=len(citing),
                # "./" and quoting: a file named "javascript:x.txt" must stay a relative link
                archive_href="./" + quote(archive_name),
                note_html=self.markdown.html(source.note) if source.note else NO_HTML,
            )
        counted = [(s, len({v.event.id for v, _ in cited_by[s.id]})) for s in sources]
        self.page("sources/index.html", "sources.html", memo=tuple((self._source_digests[s.id], n) for s, n in counted),
                  title="Sources", sources=counted)

    def _name_pages(self, kind: str, names: Names, of_event, heading: str, title_format: str) -> None:
        events_of: dict[str, list[EventView]] = defaultdict(list)
        for view in self.views:
            for name in of_event(view.event):
                events_of[name].append(view)
        up = [Link(f"All {heading.lower()}", f"{kind}/"), Link("Full timeline", "")]
        for name, slug in names.slugs.items():
            listing = plan(events_of[name], f"{kind}/{slug}/", limit=self.limit)
            self._listing_pages(listing, title_format.format(name), up, None)
        counted = [(Link(name, f"{kind}/{slug}/"), len(events_of[name]))
                   for name, slug in sorted(names.slugs.items(), key=lambda x: x[0].lower())]
        self.page(f"{kind}/index.html", "names.html", memo=(heading, tuple(counted)), title=heading, kind=kind,
                  names=counted)


def render_site(site: Site, env: Environment | None = None, cache: FragmentCache | None = None,
                with_outputs: bool = True) -> dict[str, bytes]:
    """Every file of the site, made in memory; pass `env` and `cache` to
    reuse work across builds. `with_outputs=False` leaves out the feed,
    calendar and data files (see `output_makers`)."""
    return Renderer(site, env, cache, with_outputs).render()
