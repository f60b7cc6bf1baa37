"""Istanbul Talks Timeline: a sourced, static timeline site generator.

The data flows one way, and each step has its folder:

    events.toml ─ record/ ─▶ Site (the checked model, or every Problem found)
                ─ site/   ─▶ Plan (every page and file as a job, keyed by what it shows)
                ─ render/ ─▶ bytes (templates, Markdown, the machine-readable outputs)
                ─ publish/ ▶ public/ (the only code that writes there)

commands/ runs the steps (build, check, the preview, new-event); speed/
keeps what one build hands to the next (the build cache, the stamp) and
shares the making of files between two processes. config.py says where the
project's own files are, errors.py what a problem with the input is.
"""
