"""The site: which pages and files there are, and what each one shows.

| module | what |
| --- | --- |
| :mod:`.urls` | every path and URL, made in one place |
| :mod:`.views` | events as pages show them, grouped by month |
| :mod:`.listing` | long lists cut into years, months and numbered pages |
| :mod:`.overview` | the overview figure |
| :mod:`.pages` | a page as a job, keyed by the context it shows |
| :mod:`.plan` | every page and file of the site, one function per kind |
| :mod:`.jobs` | the table of jobs, planned part by part |
| :mod:`.fragments` | views, cards and pages kept for the next build |
"""
