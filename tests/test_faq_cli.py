"""`python -m bot faq`: the stable JSONL interface QA scripts use, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], stdin: str = "", env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("CONTENT_DIR", None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "faq", *args],
        input=stdin.encode("utf-8"), cwd=ROOT, env=env, capture_output=True, timeout=60,
    )


def test_jsonl_answers_each_line_in_its_language_and_abstains_out_of_scope():
    questions = [
        "個人事業主でも入れますか?",
        "Are fines covered by the policy?",
        "自動車保険の見積り",
        "今日の天気",
        "Tell me a joke",
        "",
    ]
    proc = _run(["--jsonl"], "\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["question"] for r in records] == questions
    for r in records:
        assert set(r) == {"question", "id", "score", "answer"}
        assert isinstance(r["score"], float)
    assert records[0]["id"] == "sole-proprietor" and "個人事業主" in records[0]["answer"]
    assert records[1]["id"] == "fines" and "not covered" in records[1]["answer"]
    for r in records[2:]:
        assert r["id"] is None and r["answer"] is None
    assert "個人事業主" in lines[0]  # UTF-8, not \\u escapes


def test_single_question_prints_answer_id_and_score():
    proc = _run(["罰則は最大いくらですか"])
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0
    assert "1億円" in out and "[penalties]" in out and "score" in out


def test_single_question_reports_abstention():
    proc = _run(["Tell me a joke"])
    assert proc.returncode == 0
    assert "abstain" in proc.stdout.decode("utf-8")


def test_bad_content_exits_2_naming_file_and_field(tmp_path):
    (tmp_path / "faq.yaml").write_text("source: x\nentries: []\n", encoding="utf-8")
    proc = _run(["--jsonl"], "hello\n", {"CONTENT_DIR": str(tmp_path)})
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert "faq.yaml" in err and "entries" in err
    assert proc.stdout == b""
