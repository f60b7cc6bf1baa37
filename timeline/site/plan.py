"""The site's plan: every page and file, as jobs, one function per kind of page.

Planning (which files, with what context) is cheap; making a file's bytes
is the work. Keeping the two apart lets a build write each file as soon as
it is made (memory stays flat however large the record), lets it share the
making between processes, and lets the preview make only the pages someone
opens.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import replace
from functools import partial
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from timeline.config import PAGES, STATIC
from timeline.record.model import Site
from timeline.render.markdown import Markdown
from timeline.render.outputs import EventHtml, output_makers
from timeline.render.outputs.feed import corrections_memo, feed_memo
from timeline.render.outputs.seo import event_jsonld, site_jsonld
from timeline.render.templates import render_fragment
from timeline.site import urls
from timeline.site.changes import correction_entries, history_view, modified
from timeline.site.fragments import FragmentCache
from timeline.site.jobs import Job, Plan
from timeline.site.listing import EVENTS_PER_PAGE, Listing, homes, month_pages, nodes, plan
from timeline.site.overview import overview
from timeline.site.pages import Pages
from timeline.site.views import (
    Citing,
    EventView,
    Link,
    Names,
    citing_sentences,
    fingerprint,
    group_by_month,
    source_paragraphs,
)

Jobs = dict[str, Job]


def plan_site(site: Site, env: Environment | None = None, fragments: FragmentCache | None = None,
              markdown: Markdown | None = None, with_outputs: bool = True, limit: int = EVENTS_PER_PAGE,
              preview: bool = False) -> Plan:
    """Every file of the site, each part planned when first asked for.
    `with_outputs=False` leaves out the feed, calendar and data files;
    `preview` marks the events changed since the last commit."""
    pages = Pages(site, env, fragments, markdown, limit, preview)
    pages.fragments.start()
    pages.fragments.finish()
    timeline = plan(pages.views, urls.HOME, sub=urls.YEARS, limit=limit)
    return Plan({
        "timeline": lambda _: timeline_pages(pages, timeline),
        "events": lambda _: event_pages(pages, homes(timeline)),
        "corrections": lambda _: corrections_page(pages),
        "sources": lambda _: source_pages(pages),
        "actors": lambda _: name_pages(pages, pages.actors, lambda e: e.actors, "Actors", "Events involving {}"),
        "tags": lambda _: name_pages(pages, pages.tags, lambda e: e.tags, "Topics", "Events tagged “{}”"),
        "other": lambda _: other_files(pages),
        "outputs": (lambda plan: output_files(pages, plan.html_paths())) if with_outputs else (lambda _: {}),
    })


def render_site(site: Site, *args, **kwargs) -> dict[str, bytes]:
    """Every file of the site, made in memory (for tests and small sites); plan_site's arguments."""
    return {path: job.make() for path, job in plan_site(site, *args, **kwargs).items()}


def _with_years(context: dict) -> dict:
    """A list page's events by year and month, unless it links to its parts instead."""
    listing = context["listing"]
    return {"years": () if listing.parts else group_by_month(listing.views)}


def timeline_pages(pages: Pages, timeline: Listing) -> Jobs:
    """The home page, and the timeline's pages by year when it is cut."""
    site, filters = pages.site, _filters(pages)
    home, months = homes(timeline), month_pages(timeline)
    figure = overview(site.events, lambda e: urls.on_list(home[e.id], e.id), lambda y, m: months[(y, m)])

    def derive(context: dict) -> dict:
        with_items = not context["listing"].parts
        return {**_with_years(context), "jsonld": Markup(site_jsonld(site, with_items=with_items))}

    context = {"title": site.info.title, "listing": timeline, "filters": filters, "count": len(pages.views),
               "overview": figure}
    jobs = {"index.html": pages.page("index.html", "index.html", context, derive)}
    if timeline.parts:
        jobs.update(listing_pages(pages, timeline, "Timeline", [Link("Full timeline", urls.HOME)], filters,
                                  skip_root=True))
    return jobs


def event_pages(pages: Pages, home: dict[str, str]) -> Jobs:
    """A page per event, its context made only when needed: made ahead, the
    contexts of 100,000 event pages would all be held at once."""
    context_of = partial(_event_context, pages.views, home, pages.site)
    jsonld = partial(_event_jsonld, pages)
    jobs = {}
    for i, view in enumerate(pages.views):
        path = urls.file_of(view.url)
        jobs[path] = pages.lazy_page(path, "event.html", context_of, i, jsonld)
    return jobs


def _event_context(views: list[EventView], home: dict[str, str], site: Site, i: int) -> dict:
    view = views[i]
    previous = views[i - 1] if i > 0 else None
    following = views[i + 1] if i + 1 < len(views) else None
    return {"view": view, "title": view.event.title, "home": urls.on_list(home[view.event.id], view.event.id),
            "previous": Link(previous.event.title, previous.url) if previous else None,
            "next": Link(following.event.title, following.url) if following else None,
            "history": history_view(site.history, view.event.id, site.info.commit_url),
            "modified": modified(view.event, site.history)}


def _event_jsonld(pages: Pages, context: dict) -> dict:
    return {"jsonld": Markup(event_jsonld(pages.site, pages.markdown, context["view"].event, context["modified"]))}


def corrections_page(pages: Pages) -> Jobs:
    """Every correction, newest first, with a link to its feed."""
    path = urls.file_of(urls.CORRECTIONS)
    context = {"title": "Corrections", "entries": correction_entries(pages.views)}
    return {path: pages.page(path, "corrections.html", context)}


def listing_pages(pages: Pages, listing: Listing, title: str, up: list[Link], filters: dict | None,
                  skip_root: bool = False) -> Jobs:
    """A page for every part of a cut list: links to its parts, or its events."""
    leaves = list(listing.leaves())
    position = {leaf.path: i for i, leaf in enumerate(leaves)}
    jobs = {}
    for node, parent in nodes(listing):
        if skip_root and parent is None:
            continue
        links = list(up)
        if parent is not None and parent.path:
            links.insert(0, Link(parent.label if parent is not listing else title, parent.path))
        at = position.get(node.path)
        earlier = leaves[at - 1] if at is not None and at > 0 else None
        later = leaves[at + 1] if at is not None and at + 1 < len(leaves) else None
        context = {"title": f"{title}: {node.label}" if node.label else title, "listing": node, "up": links,
                   "filters": filters, "previous": Link(earlier.label, earlier.path) if earlier else None,
                   "next": Link(later.label, later.path) if later else None}
        path = urls.file_of(node.path)
        jobs[path] = pages.page(path, "list.html", context, _with_years)
    return jobs


def _filters(pages: Pages) -> dict:
    return {
        "actors": [Link(name, slug) for name, slug in sorted(pages.actors.slugs.items())],
        "tags": [Link(name, slug) for name, slug in sorted(pages.tags.slugs.items())],
        "sources": [Link(s.title, s.id) for s in sorted(pages.site.sources.values(), key=lambda s: s.id)],
    }


def name_pages(pages: Pages, names: Names, of_event, heading: str, title_format: str) -> Jobs:
    """Each actor's or topic's list of events, and the index of them all."""
    events_of: dict[str, list[EventView]] = defaultdict(list)
    for view in pages.views:
        for name in of_event(view.event):
            events_of[name].append(view)
    up = [Link(f"All {heading.lower()}", urls.names(names.kind)), Link("Full timeline", urls.HOME)]
    jobs = {}
    for name, slug in names.slugs.items():
        listing = plan(events_of[name], urls.name(names.kind, slug), limit=pages.limit)
        jobs.update(listing_pages(pages, listing, title_format.format(name), up, None))
    counted = [(names.links[name], len(events_of[name])) for name in sorted(names.slugs, key=str.lower)]
    path = urls.file_of(urls.names(names.kind))
    context = {"title": heading, "kind": names.kind, "names": counted}
    jobs[path] = pages.page(path, "names.html", context)
    return jobs


def source_pages(pages: Pages) -> Jobs:
    """Each archived document, its page with the quoted passages marked, and the index of them."""
    cited_by: dict[str, dict[str, Citing]] = defaultdict(dict)  # one entry per event and passage
    spans: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for view in pages.views:
        for citation in view.event.all_citations():
            spans[citation.source_id].add((citation.start, citation.end))
            cited_by[citation.source_id].setdefault(f"{view.event.id} {citation.anchor}", Citing(
                view.url, view.event.title, view.when, citation.anchor, view.event.id))
    jobs = {}
    sources = sorted(pages.site.sources.values(), key=lambda s: s.id)
    views = {view.event.id: view for view in pages.views}
    for source in sources:
        jobs.update(_source_page(pages, source, list(cited_by[source.id].values()), sorted(spans[source.id]), views))
    counted = [(s, len({c.event_id for c in cited_by[s.id].values()})) for s in sources]
    path = urls.file_of(urls.SOURCES)
    jobs[path] = pages.page(path, "sources.html", {"title": "Sources", "sources": counted})
    return jobs


def _source_page(pages: Pages, source, uses: list[Citing], spans: list[tuple[int, int]],
                 views: dict[str, EventView]) -> Jobs:
    archive_name = Path(source.file).name
    jobs = {urls.archive(source.id, archive_name): pages.file(source.path, urls.archive(source.id, archive_name))}
    citing = list(dict.fromkeys(c.event_id for c in uses))
    more = None  # the list of citing events, when too long for this page
    if len(citing) > pages.limit:
        listing = plan([views[event_id] for event_id in citing], urls.cited_by(source.id), limit=pages.limit)
        up = [Link(source.title, urls.source(source.id)), Link("All sources", urls.SOURCES)]
        jobs.update(listing_pages(pages, listing, f"Events citing “{source.title}”", up, None))
        more, uses = listing.path, []
    uses = [replace(c, sentences=citing_sentences(views[c.event_id].event, source.id, c.anchor, pages.markdown))
            for c in uses]
    context = {"source": source, "title": source.title, "cited_by": uses, "archive_name": archive_name,
               "archive_href": urls.archive_link(archive_name), "more": more, "citing": len(citing),
               "note_html": pages.markdown.html(source.note) if source.note else Markup(""), "spans": spans}
    path = urls.file_of(urls.source(source.id))
    jobs[path] = pages.page(path, "source.html", context,
                            lambda c: {"paragraphs": source_paragraphs(c["source"], c["spans"])})
    return jobs


def other_files(pages: Pages) -> Jobs:
    """The about page, the page for a missing address, and the static files."""
    about = (PAGES / "about.md").read_text(encoding="utf-8")
    path = urls.file_of(urls.ABOUT)
    context = {"title": "About this timeline", "body": pages.markdown.html(about, page=True)}
    jobs = {path: pages.page(path, "page.html", context)}
    # Hosts serve 404.html at any depth, so its links cannot be relative.
    jobs[urls.NOT_FOUND] = pages.page(urls.NOT_FOUND, "404.html", {"title": "Page not found"},
                                      root=pages.site.info.base_url or "/")
    for asset in sorted(STATIC.rglob("*")):
        if asset.is_file():
            path = asset.relative_to(STATIC).as_posix()
            jobs[path] = pages.file(asset, path)
    return jobs


def output_files(pages: Pages, html_paths: list[str]) -> Jobs:
    """The feed, calendar and data files, each keyed by what it shows.

    What every data file shows besides its events: the site, the sources
    and the build time (`shared`, in each file's salt). An event's piece
    shows the event and, of its sources, what the view's fingerprint
    covers; the rest of a source is in the salt. Pieces made by other code
    are never reused: a stamp from other code is not read (speed.stamp)."""
    site, views = pages.site, pages.views
    sources = tuple(sorted((source_id, fingerprint(source)) for source_id, source in site.sources.items()))
    shared = fingerprint(("outputs", site.info, sources, os.environ.get("SOURCE_DATE_EPOCH", "")))
    keys = {view.event.id: view.fingerprint for view in views}
    record = fingerprint((shared, tuple(v.fingerprint for v in views), tuple(html_paths)))

    def key_of(path: str) -> str:
        # Files that show less than the whole record are keyed by what they show,
        # so that an edit elsewhere leaves them alone.
        if path in ("robots.txt", "events.json.schema.json"):
            return fingerprint((path, shared))
        if path == urls.FEED:
            return fingerprint((path, shared, feed_memo(site, keys)))
        if path == urls.CORRECTIONS_FEED:
            return fingerprint((path, shared, corrections_memo(site)))
        return fingerprint((path, record))

    makers = output_makers(site, pages.markdown, event_html(pages), html_paths, event_keys=keys)
    return {path: Job(path, make, partial(key_of, path), pages.store, salt=fingerprint((path, shared)))
            for path, make in makers.items()}


def event_html(pages: Pages) -> EventHtml:
    """An event as the feed and the TimelineJS slides show it, made by the
    templates' own pieces; links are absolute where the site has a base_url."""
    views = {view.event.id: view for view in pages.views}
    root = pages.site.info.base_url
    return lambda event, show_when: render_fragment(pages.env, views[event.id], root, show_when)


def render_outputs(site: Site, html_paths: list[str], environ: dict | None = None) -> dict[str, bytes]:
    """Every machine-readable file, made in memory (for tests): {path: bytes}."""
    pages = Pages(site)
    makers = output_makers(site, pages.markdown, event_html(pages), html_paths, environ)
    return {path: b"".join(make()) for path, make in makers.items()}
