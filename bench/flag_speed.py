"""Flagging speed: the engine behind ``warwatch classify`` against the naive regex
baseline, on the same text, in one process (process start excluded).

    python -m bench.flag_speed [--megabytes 20] [--rounds 3]    (from the repository root)

Text: every distinct statement in the two replays (state.gov press releases and
whitehouse.gov briefing room, 2021-22: the official text warwatch mostly reads), then the
corpus's news pages, extracted once; repeated until it reaches --megabytes. Each document
is classified on its own, as the pipeline does. Target (issue 4): >= 20 MB/s.
"""

from __future__ import annotations

import argparse
import re
import tarfile

import lxml.html

from bench.common import interleaved, shared_dir
from warwatch.flagging.engine import FlagEngine
from warwatch.normalize import clean_text

NAIVE = re.compile(r"war crime|genocide|crimes against humanity|ICC|investigat", re.IGNORECASE)


def replay_texts() -> list[str]:
    import feedparser

    seen: set[str] = set()
    texts = []
    for name in ("state.gov-press-releases", "whitehouse.gov-briefing-room"):
        with tarfile.open(shared_dir("replay", name, "captures.tar.xz")) as archive:
            for member in archive:
                if not member.isfile():
                    continue
                body = archive.extractfile(member).read()  # type: ignore[union-attr]
                for entry in feedparser.parse(body).entries:
                    html = (entry.get("content") or [{}])[0].get("value", "")
                    if html and html not in seen:
                        seen.add(html)
                        texts.append(clean_text(lxml.html.fromstring(html).text_content()))
    return texts


def page_texts() -> list[str]:
    from warwatch.extract import extract_page

    texts = []
    for path in sorted(shared_dir("corpus").glob("*/*.html")):
        if ".expected" not in path.name:
            texts.append(clean_text(extract_page(path.read_bytes(), "https://x/").text))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = replay_texts() + page_texts()
    size = sum(len(t.encode()) for t in base)
    documents = base * max(1, round(args.megabytes * 1e6 / size))
    megabytes = sum(len(t.encode()) for t in documents) / 1e6
    engine = FlagEngine.from_directory()
    engine.classify("warm up: war crimes.", "en")
    engine.detect("warm up")

    def ours() -> int:
        return sum(len(engine.classify(text, "en").matches) for text in documents)

    def ours_detecting() -> int:
        return sum(len(engine.classify(text).matches) for text in documents)

    def naive() -> int:
        return sum(1 for text in documents for _ in NAIVE.finditer(text))

    times = interleaved(
        {
            "warwatch engine (language given)": ours,
            "warwatch engine (language detected)": ours_detecting,
            "naive regex": naive,
        },
        args.rounds,
    )
    print(f"{len(base)} distinct documents ({size / 1e6:.1f} MB), repeated to {megabytes:.1f} MB\n")
    print(f"| engine | MB/s (best of {args.rounds}) |\n|---|---|")
    for name, runs in times.items():
        print(f"| {name} | {megabytes / min(runs):.1f} |")


if __name__ == "__main__":
    main()
