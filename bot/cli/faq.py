"""`python -m bot faq "question"` or `python -m bot faq --jsonl`: FAQ matching from the shell.

The JSONL form is a stable interface for QA scripts: one JSON object per input line,
{"question": str, "id": str|null, "score": float, "answer": str|null}, written and flushed
line by line so a script can stream questions through one process. `score` is the best
entry's probability (0..1) even when the index abstains (id and answer are then null). An
abstention with a score above the threshold means "out of scope" was more probable still.
The answer is in the language of the question.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from bot.content import content_dir
from bot.content import ContentError
from bot.content.faq import load_faq
from bot.understanding.faq import FaqIndex
from bot.normalize import detect_language

FAQ_FILE = "faq.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("faq", help="answer an FAQ question, or abstain")
    p.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    p.add_argument("--jsonl", action="store_true", help="read questions from stdin, one per line; write JSON lines")
    p.set_defaults(func=run)


def result(index: FaqIndex, question: str) -> dict[str, object]:
    """The JSONL record for one question."""
    ranked = index.rank(question)
    best = ranked[0].score if ranked else 0.0
    hit = index.match(question)
    answer = index.answer(hit.id, detect_language(question, default="ja")) if hit else None
    return {"question": question, "id": hit.id if hit else None, "score": best, "answer": answer}


def run(args: argparse.Namespace) -> int:
    if args.jsonl == bool(args.question):
        print("faq: give either a question or --jsonl", file=sys.stderr)
        return 2
    try:
        index = FaqIndex.build(load_faq(content_dir() / FAQ_FILE))
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 2
    if args.jsonl:
        return _jsonl(index, sys.stdin, sys.stdout)
    out = sys.stdout
    record = result(index, args.question)
    if record["id"] is None:
        out.write(f"(abstained: no confident answer; best score {record['score']:.3f})\n")
    else:
        out.write(f"{record['answer']}\n\n[{record['id']}] score {record['score']:.3f}\n")
    out.flush()
    return 0


def _jsonl(index: FaqIndex, stdin: TextIO, stdout: TextIO) -> int:
    """Every input line gets one output line, blank ones included, so outputs align with inputs."""
    for line in stdin:
        question = line.rstrip("\r\n")
        stdout.write(json.dumps(result(index, question), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
