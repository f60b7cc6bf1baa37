"""The rules of the events file, one module per part of it.

| part of the file | module |
| --- | --- |
| ``[site]`` | :mod:`.site` |
| ``[sources.<id>]`` and the archived documents they name | :mod:`.sources` |
| ``[[events]]``: ids, dates, names, durations | :mod:`.events` |
| ``[[events.citations]]`` and ``[[events.differences]]``: quotes in their sources | :mod:`.citations` |

Each rule reports to a :class:`~timeline.record.checking.ProblemCollector`
and returns what it could check; :func:`timeline.record.validate.validate`
calls them in the order of the file.
"""
