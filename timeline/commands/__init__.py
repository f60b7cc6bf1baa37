"""What `python build.py` runs: each command is the pipeline's steps, in order.

| module | command |
| --- | --- |
| :mod:`.check` | `--check`: load and validate |
| :mod:`.build` | a build: check, plan, render and publish, then remember |
| :mod:`.preview`, :mod:`.watch`, :mod:`.serve` | `--serve`: rebuild on every save, serve from memory |
| :mod:`.new_event` | `new-event`: a commented event to fill in |
"""
