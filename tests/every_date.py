"""A record with one event for every date form the format reads, for the
tests of the whole pipeline (tests/test_dates_site.py) and the HTML checker
(tests/test_vnu.py). Each event: (id, the value of `date` as TOML, the
words every page shows, the <time datetime> values)."""
from __future__ import annotations

from pathlib import Path

BAD = Path(__file__).resolve().parent / "bad"

# In file order; ties of the sort keep it (month before season, interval
# before from-unknown, before before until-unknown).
FORMS = [
    ("decade", '"202X"', "the 2020s", []),
    ("year", '"2022"', "2022", ["2022"]),
    ("month", '"2022-03"', "March 2022", ["2022-03"]),
    ("season", '"2022-21"', "spring 2022", ["2022"]),
    ("moment", "2022-03-29T15:00:00+03:00\nend = 2022-03-29T17:00:00+03:00", "29 March 2022", ["2022-03-29T15:00:00+03:00"]),
    ("day", "2022-03-29", "29 March 2022", ["2022-03-29"]),
    ("interval", '"2022-04/2022-11"', "between April and November 2022", ["2022-04", "2022-11"]),
    ("from-unknown", '"2022-04/"', "from April 2022, end unknown", ["2022-04"]),
    ("winter", '"2022-24"', "winter 2022–23", []),
    ("before", '"../2022-12"', "before December 2022", ["2022-12"]),
    ("until-unknown", '"/2022-12"', "until December 2022, start unknown", ["2022-12"]),
    ("unspecified-month", '"2023-XX"', "2023", ["2023"]),
    ("both", '"2024-03-04%"', "4 March 2024 (approximate and uncertain)", ["2024-03-04"]),
    ("days", '"2025-05-13/2025-05-16"', "13–16 May 2025", ["2025-05-13", "2025-05-16"]),
    ("approximate", '"2025-05~"', "c. May 2025", ["2025-05"]),
    ("after", '"2025-07/.."', "after July 2025", ["2025-07"]),
    ("uncertain", '"2026-02?"', "February 2026 (uncertain)", ["2026-02"]),
]
# By the earliest day each allows (an open or unknown start by its end,
# before what starts that day), ties in file order.
ORDER = ["decade", "year", "month", "season", "day", "moment", "interval", "from-unknown", "before",
         "until-unknown", "winter", "unspecified-month", "both", "approximate", "days", "after", "uncertain"]
INTERVALS = {"interval", "from-unknown", "before", "until-unknown", "days", "after"}
QUALIFIED = {"both", "approximate", "uncertain"}
IN_CALENDAR = {"moment", "day", "days"}

HEAD = '''[site]
title = "Every date form"
description = "One event for each way of writing a date."

[sources.sample]
title = "Sample document"
file = "sources/sample.txt"
kind = "news report"
'''


def event_table(event_id: str, date: str) -> str:
    return f'''
[[events]]
id = "{event_id}"
date = {date}
date_note = "The editors date it so, for the test."
title = "The {event_id} event"
summary = "Something happened."

  [[events.citations]]
  source = "sample"
  quote = "In 2022 the two delegations met in Istanbul."
'''


def every_date_project(root: Path) -> Path:
    """A project holding the record; the path of its events.toml."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / "sample.txt").write_bytes((BAD / "sources" / "sample.txt").read_bytes())
    path = root / "events.toml"
    path.write_text(HEAD + "".join(event_table(i, d) for i, d, _, _ in FORMS), encoding="utf-8")
    return path
