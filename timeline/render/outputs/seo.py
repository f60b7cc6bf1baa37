"""For search engines: ``sitemap.xml``, ``robots.txt`` and JSON-LD.

- ``sitemap.xml`` lists every HTML page but 404.html. The sitemap protocol
  (sitemaps.org) requires absolute URLs, so it is written **only when the
  site has a base_url**; without one there is no sitemap (and no
  ``Sitemap:`` line in robots.txt). A page ``x/index.html`` is listed as its
  folder URL ``x/``, as the site links to it. No ``lastmod``: the record has
  no honest modification dates.
- ``robots.txt`` allows everything. Crawlers read it only at the root of a
  host, so it does nothing when the site is published under a sub-path.
- :func:`event_jsonld` and :func:`site_jsonld` return schema.org JSON-LD
  for a ``<script type="application/ld+json">`` element. ``<``, ``>`` and
  ``&`` (and U+2028/U+2029) are written as ``\\u`` escapes, so no value can
  close the script element or open a comment, whatever the data holds.
"""
from __future__ import annotations

import json

from timeline.record.model import Event, Site
from timeline.render.markdown import Markdown
from timeline.render.notes import words_of
from timeline.render.outputs import xml_safe
from timeline.site import urls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}




def render_sitemap(site: Site, html_paths: list[str]) -> bytes | None:
    if not site.info.base_url:
        return None
    import xml.etree.ElementTree as ET  # here: most builds do not make the sitemap

    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for path in sorted(set(html_paths)):
        if path.endswith(".html") and path != urls.NOT_FOUND:
            ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = xml_safe(site.info.base_url + urls.url_of(path))
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def render_robots(site: Site) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if site.info.base_url:
        lines += ["", f"Sitemap: {site.info.base_url}sitemap.xml"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def script_json(data: dict) -> str:
    """JSON that is safe as the text of a <script> element."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_SAFE)


def _absolute(site: Site, url: str) -> str | None:
    """`url` made absolute; None where the site has no base_url, for fields that need an absolute one."""
    return urls.absolute(site.info.base_url, url) if site.info.base_url else None


# schema.org's types for the kinds of source (the rest are CreativeWork).
WORK_TYPES = {"news report": "ReportageNewsArticle", "analysis": "AnalysisNewsArticle",
              "opinion": "OpinionNewsArticle"}


def _dates(event: Event) -> dict:
    """startDate and endDate as ISO 8601 values only as precise as known: an
    approximate or uncertain end, an open or unknown one, or one no ISO
    value holds (a decade) is left out; a season gives its year."""
    date = event.date
    ends = {"startDate": date.lower, "endDate": event.end or (date.upper if date.interval else None)}
    return {key: point.iso() for key, point in ends.items() if point and not point.qualifier and point.iso()}


def event_data(site: Site, markdown: Markdown, event: Event, modified: str = "") -> dict:
    """A schema.org Event; dates only as precise as the data ("2025-05").
    `modified` is when the event's entry last changed (site.changes.modified)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        **_dates(event),
        "description": words_of(markdown, event.summary),
    }
    if event.place:
        data["location"] = {"@type": "Place", "name": event.place}
    if url := _absolute(site, urls.event(event.id)):
        data["url"] = url
        data["@id"] = url
    cited = []
    for source_id in dict.fromkeys(c.source_id for c in event.all_citations()):  # first-cited order, once each
        source = site.sources[source_id]
        work: dict = {"@type": WORK_TYPES.get(source.kind, "CreativeWork"), "name": source.title}
        if url := _absolute(site, urls.source(source.id)):
            work["url"] = url
        if source.url:
            work["sameAs"] = source.url
        if source.publisher:
            work["publisher"] = {"@type": "Organization", "name": source.publisher}
        cited.append(work)
    data["citation"] = cited
    if event.corrections or modified:
        data["mainEntityOfPage"] = _page_data(site, markdown, event, modified)
    return data


def _page_data(site: Site, markdown: Markdown, event: Event, modified: str) -> dict:
    """The event's page, which carries its corrections and when it last
    changed: schema.org gives `correction` and `dateModified` to a
    CreativeWork such as a page, not to an Event."""
    page: dict = {"@type": "WebPage"}
    if url := _absolute(site, urls.event(event.id)):
        page["url"] = url
    if modified:
        page["dateModified"] = modified
    if event.corrections:
        page["correction"] = [{"@type": "CorrectionComment", "datePublished": c.date.isoformat(),
                               "text": words_of(markdown, c.note)} for c in event.corrections]
    return page


def event_jsonld(site: Site, markdown: Markdown, event: Event, modified: str = "") -> str:
    return script_json(event_data(site, markdown, event, modified))


def site_data(site: Site, with_items: bool = True) -> dict:
    """The WebSite and the list of its events, in date order.

    `with_items=False` leaves the list out, for an index that is cut into
    pages by year and so does not list the events itself."""
    info = site.info
    website: dict = {"@type": "WebSite", "name": info.title, "inLanguage": info.language}
    if info.description:
        website["description"] = info.description
    items = []
    for position, event in enumerate(site.events if with_items else (), start=1):
        item: dict = {"@type": "ListItem", "position": position, "name": event.title}
        if url := _absolute(site, urls.event(event.id)):
            item["url"] = url
        items.append(item)
    item_list: dict = {"@type": "ItemList", "name": info.title, "numberOfItems": len(items), "itemListElement": items}
    if info.base_url:
        website["url"] = info.base_url
        website["@id"] = info.base_url
        item_list["url"] = info.base_url
    graph = [website, item_list] if with_items else [website]
    return {"@context": "https://schema.org", "@graph": graph}


def site_jsonld(site: Site, with_items: bool = True) -> str:
    return script_json(site_data(site, with_items))
