"""Deterministic synthetic records in the project's exact events.toml format."""
from __future__ import annotations

import random
from pathlib import Path

WORDS = ("negotiation delegation ceasefire prisoners exchange ministers talks summit proposal "
         "sanctions ultimatum statement envoy treaty border corridor humanitarian security guarantee "
         "mediator palace session round agenda demand withdrawal region offer response meeting").split()
ACTORS = ["Russia", "Ukraine", "Turkey", "United States", "France", "Germany", "Poland", "European Union"]
TAGS = ["talks", "ceasefire", "prisoners", "sanctions", "statement", "demands", "military"]
SOURCES = 20


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def write_record(folder: Path, n_events: int, seed: int = 1) -> Path:
    """Write events.toml and its source files into `folder`; return the events path."""
    rng = random.Random(seed)
    sources_dir = folder / "site_src" / "sources"
    sources_dir.mkdir(parents=True, exist_ok=True)
    texts = []
    for s in range(SOURCES):
        paragraphs = ["\n".join(sentence(rng, rng.randint(12, 30)) for _ in range(4)) for _ in range(60)]
        text = f"Synthetic report {s}\n\n" + "\n\n".join(paragraphs) + "\n"
        (sources_dir / f"{s:03d}.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    out = ['[site]\ntitle = "Synthetic timeline"\ndescription = "Benchmark data."\ncite_every_sentence = true\n']
    for s in range(SOURCES):
        kind = ("news report", "analysis")[s % 2]
        out.append(f'[sources.s{s:03d}]\ntitle = "Synthetic report {s}"\nkind = "{kind}"\n'
                   f'file = "site_src/sources/{s:03d}.txt"\n')
    for i in range(n_events):
        year = 2000 + i * 25 // max(n_events, 1)
        month, day = i % 12 + 1, i % 28 + 1
        # Half the dates use EDTF's other forms (two in five of the shipped record do).
        date = (f'"{year}"', f'"{year}-{month:02d}"', f"{year}-{month:02d}-{day:02d}",
                f"{year}-{month:02d}-{day:02d}T{i % 24:02d}:00:00+03:00", f'"{year}-{month:02d}~"',
                f'"{year}-{i % 3 + 21}"', f'"{year}-{month:02d}-{day:02d}?"',
                f'"{year}-{month:02d}/{year + 1}-{month:02d}"')[i % 8]
        cited = rng.randint(1, 3)
        # About 100 words; each sentence cites one passage, and every passage is cited.
        sentences = [sentence(rng, 20) for _ in range(5)]
        markers = [f"[^{k % cited + 1}]" for k in range(5)]
        if i % 3 == 0:
            sentences[-1] = sentences[-1][:-1] + "*, with [a link](https://example.org/) and **emphasis**."
            sentences[0] = "*" + sentences[0]
        summary = " ".join(s + m for s, m in zip(sentences, markers))
        actors = ", ".join(f'"{a}"' for a in rng.sample(ACTORS, 2))
        tags = ", ".join(f'"{t}"' for t in rng.sample(TAGS, 2))
        lines = [
            "[[events]]", f'id = "event-{i:06d}"', f"date = {date}",
            f'date_note = "Synthetic date {i}."', f'title = "Synthetic event {i}: {rng.choice(WORDS)}"',
            f'summary = """\n{summary}\n"""', f"actors = [{actors}]", f"tags = [{tags}]",
        ]
        for _ in range(cited):
            s = rng.randrange(SOURCES)
            text_words = texts[s].split()
            start = rng.randrange(4, len(text_words) - 12)
            quote = " ".join(text_words[start:start + rng.randint(5, 10)])
            lines += ["  [[events.citations]]", f'  source = "s{s:03d}"', f'  quote = "{quote}"']
        out.append("\n".join(lines) + "\n")
    events = folder / "events.toml"
    events.write_text("\n".join(out), encoding="utf-8")
    return events
