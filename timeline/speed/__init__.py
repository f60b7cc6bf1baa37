"""What makes builds after the first fast, and the first use both cores.

Each piece is kept because a measurement shows it pays (docs/performance.md).

| module | what |
| --- | --- |
| :mod:`.stamp` | the last build's inputs and files: a build with nothing to do stops at once |
| :mod:`.cache` | the build cache, one object handed to each step |
| :mod:`.pickled` | its files on disk, checked by a checksum |
| :mod:`.pool` | the files of a build made by two processes |
| :mod:`.collector` | the garbage collector kept out of a build's way |
"""
