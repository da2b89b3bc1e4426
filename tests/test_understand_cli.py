"""`python -m bot understand`: the JSON-lines interface QA scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], stdin: str = "", env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", "understand", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
        encoding="utf-8",
    )


def test_jsonl_one_object_per_line() -> None:
    lines = ["売上5億の製造業です", "", "We are an IT company with sales of 1.2 billion yen", "Is it covered?",
             "不動産業です", "年商は約3億、カフェをやってます"]
    proc = _run(["--jsonl"], "\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["text"] for o in out] == lines
    assert out[0] == {"text": lines[0], "lang": "ja", "sales_yen": 500_000_000, "industry": "manufacturing",
                      "intent": "facts", "urgent": False}
    assert out[1] == {"text": "", "lang": "ja", "sales_yen": None, "industry": None, "intent": "other", "urgent": False}
    assert {k: out[2][k] for k in ("lang", "sales_yen", "industry")} == {"lang": "en", "sales_yen": 1_200_000_000,
                                                                        "industry": "it_services"}
    assert out[3]["industry"] is None and out[3]["sales_yen"] is None and out[3]["lang"] == "en"
    assert out[4]["industry"] is None
    assert out[5]["sales_yen"] == 300_000_000 and out[5]["industry"] == "restaurant"
    assert "売上" in proc.stdout  # ensure_ascii=False


def test_jsonl_answers_each_line_as_it_arrives() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "understand", "--jsonl"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env, encoding="utf-8",
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("5億円\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["sales_yen"] == 500_000_000
        proc.stdin.write("居酒屋です\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["industry"] == "restaurant"
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_positional_text() -> None:
    proc = _run(["3,000万円の小売業"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"text": "3,000万円の小売業", "lang": "ja", "sales_yen": 30_000_000,
                                       "industry": "retail", "intent": "facts", "urgent": False}


@pytest.mark.parametrize("text, intent, urgent", [
    ("昨日から社内のサーバーが暗号化されて開けません", "incident", True),
    ("ウイルス感染による損害は補償の対象になりますか?", "question", False),
    ("どなたか担当の方とお話しさせていただけますか", "handoff", False),
])
def test_the_intent_and_urgency_are_reported(text: str, intent: str, urgent: bool) -> None:
    proc = _run([text])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["intent"], out["urgent"]) == (intent, urgent)


def test_bad_content_exits_2_naming_the_file(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "content", tmp_path, dirs_exist_ok=True)
    (tmp_path / "industries.yaml").write_text("industries: []\n", encoding="utf-8")
    proc = _run(["5億"], env_extra={"CONTENT_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert "industries.yaml" in proc.stderr
    assert proc.stdout == ""
