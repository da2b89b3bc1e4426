"""`python -m bot ...` end to end: what a user or a QA script sees on stdout, stderr and the
exit code. Each test runs the real command line as a subprocess from the repository root;
several messages share one process where the point allows, to keep the suite fast."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, cli_env

REPLY_KEYS = {"text", "state", "quote", "faq", "handoff", "intent", "urgent"}
QUOTE_KEYS = {"sales_yen", "industry", "plan", "monthly_yen", "annual_yen"}
EMBEDDED_NOTE = "REDIS_URL is not set"
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def run_bot(args: list[str], stdin: str | bytes = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS`; stdout/stderr decoded as UTF-8 (bytes stdin is sent as is)."""
    data = stdin if isinstance(stdin, bytes) else stdin.encode("utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=data, capture_output=True, cwd=ROOT, env=cli_env(**env), timeout=60,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"), proc.stderr.decode("utf-8", errors="replace"),
    )


def chat(lines: list[str], *extra_args: str, **env: str) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess[str]]:
    """Feed `lines` to `chat --jsonl`; return the bot's parsed replies (shape-checked) and the
    process. The terminal's own lines and the agent's (see `talk`) are checked, not returned."""
    said, proc = talk(lines, *extra_args, **env)
    return [line for line in said if who(line) == "bot"], proc


def talk(lines: list[str], *extra_args: str, **env: str) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess[str]]:
    """Like `chat`, but every line the terminal printed: the bot's replies, the agent's
    ("from": "agent") and the terminal's own notes ("kind": "terminal_note"), in order."""
    proc = run_bot(["chat", "--jsonl", *extra_args], "".join(line + "\n" for line in lines), **env)
    said = [json.loads(line) for line in proc.stdout.splitlines()]
    for reply in said:
        assert set(reply) - REPLY_KEYS <= {"kind", "from"} and REPLY_KEYS <= set(reply), reply
        assert isinstance(reply["text"], str) and reply["text"].strip()
        assert isinstance(reply["state"], str) and reply["state"]
        assert isinstance(reply["handoff"], bool) and isinstance(reply["urgent"], bool)
        assert reply["intent"] is None or isinstance(reply["intent"], str)
        assert reply["faq"] is None or isinstance(reply["faq"], str)
        q = reply["quote"]
        if q is not None:
            assert set(q) == QUOTE_KEYS, q
            assert q["plan"] in ("plan1", "plan2")
            assert all(isinstance(q[k], int) for k in ("sales_yen", "monthly_yen", "annual_yen"))
    return said, proc


def who(line: dict[str, Any]) -> str:
    """Who a printed line is from: "bot", "agent" or "note" (the terminal itself)."""
    if line.get("kind") == "terminal_note":
        assert "from" not in line, line
        return "note"
    if "from" in line:
        assert line["from"] == "agent" and "kind" not in line, line
        return "agent"
    assert set(line) == REPLY_KEYS, line
    return "bot"


def japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" for ch in text)


def quote_of(reply: dict[str, Any]) -> tuple[str, str, int, int]:
    q = reply["quote"]
    assert q is not None, reply
    return q["industry"], q["plan"], q["monthly_yen"], q["annual_yen"]


# -- chat --jsonl ----------------------------------------------------------------------------


def test_chat_full_quote_correction_and_plan2_in_one_conversation() -> None:
    replies, proc = chat([
        "売上5億の製造業です",
        "やっぱり卸売業でした",
        "プラン2でお願いします",
    ])
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == 3
    first, corrected, plan2 = replies

    assert first["state"] == "quoted" and first["handoff"] is False and first["faq"] is None
    assert first["quote"] == {"sales_yen": 500_000_000, "industry": "manufacturing", "plan": "plan1",
                              "monthly_yen": 5860, "annual_yen": 67000}
    assert "5,860円" in first["text"] and "67,000円" in first["text"] and "製造業" in first["text"]

    assert quote_of(corrected) == ("wholesale", "plan1", 5430, 62000)
    assert corrected["quote"]["sales_yen"] == 500_000_000  # the sales figure survives the correction
    assert "卸売業" in corrected["text"] and "5,430円" in corrected["text"]

    assert quote_of(plan2) == ("wholesale", "plan2", 9360, 107000)
    assert "プラン②" in plan2["text"]
    assert "売上" in proc.stdout  # UTF-8, not \u escapes


def test_chat_facts_in_either_order() -> None:
    sales_first, proc1 = chat(["売上は5億円です", "製造業です"])
    industry_first, proc2 = chat(["製造業です", "売上は5億円です"])
    for replies, proc in ((sales_first, proc1), (industry_first, proc2)):
        assert proc.returncode == 0, proc.stderr
        assert len(replies) == 2
        assert replies[0]["quote"] is None and replies[0]["state"] != "quoted"
        assert replies[1]["state"] == "quoted"
        assert quote_of(replies[1]) == ("manufacturing", "plan1", 5860, 67000)
    assert sales_first[0]["state"] == "need_industry" and "5億円" in sales_first[0]["text"]
    assert industry_first[0]["state"] == "need_sales" and "製造業" in industry_first[0]["text"]


def test_chat_plan2_asked_for_before_the_facts() -> None:
    replies, proc = chat(["プラン2でお願いします", "売上5億の製造業です"])
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == 2
    assert replies[0]["quote"] is None
    assert quote_of(replies[1]) == ("manufacturing", "plan2", 10240, 117000)


def test_chat_english_conversation() -> None:
    replies, proc = chat([
        "Hello",
        "We are a manufacturer",
        "Sales are 500 million yen",
        "Are fines covered?",
        "Actually we are a retailer",
    ])
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == 5
    hello, industry, quoted, faq, corrected = replies
    assert hello["state"] == "need_both" and "Hello" in hello["text"]
    assert industry["state"] == "need_sales" and "Manufacturing" in industry["text"]
    assert quote_of(quoted) == ("manufacturing", "plan1", 5860, 67000)
    assert "¥5,860" in quoted["text"] and "¥67,000" in quoted["text"]
    assert faq["faq"] == "fines" and faq["quote"] is None and "not covered" in faq["text"]
    assert quote_of(corrected)[:2] == ("retail", "plan1")
    for reply in replies:  # no Japanese in an English conversation
        assert not japanese(reply["text"]), reply["text"]


def test_chat_faq_question_carries_the_faq_id_and_the_quote_resumes() -> None:
    replies, proc = chat(["個人事業主でも入れますか?", "売上5億の製造業です", "罰金は補償されますか?"])
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == 3
    assert replies[0]["faq"] == "sole-proprietor" and "個人事業主" in replies[0]["text"]
    assert replies[0]["quote"] is None and replies[0]["handoff"] is False
    assert quote_of(replies[1]) == ("manufacturing", "plan1", 5860, 67000)
    assert replies[2]["faq"] is not None and replies[2]["state"] == "quoted"


@pytest.mark.parametrize("message, why", [
    ("売上50億の製造業です", "30億円を超える"),
    ("不動産業で、売上は5億円です", "不動産業"),
], ids=["above-table", "unrated-industry"])
def test_chat_unquotable_offers_a_person_then_hands_over(message: str, why: str) -> None:
    replies, proc = chat([message, "はい"])
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == 2
    offer, handoff = replies
    assert offer["quote"] is None and offer["state"] == "unquotable" and offer["handoff"] is False
    assert why in offer["text"] and "担当者" in offer["text"]
    assert handoff["handoff"] is True and handoff["state"] == "with_person" and handoff["quote"] is None


def test_chat_bad_lines_each_get_one_polite_reply() -> None:
    bad = ["", "-5億", "あ" * 40_000, "\u202e\u0000🙂", "   ", "x" * 40_000]
    replies, proc = chat(bad)
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == len(bad)
    for reply in replies:
        assert reply["quote"] is None and reply["handoff"] is False
        assert reply["state"] == "need_both"  # still asking for the facts
        assert len(reply["text"]) < 2000  # the reply never echoes a huge message back
    assert "空" in replies[0]["text"]
    assert "0円より大きい" in replies[1]["text"]
    assert "Traceback" not in proc.stderr


def test_chat_bad_lines_after_a_quote_do_not_lose_it() -> None:
    replies, proc = chat(["売上5億の製造業です", "", "-5億", "\u202e\u0000🙂", "やっぱり卸売業でした"])
    assert proc.returncode == 0, proc.stderr
    assert len(replies) == 5
    assert quote_of(replies[-1]) == ("wholesale", "plan1", 5430, 62000)


def test_chat_invalid_utf8_bytes_get_a_reply_not_a_traceback() -> None:
    proc = run_bot(["chat", "--jsonl"], b"\xff\xfe broken\n\xe5\xa3\n" + "売上5億の製造業です\n".encode("utf-8"))
    assert proc.returncode == 0, proc.stderr
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(replies) == 3
    assert quote_of(replies[2]) == ("manufacturing", "plan1", 5860, 67000)


def test_chat_without_redis_notes_the_embedded_store_on_stderr_only() -> None:
    replies, proc = chat(["売上5億の製造業です"])
    assert proc.returncode == 0
    assert len(replies) == 1
    assert EMBEDDED_NOTE in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert EMBEDDED_NOTE not in proc.stdout


def test_chat_with_redis_is_silent_on_stderr(redis_url: str) -> None:
    replies, proc = chat(["売上5億の製造業です"], REDIS_URL=redis_url)
    assert proc.returncode == 0
    assert len(replies) == 1 and replies[0]["state"] == "quoted"
    assert proc.stderr == ""


def test_chat_empty_stdin_prints_nothing_and_exits_0() -> None:
    replies, proc = chat([])
    assert proc.returncode == 0
    assert replies == [] and proc.stdout == ""


# -- a conversation survives the process -----------------------------------------------------


def test_chat_conversation_continues_in_a_new_process(redis_url: str) -> None:
    first, proc = chat(["製造業です"], "--conversation", "restart-1", REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert len(first) == 1 and first[0]["state"] == "need_sales"

    second, proc = chat(["売上は5億円です"], "--conversation", "restart-1", REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert len(second) == 1
    assert quote_of(second[0]) == ("manufacturing", "plan1", 5860, 67000)

    other, proc = chat(["売上は5億円です"], "--conversation", "restart-2", REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert len(other) == 1
    assert other[0]["quote"] is None and other[0]["state"] == "need_industry"


def test_chat_without_redis_forgets_between_processes() -> None:
    chat(["製造業です"], "--conversation", "embedded-1")
    replies, proc = chat(["売上は5億円です"], "--conversation", "embedded-1")
    assert proc.returncode == 0
    assert replies[0]["quote"] is None and replies[0]["state"] == "need_industry"


def test_chat_unreachable_redis_exits_non_zero_naming_redis_url() -> None:
    proc = run_bot(["chat", "--jsonl"], "売上5億の製造業です\n", REDIS_URL=UNREACHABLE)
    assert proc.returncode != 0
    assert "REDIS_URL" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


# -- chat after a handoff: no agent in the terminal, /agent and /close -----------------------

TO_A_PERSON = ["売上5億の製造業です", "担当者と話したい"]


def handoff_closed(lang: str) -> str:
    from bot.content.bundle import load_content

    return load_content().messages.say("handoff_closed", lang)


def test_chat_handoff_in_japanese_says_no_agent_is_connected_once() -> None:
    said, proc = talk([*TO_A_PERSON, "まだですか"])
    assert proc.returncode == 0, proc.stderr
    assert [who(line) for line in said] == ["bot", "bot", "note", "bot"]  # the note once, right after the handoff
    handoff, note = said[1], said[2]
    assert handoff["handoff"] is True and handoff["state"] == "with_person"
    assert "/agent" in note["text"] and "/close" in note["text"]
    assert japanese(note["text"])


def test_chat_handoff_in_english_says_it_in_english() -> None:
    said, proc = talk(["Hello", "I would like to talk to a person", "/agent"])
    assert proc.returncode == 0, proc.stderr
    assert [who(line) for line in said] == ["bot", "bot", "note", "note"]
    assert said[1]["handoff"] is True
    for note in said[2:]:
        assert "/agent" in note["text"] and not japanese(note["text"]), note["text"]
    assert "/close" in said[2]["text"]


def test_chat_empty_lines_while_with_a_person_print_nothing() -> None:
    said, proc = talk([*TO_A_PERSON, "", "   ", "\u3000"])
    assert proc.returncode == 0, proc.stderr
    assert [who(line) for line in said] == ["bot", "bot", "note"]


def test_chat_agent_command_answers_as_the_agent() -> None:
    said, proc = talk([*TO_A_PERSON, "/agent こんにちは", "/agent", "/agent お待たせしました"])
    assert proc.returncode == 0, proc.stderr
    after = said[3:]
    # the first /agent claims the handoff (the prospect is told who joined), then speaks
    assert [who(line) for line in after] == ["bot", "agent", "note", "agent"]
    claimed, hello, usage, again = after
    assert claimed["state"] == "with_person" and japanese(claimed["text"])
    assert hello["text"] == "こんにちは" and again["text"] == "お待たせしました"
    assert "/agent" in usage["text"]  # /agent without text: how to use it
    assert "こんにちは" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("agent_first", [True, False], ids=["after-agent", "while-waiting"])
def test_chat_close_ends_the_handoff_and_the_bot_answers_again(agent_first: bool) -> None:
    lines = [*TO_A_PERSON, *(["/agent こんにちは"] if agent_first else []), "/close", "売上5億の小売業です"]
    said, proc = talk(lines)
    assert proc.returncode == 0, proc.stderr
    closed, quoted = said[-2], said[-1]
    assert who(closed) == "bot" and closed["text"].startswith(handoff_closed("ja"))
    assert closed["state"] != "with_person" and closed["handoff"] is False
    assert who(quoted) == "bot" and quote_of(quoted)[:2] == ("retail", "plan1")


def test_chat_close_in_english_gives_the_english_notice() -> None:
    said, proc = talk(["Hello", "I would like to talk to a person", "/close"])
    assert proc.returncode == 0, proc.stderr
    assert said[-1]["text"].startswith(handoff_closed("en"))


def test_chat_agent_or_close_without_a_handoff_gets_a_polite_line() -> None:
    said, proc = talk(["/agent こんにちは", "/close", "売上5億の製造業です", "/agent"])
    assert proc.returncode == 0, proc.stderr
    assert [who(line) for line in said] == ["note", "note", "bot", "note"]
    for note in (said[0], said[1], said[3]):
        assert japanese(note["text"]) and "こんにちは" not in note["text"]
    assert quote_of(said[2])[:2] == ("manufacturing", "plan1")  # the commands were not taken as the prospect's


def test_chat_interactive_handoff_agent_and_close() -> None:
    stdin = "".join(line + "\n" for line in [*TO_A_PERSON, "", "/agent こんにちは", "/close", "売上5億の小売業です"])
    proc = run_bot(["chat"], stdin)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    note = next(line for line in out.splitlines() if line.startswith("note: "))
    assert "/agent" in note and "/close" in note and japanese(note)
    assert out.count("note: ") == 1
    assert "\nagent: こんにちは\n" in out
    assert f"bot: {handoff_closed('ja')}" in out
    assert out.index(handoff_closed("ja")) < out.rindex("月額保険料")  # the bot answers again


def test_chat_continued_handoff_notes_it_in_the_new_process(redis_url: str) -> None:
    talk(TO_A_PERSON, "--conversation", "hand-1", REDIS_URL=redis_url)
    said, proc = talk(["まだですか", "/agent こんにちは"], "--conversation", "hand-1", REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert [who(line) for line in said] == ["bot", "note", "bot", "agent"]
    assert "/agent" in said[1]["text"]


# -- quote -------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    ([], {"plan": "plan1", "monthly_yen": 5860, "annual_yen": 67000}),
    (["--plan", "plan2"], {"plan": "plan2", "monthly_yen": 10240, "annual_yen": 117000}),
])
def test_quote_prints_one_json_quote(args: list[str], expected: dict[str, Any]) -> None:
    proc = run_bot(["quote", "--sales", "500000000", "--industry", "manufacturing", *args])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"sales_yen": 500_000_000, "industry": "manufacturing", **expected}


@pytest.mark.parametrize("sales, industry, reason", [
    ("500000000", "it_services", "it_services_option"),      # recognised, not quoted online
    ("500000000", "real_estate", "unrated_industry"),        # not in the table
    ("500000000", "manufactoring", "unrated_industry"),      # a typo: same answer, and a hint
    ("5000000000", "manufacturing", "above_table"),          # 50億 is beyond 30億
    ("0", "manufacturing", "non_positive_sales"),
    ("-5", "manufacturing", "non_positive_sales"),
])
def test_quote_unavailable_exits_1_with_a_json_reason(sales: str, industry: str, reason: str) -> None:
    proc = run_bot(["quote", "--sales", sales, "--industry", industry])
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"quote": None, "unavailable": reason}
    # A key no content file knows is named on stderr, with the keys that exist.
    assert ("manufacturing, restaurant" in proc.stderr) == (industry in ("real_estate", "manufactoring"))


def test_quote_below_the_floor_says_so_on_stderr() -> None:
    proc = run_bot(["quote", "--sales", "1000", "--industry", "retail"])
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["monthly_yen"] == json.loads(
        run_bot(["quote", "--sales", "100000000", "--industry", "retail"]).stdout)["monthly_yen"]
    assert "floor" in proc.stderr and "100000000" in proc.stderr


@pytest.mark.parametrize("args", [
    ["--sales", "5億", "--industry", "manufacturing"],
    ["--sales", "500000000", "--industry", "manufacturing", "--plan", "plan3"],
])
def test_quote_bad_arguments_are_usage_errors(args: list[str]) -> None:
    proc = run_bot(["quote", *args])
    assert proc.returncode == 2
    assert "usage:" in proc.stderr and proc.stdout == ""


# -- check-content ---------------------------------------------------------------------------


def test_check_content_passes_on_the_real_content() -> None:
    proc = run_bot(["check-content"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("content OK")


def _broken_copy(tmp_path: Path, name: str, edit) -> Path:
    d = tmp_path / "content"
    shutil.copytree(ROOT / "content", d)
    path = d / name
    text = path.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text, "the edit must change the file"
    path.write_text(changed, encoding="utf-8")
    return d


def _drop_message(key: str):
    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        i = lines.index(f"  {key}:\n")
        return "".join(lines[:i] + lines[i + 3:])  # the key and its ja/en lines
    return edit


@pytest.mark.parametrize("name, edit, names", [
    ("rates.yaml",
     lambda t: t.replace("anchor_sales_yen: [500000000,", "anchor_sales_yen: [-500000000,"),
     ["anchor_sales_yen"]),
    ("rates.yaml",
     lambda t: t.replace("manufacturing: {plan1: [67000,", "manufacturing: {plan1: [-67000,"),
     ["industries.manufacturing"]),
    ("messages.yaml", _drop_message("ask_sales"), ["messages", "ask_sales"]),
    ("faq.yaml", lambda t: t + "\nentries: [\n", ["not valid YAML"]),
    ("messages.yaml", lambda t: t.replace("{sales}", "{salez}"), ["messages", "salez"]),
], ids=["rates-negative-anchor", "rates-negative-premium", "messages-missing-key", "faq-invalid-yaml",
        "messages-unknown-placeholder"])
def test_check_content_names_the_broken_file_and_field(tmp_path: Path, name: str, edit, names: list[str]) -> None:
    content_dir = _broken_copy(tmp_path, name, edit)
    proc = run_bot(["check-content"], CONTENT_DIR=str(content_dir))
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr
    assert name in err
    for word in names:
        assert word in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_broken_content_stops_chat_and_quote_too(tmp_path: Path) -> None:
    content_dir = _broken_copy(tmp_path, "messages.yaml", _drop_message("ask_sales"))
    for args, stdin in ((["chat", "--jsonl"], "売上5億の製造業です\n"),
                        (["quote", "--sales", "500000000", "--industry", "manufacturing"], "")):
        proc = run_bot(args, stdin, CONTENT_DIR=str(content_dir))
        assert proc.returncode == 2, args
        assert proc.stdout == ""
        assert "messages.yaml" in proc.stderr and "ask_sales" in proc.stderr


def test_check_content_missing_directory(tmp_path: Path) -> None:
    proc = run_bot(["check-content"], CONTENT_DIR=str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "rates.yaml" in proc.stderr and "Traceback" not in proc.stderr


# -- handoffs ----------------------------------------------------------------------------------


def test_handoffs_lists_a_waiting_handoff(redis_url: str) -> None:
    proc = run_bot(["handoffs"], REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert "no open handoffs" in proc.stdout

    replies, proc = chat(["売上5億の製造業です", "担当者と話したい"], "--conversation", "hx-1", REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert replies[-1]["handoff"] is True and replies[-1]["state"] == "with_person"
    chat(["売上は5億円です"], "--conversation", "hx-2", REDIS_URL=redis_url)  # no handoff: not listed

    proc = run_bot(["handoffs", "--json"], REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert row["conversation"] == "local:terminal:hx-1"
    assert row["status"] == "waiting" and row["urgent"] is False and row["reason"] == "requested"
    assert row["sales_yen"] == 500_000_000 and row["industry"] == "manufacturing"
    assert row["agent"] is None and row["waiting_minutes"] >= 0

    proc = run_bot(["handoffs"], REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    assert "local:terminal:hx-1" in proc.stdout and "waiting" in proc.stdout
    assert "hx-2" not in proc.stdout


@pytest.mark.parametrize("args, env", [
    (["handoffs"], {}),
    (["handoffs", "--json"], {"REDIS_URL": UNREACHABLE}),
], ids=["unset", "unreachable-json"])
def test_handoffs_without_redis_exits_non_zero_naming_redis_url(args: list[str], env: dict[str, str]) -> None:
    proc = run_bot(args, **env)
    assert proc.returncode != 0
    assert "REDIS_URL" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_handoffs_hides_the_redis_password() -> None:
    proc = run_bot(["handoffs"], REDIS_URL="redis://user:s3cret@127.0.0.1:1/0")
    assert proc.returncode != 0
    assert "REDIS_URL" in proc.stderr and "s3cret" not in proc.stderr
