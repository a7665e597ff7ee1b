"""Flagging quality on ../shared/eval/flagging-dev.jsonl: ``warwatch classify`` against a
naive keyword baseline, measured in the same run.

    python -m bench.flag_quality [--errors]     (from the repository root)

Precision, recall and F1 on flag vs no_flag (borderline excluded, as the eval README
says); borderline sentences reported separately (share flagged per category); recall
per flag category. ``--errors`` lists the misclassified sentences.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict

from bench.common import shared_dir

NAIVE = re.compile(r"war crime|genocide|crimes against humanity|ICC|investigat", re.IGNORECASE)


def classify(rows: list[dict]) -> dict[str, bool]:
    """Run the real command: ``warwatch classify`` reading JSON lines on stdin."""
    lines = "".join(
        json.dumps({"id": r["id"], "text": r["text"], "lang": "en"}) + "\n" for r in rows
    )
    result = subprocess.run(
        [sys.executable, "-m", "warwatch.cli", "classify"],
        input=lines, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {v["id"]: v["flag"] for v in map(json.loads, result.stdout.splitlines())}


def scores(rows: list[dict], flagged: dict[str, bool]) -> dict[str, float]:
    tp = sum(1 for r in rows if r["label"] == "flag" and flagged[r["id"]])
    fp = sum(1 for r in rows if r["label"] == "no_flag" and flagged[r["id"]])
    fn = sum(1 for r in rows if r["label"] == "flag" and not flagged[r["id"]])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list misclassified sentences")
    args = parser.parse_args()
    rows = [json.loads(line) for line in shared_dir("eval", "flagging-dev.jsonl").open()]
    ours = classify(rows)
    naive = {r["id"]: bool(NAIVE.search(r["text"])) for r in rows}
    scored = sum(r["label"] != "borderline" for r in rows)
    print(f"{len(rows)} sentences; flag vs no_flag on {scored}\n")
    print("| system | precision | recall | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|")
    for name, flagged in (("warwatch classify", ours), ("naive keyword baseline", naive)):
        s = scores(rows, flagged)
        print(
            f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
            f"{s['tp']} | {s['fp']} | {s['fn']} |"
        )
    print("\nBorderline, share flagged per category:\n")
    print("| category | n | warwatch | naive |\n|---|---|---|---|")
    by_category: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["label"] == "borderline":
            by_category[r["category"]].append(r)
    for category, members in sorted(by_category.items(), key=lambda kv: -len(kv[1])):
        share = sum(ours[r["id"]] for r in members) / len(members)
        naive_share = sum(naive[r["id"]] for r in members) / len(members)
        print(f"| {category} | {len(members)} | {share:.2f} | {naive_share:.2f} |")
    print("\nRecall per flag category:\n")
    print("| category | n | warwatch | naive |\n|---|---|---|---|")
    flags: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["label"] == "flag":
            flags[r["category"]].append(r)
    for category, members in sorted(flags.items(), key=lambda kv: -len(kv[1])):
        recall = sum(ours[r["id"]] for r in members) / len(members)
        naive_recall = sum(naive[r["id"]] for r in members) / len(members)
        print(f"| {category} | {len(members)} | {recall:.2f} | {naive_recall:.2f} |")
    if args.errors:
        for r in rows:
            if r["label"] == "flag" and not ours[r["id"]]:
                print(f"\nFN {r['id']} [{r['category']}] {r['text']}")
            elif r["label"] == "no_flag" and ours[r["id"]]:
                print(f"\nFP {r['id']} [{r['category']}] {r['text']}")


if __name__ == "__main__":
    main()
