"""A new event's ``[[events]]`` table, ready to paste into events.toml.

The required texts are left empty on purpose: ``python build.py --check``
then names, with its line, each one still to be written (and the quote to
copy from the source), so a skeleton can never pass for a finished event.
"""
from __future__ import annotations

import datetime as dt
import json

from timeline.record.dates import DateError, parse_date
from timeline.record.validate import ID_PATTERN


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string, except for the escapes
    # TOML lacks: json.dumps writes only \" \\ \n \r \t \b \f and \uXXXX.
    return json.dumps(value, ensure_ascii=False)


def _date_value(date: str) -> str:
    """The date as TOML: a string for an EDTF date ("2022-03", "2025-05~", "2022-04/2022-11"); a bare offset date-time."""
    text = date.strip()
    try:
        parse_date(text)
        return _toml_string(text)
    except DateError as error:
        refusal = error
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise refusal from None
    parse_date(moment)  # raises DateError (a ValueError) without an offset
    return moment.isoformat()


def new_event_text(event_id: str, date: str, source_id: str) -> str:
    """A commented ``[[events]]`` table with one citation of `source_id`.

    Raises ValueError for an id or source id that is not lowercase letters,
    digits and single hyphens, or a date in none of the accepted forms.
    """
    for what, value in (("event id", event_id), ("source id", source_id)):
        if not ID_PATTERN.fullmatch(value):
            raise ValueError(f"{what} {value!r} must be lowercase letters, digits and single hyphens")
    date_value = _date_value(date)
    rows = [
        ("[[events]]", ""),
        (f'id = "{event_id}"', f"the permalink: /events/{event_id}/"),
        (f"date = {date_value}", 'EDTF, only as precise as you know: "2022", "2022-03", "2022-21" (spring), '
                                 '"2025-05~" (approximate), "2026-02?" (uncertain), "2022-04/2022-11"'),
        ('# end = 2026-02-17T16:00:00+01:00', "when date is a moment: the moment it ended"),
        ('# date_note = ""', "needed when no quote states the year: how the date was established"),
        ('title = ""', "plain text: what happened, in a few words"),
        ('summary = """', "Markdown, in your own words, saying no more than the quotes support; end each "
                          "sentence with the markers of its citations below: [^1], [^2]"),
        ('"""', ""),
        ('# place = ""', ""),
        ('# actors = ["Russia", "Ukraine"]', ""),
        ('# tags = ["talks"]', ""),
        ('# duration = "1h30m"', 'only as a source states it: "6h", "45m", "1h30m"'),
        ('# editor_note = ""', "Markdown: an addition by the editors, shown as such"),
        ("", ""),
        ("  [[events.citations]]", "at least one; repeat the table for more"),
        (f'  source = "{source_id}"', ""),
        ('  quote = ""', "copy the passage exactly from the source"),
        ("", ""),
        ("  # A fact two documents disagree on (not two wordings, nor one document's slip):", ""),
        ("  # [[events.differences]]", ""),
        ('  # about = ""', ""),
        ("  #", ""),
        ("  #   [[events.differences.versions]]", ""),
        ('  #   claim = ""', ""),
        (f'  #   source = "{source_id}"', ""),
        ('  #   quote = ""', ""),
        ("  #", ""),
        ("  #   [[events.differences.versions]]", ""),
        ('  #   claim = ""', ""),
        ('  #   source = ""', ""),
        ('  #   quote = ""', ""),
    ]
    width = max(len(code) for code, comment in rows if comment) + 2
    lines = []
    for code, comment in rows:
        # A comment cannot follow `summary = """` on its line (it would be
        # part of the string), so that one goes on the line above.
        if code == 'summary = """':
            lines.append(f"# {comment}")
            lines.append(code)
        elif comment:
            lines.append(f"{code:<{width}}# {comment}")
        else:
            lines.append(code)
    return "\n".join(lines) + "\n"
