"""Bytes from the planned site: pure, so the same site always gives the same files.

| module | what |
| --- | --- |
| :mod:`.templates` | the Jinja environment; a template's mistake as a problem at its line |
| :mod:`.markdown` | Markdown to sanitised HTML |
| :mod:`.text` | plain words: text of HTML, slugs, durations |
| :mod:`.outputs` | the feed, calendar, data files, JSON-LD and sitemap |
"""
