"""Who has the floor (bot/slack/floor.py `decide`), and which reply a button belongs to
(bot/slack/codec.py block ids, bot/slack/blocks.py reply and retired blocks). Pure: no Slack,
no Redis, no engine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.rating import Quote
from bot.slack.blocks import reply_blocks, retired_blocks
from bot.slack.codec import block_prefix, reply_id_of
from bot.slack.floor import Situation, Verdict, decide
from bot.slack.people import Kind, Person
from bot.turn import Action, Choice, Outbound

HOME, CUST, OTHER = "T_HOME", "T_CUST", "T_OTHER"

PROSPECT = Person("U_PROS", Kind.PROSPECT, CUST, "Pat")
PROSPECT_COLLEAGUE = Person("U_PROS2", Kind.PROSPECT, CUST, "Quinn")
STRANGER = Person("U_STR", Kind.PROSPECT, OTHER, "Sam")  # a third company in the channel
GUEST = Person("U_GUEST", Kind.PROSPECT, HOME, "Gus")  # a guest of the home workspace
STAFF = Person("U_STAFF", Kind.STAFF, HOME, "Sue")
STAFF2 = Person("U_STAFF2", Kind.STAFF, HOME, "Stu")
AGENT = Person("U_AGENT", Kind.AGENT, HOME, "Ann")
UNKNOWN = Person("U_UNK", Kind.PROSPECT, None)  # Slack could not say who


def situation(author: Person, *, dm: bool = False, top_level: bool = False, mentioned: bool = False,
              answer_all: bool = False, to_others: bool = False, starter: str | None = None,
              starter_team: str | None = None) -> Situation:
    return Situation(dm=dm, top_level=top_level, mentioned=mentioned, answer_all=answer_all, author=author,
                     to_others=to_others, starter=starter, starter_team=starter_team)


class Probe:
    """A `serves` / `bot_in_thread` callable: answers `answer`, counts calls, and fails the test
    when called while `allowed` is False."""

    def __init__(self, name: str, answer: bool = False, allowed: bool = True) -> None:
        self.name, self.answer, self.allowed, self.calls = name, answer, allowed, 0

    def __call__(self) -> bool:
        if not self.allowed:
            pytest.fail(f"{self.name}() was asked, but the answer does not matter here")
        self.calls += 1
        return self.answer


NEVER = None  # a probe that must not be called

# (id, situation, serves answer or NEVER, bot_in_thread answer or NEVER, verdict)
CASES: list[tuple[str, Situation, bool | None, bool | None, Verdict]] = [
    # -- DMs: everything is answered, nothing asked
    ("dm-prospect", situation(PROSPECT, dm=True, top_level=True), NEVER, NEVER, Verdict.TURN),
    ("dm-staff", situation(STAFF, dm=True, top_level=True), NEVER, NEVER, Verdict.TURN),
    ("dm-agent", situation(AGENT, dm=True, top_level=True), NEVER, NEVER, Verdict.TURN),
    ("dm-in-thread-with-other-starter", situation(AGENT, dm=True, starter="U_X", starter_team=CUST),
     NEVER, NEVER, Verdict.TURN),
    # -- top-level channel messages
    ("top-mention-prospect", situation(PROSPECT, top_level=True, mentioned=True), NEVER, NEVER, Verdict.TURN),
    ("top-mention-staff", situation(STAFF, top_level=True, mentioned=True), NEVER, NEVER, Verdict.TURN),
    ("top-mention-agent", situation(AGENT, top_level=True, mentioned=True), NEVER, NEVER, Verdict.TURN),
    ("top-answer-all-prospect", situation(PROSPECT, top_level=True, answer_all=True), NEVER, NEVER, Verdict.TURN),
    ("top-answer-all-staff", situation(STAFF, top_level=True, answer_all=True), NEVER, NEVER, Verdict.TURN),
    ("top-staff-no-mention", situation(STAFF, top_level=True), NEVER, NEVER, Verdict.IGNORE),
    ("top-agent-no-mention", situation(AGENT, top_level=True), NEVER, NEVER, Verdict.IGNORE),
    ("top-prospect-served", situation(PROSPECT, top_level=True), True, NEVER, Verdict.TURN),
    ("top-prospect-chatter", situation(PROSPECT, top_level=True), False, NEVER, Verdict.IGNORE),
    ("top-guest-served", situation(GUEST, top_level=True), True, NEVER, Verdict.TURN),
    ("top-unknown-served", situation(UNKNOWN, top_level=True), True, NEVER, Verdict.TURN),
    ("top-unknown-chatter", situation(UNKNOWN, top_level=True), False, NEVER, Verdict.IGNORE),
    # -- a thread the bot has no conversation in
    ("thread-nocon-mention-prospect", situation(PROSPECT, mentioned=True), NEVER, NEVER, Verdict.TURN),
    ("thread-nocon-mention-staff", situation(STAFF, mentioned=True), NEVER, NEVER, Verdict.TURN),
    ("thread-nocon-prospect-bot-posted", situation(PROSPECT), NEVER, True, Verdict.TURN_LOST),
    ("thread-nocon-prospect-bot-absent", situation(PROSPECT), NEVER, False, Verdict.IGNORE),
    ("thread-nocon-staff", situation(STAFF), NEVER, NEVER, Verdict.IGNORE),
    ("thread-nocon-agent", situation(AGENT), NEVER, NEVER, Verdict.IGNORE),
    ("thread-nocon-answer-all-is-not-a-mention", situation(PROSPECT, answer_all=True), NEVER, False, Verdict.IGNORE),
    # -- a conversation's thread (started by a customer)
    ("con-starter", situation(PROSPECT, starter=PROSPECT.id, starter_team=CUST), NEVER, NEVER, Verdict.TURN),
    ("con-starter-is-agent", situation(AGENT, starter=AGENT.id, starter_team=HOME), NEVER, NEVER, Verdict.TURN),
    ("con-starter-agent-in-customer-team", situation(AGENT, starter=AGENT.id, starter_team=CUST),
     NEVER, NEVER, Verdict.TURN),
    ("con-agent-takes-over", situation(AGENT, starter=PROSPECT.id, starter_team=CUST), NEVER, NEVER, Verdict.TAKE_OVER),
    ("con-agent-takes-over-mentioned", situation(AGENT, mentioned=True, starter=PROSPECT.id, starter_team=CUST),
     NEVER, NEVER, Verdict.TAKE_OVER),
    ("con-agent-takes-over-legacy", situation(AGENT, starter=PROSPECT.id), NEVER, NEVER, Verdict.TAKE_OVER),
    ("con-colleague", situation(PROSPECT_COLLEAGUE, starter=PROSPECT.id, starter_team=CUST),
     NEVER, NEVER, Verdict.TURN),
    ("con-staff-in-customers", situation(STAFF, starter=PROSPECT.id, starter_team=CUST), NEVER, NEVER, Verdict.IGNORE),
    ("con-staff-mentions-in-customers", situation(STAFF, mentioned=True, starter=PROSPECT.id, starter_team=CUST),
     NEVER, NEVER, Verdict.IGNORE),
    ("con-guest-in-customers", situation(GUEST, starter=PROSPECT.id, starter_team=CUST), NEVER, NEVER, Verdict.IGNORE),
    ("con-third-workspace", situation(STRANGER, starter=PROSPECT.id, starter_team=CUST), NEVER, NEVER, Verdict.IGNORE),
    ("con-unknown-team", situation(UNKNOWN, starter=PROSPECT.id, starter_team=CUST), NEVER, NEVER, Verdict.IGNORE),
    # -- a conversation started by staff (an internal channel)
    ("con-staff-started-colleague", situation(STAFF2, starter=STAFF.id, starter_team=HOME), NEVER, NEVER, Verdict.TURN),
    ("con-staff-started-guest", situation(GUEST, starter=STAFF.id, starter_team=HOME), NEVER, NEVER, Verdict.TURN),
    ("con-staff-started-customer", situation(PROSPECT, starter=STAFF.id, starter_team=HOME),
     NEVER, NEVER, Verdict.IGNORE),
    ("con-staff-started-agent", situation(AGENT, starter=STAFF.id, starter_team=HOME), NEVER, NEVER, Verdict.TAKE_OVER),
    # -- a conversation from before teams were kept (no starter_team)
    ("legacy-prospect", situation(PROSPECT_COLLEAGUE, starter=PROSPECT.id), NEVER, NEVER, Verdict.TURN),
    ("legacy-stranger", situation(STRANGER, starter=PROSPECT.id), NEVER, NEVER, Verdict.TURN),
    ("legacy-staff", situation(STAFF, starter=PROSPECT.id), NEVER, NEVER, Verdict.IGNORE),
    ("legacy-empty-team-staff", situation(STAFF, starter=PROSPECT.id, starter_team=""), NEVER, NEVER, Verdict.IGNORE),
    ("legacy-empty-team-prospect", situation(PROSPECT_COLLEAGUE, starter=PROSPECT.id, starter_team=""),
     NEVER, NEVER, Verdict.TURN),
    ("legacy-starter", situation(PROSPECT, starter=PROSPECT.id), NEVER, NEVER, Verdict.TURN),
]


@pytest.mark.parametrize(("s", "serves_answer", "in_thread_answer", "expected"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_decide(s: Situation, serves_answer: bool | None, in_thread_answer: bool | None, expected: Verdict) -> None:
    serves = Probe("serves", bool(serves_answer), allowed=serves_answer is not NEVER)
    in_thread = Probe("bot_in_thread", bool(in_thread_answer), allowed=in_thread_answer is not NEVER)
    assert decide(s, serves, in_thread) is expected
    # what was asked mattered, and was asked at most once
    assert serves.calls == (0 if serves_answer is NEVER else 1)
    assert in_thread.calls == (0 if in_thread_answer is NEVER else 1)


TO_OTHERS_CASES = [
    ("top-prospect-to-a-person", dict(author=PROSPECT, top_level=True), Verdict.IGNORE),
    ("top-unknown-to-a-person", dict(author=UNKNOWN, top_level=True), Verdict.IGNORE),
    ("top-staff-to-a-person", dict(author=STAFF, top_level=True), Verdict.IGNORE),
    ("top-prospect-to-a-person-and-the-app", dict(author=PROSPECT, top_level=True, mentioned=True), Verdict.TURN),
    ("top-prospect-to-a-person-answer-all", dict(author=PROSPECT, top_level=True, answer_all=True), Verdict.TURN),
    ("dm-to-a-person", dict(author=PROSPECT, dm=True, top_level=True), Verdict.TURN),
    # in a conversation's thread, "@加藤さん 売上いくらでしたっけ?" is to the colleague, not the bot
    ("con-starter-to-a-person", dict(author=PROSPECT, starter=PROSPECT.id, starter_team=CUST), Verdict.IGNORE),
    ("con-colleague-to-a-person", dict(author=PROSPECT_COLLEAGUE, starter=PROSPECT.id, starter_team=CUST),
     Verdict.IGNORE),
    ("con-starter-to-a-person-and-the-app", dict(author=PROSPECT, starter=PROSPECT.id, starter_team=CUST,
                                                 mentioned=True), Verdict.TURN),
    ("con-agent-to-a-person", dict(author=AGENT, starter=PROSPECT.id, starter_team=CUST), Verdict.TAKE_OVER),
]


@pytest.mark.parametrize(("kwargs", "expected"), [pytest.param(k, v, id=i) for i, k, v in TO_OTHERS_CASES])
def test_a_message_to_someone_else(kwargs: dict, expected: Verdict) -> None:
    """Someone writing to a person (a mention, not of the app) is not asking the bot: the text
    is not even read (`serves` is not asked) unless the app is mentioned or answers all."""
    kwargs = dict(kwargs)
    author = kwargs.pop("author")
    assert decide(situation(author, to_others=True, **kwargs), _boom, _boom) is expected


def test_the_case_table_has_unique_ids() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))


def _boom() -> bool:
    raise AssertionError("must not be called")


@pytest.mark.parametrize("author", [STAFF, AGENT], ids=["staff", "agent"])
def test_staff_top_level_never_asks_whether_the_bot_serves_it(author: Person) -> None:
    assert decide(situation(author, top_level=True), _boom, _boom) is Verdict.IGNORE


def test_staff_in_a_strange_thread_never_asks_whether_the_bot_posted() -> None:
    assert decide(situation(STAFF), _boom, _boom) is Verdict.IGNORE


def test_decide_is_stable_for_the_same_situation() -> None:
    """Deciding twice asks twice and answers the same: nothing is remembered between messages."""
    s = situation(PROSPECT, top_level=True)
    answers: list[Callable[[], bool]] = [lambda: True, lambda: False]
    assert [decide(s, a, _boom) for a in answers] == [Verdict.TURN, Verdict.IGNORE]


# -- which reply a button belongs to --------------------------------------------------------

REPLY_IDS = ["C123:1700000000.000100#0", "click:C1:1700000000.000200#1", "D9:1700000000.000300#12"]


@pytest.mark.parametrize("rid", REPLY_IDS)
@pytest.mark.parametrize("name", ["quote", "choices"])
@pytest.mark.parametrize("row", [0, 1, 10])
def test_block_prefix_round_trips_through_slacks_row_suffix(rid: str, name: str, row: int) -> None:
    prefix = block_prefix(rid, name)
    assert prefix.startswith("r:")
    assert reply_id_of(f"{prefix}-{row}") == rid


@pytest.mark.parametrize("rid", [None, ""], ids=["none", "empty"])
def test_no_reply_id_means_the_plain_name(rid: str | None) -> None:
    assert block_prefix(rid, "quote") == "quote"
    assert reply_id_of(block_prefix(rid, "quote") + "-0") is None


@pytest.mark.parametrize("block_id", ["choices-0", "quote-1", "handoff", "b", "", "r:", "r::x", "r:quote-0", "R:C1:quote-0"])
def test_reply_id_of_unmarked_block_is_none(block_id: str) -> None:
    assert reply_id_of(block_id) is None


# -- reply and retired blocks --------------------------------------------------------------

RID = "C123:1700000000.000100#0"


def _text_out(n_choices: int = 2) -> Outbound:
    choices = [Choice(Action.SALES, f"{i}:0", f"label {i}", primary=i == 0) for i in range(n_choices)]
    return Outbound(kind="ask_sales", text="売上高を教えてください。\n例: 5億", lang="ja", state="ask_sales", choices=choices)


def _quote_out() -> Outbound:
    """A quote reply shaped as bot/replies.py `quote_card` fills one."""
    fields = [("売上高", "5億円"), ("業種", "製造業"), ("月額保険料", "5,860円")]
    note = "※保険料は目安です。"
    text = "\n".join(["お見積り(目安)です。", *(f"・{l}: {v}" for l, v in fields),
                      "プラン②のお見積りもできます。", note])
    return Outbound(
        kind="quote", text=text, lang="ja", state="quoted",
        quote=Quote(sales_yen=500_000_000, industry="manufacturing", plan="plan1", annual_yen=67_000,
                    monthly_yen=5_860, rated_sales_yen=500_000_000),
        fields=fields, note=note,
        choices=[Choice(Action.HANDOFF, "quote", "担当者に相談", primary=True), Choice(Action.PLAN, "plan2", "プラン②で見積り"),
                 Choice(Action.RESTART, "quote", "条件を変えて再見積り"), Choice(Action.FAQ_MENU, "quote", "よくある質問")],
    )


def _actions(blocks: list[dict]) -> list[dict]:
    return [b for b in blocks if b["type"] == "actions"]


def _context_text(block: dict) -> str:
    assert block["type"] == "context"
    return block["elements"][0]["text"]


@pytest.mark.parametrize(("make", "name"), [(_text_out, "choices"), (_quote_out, "quote")], ids=["text", "quote"])
def test_reply_blocks_mark_buttons_with_the_reply_id(make: Callable[[], Outbound], name: str) -> None:
    out = make()
    rows = _actions(reply_blocks(out, RID))
    assert [r["block_id"] for r in rows] == [f"r:{RID}:{name}-0"]
    assert all(reply_id_of(r["block_id"]) == RID for r in rows)
    assert [e["value"] for e in rows[0]["elements"]] == [c.value for c in out.choices]
    assert [e["action_id"] for e in rows[0]["elements"]] == [f"bot.{c.action}.{i}" for i, c in enumerate(out.choices)]


@pytest.mark.parametrize(("make", "name"), [(_text_out, "choices"), (_quote_out, "quote")], ids=["text", "quote"])
def test_reply_blocks_without_reply_id_are_unmarked(make: Callable[[], Outbound], name: str) -> None:
    rows = _actions(reply_blocks(make()))
    assert [r["block_id"] for r in rows] == [f"{name}-0"]
    assert reply_id_of(rows[0]["block_id"]) is None


def test_many_choices_split_into_rows_all_carrying_the_reply_id() -> None:
    out = _text_out(30)
    rows = _actions(reply_blocks(out, RID))
    assert [r["block_id"] for r in rows] == [f"r:{RID}:choices-0", f"r:{RID}:choices-1"]
    assert [len(r["elements"]) for r in rows] == [25, 5]
    assert {reply_id_of(r["block_id"]) for r in rows} == {RID}
    action_ids = [e["action_id"] for r in rows for e in r["elements"]]
    assert len(set(action_ids)) == 30


def test_quote_reply_is_a_card() -> None:
    blocks = reply_blocks(_quote_out(), RID)
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "お見積り(目安)です。"
    assert blocks[1]["type"] == "section" and len(blocks[1]["fields"]) == 3
    # the field lines are shown as fields, not repeated as text; the caveat is context
    shown = "\n".join(b.get("text", {}).get("text", "") for b in blocks if b["type"] == "section")
    assert "・売上高" not in shown and "プラン②のお見積りもできます。" in shown
    assert _context_text(blocks[-2]) == "※保険料は目安です。"
    assert blocks[-1]["type"] == "actions"


@pytest.mark.parametrize("make", [_text_out, _quote_out], ids=["text", "quote"])
def test_retired_blocks_drop_buttons_and_end_with_the_note(make: Callable[[], Outbound]) -> None:
    out = make()
    live = reply_blocks(out, RID)
    retired = retired_blocks(out, "A newer reply <@U1> & co took over.")
    assert not _actions(retired)
    assert _context_text(retired[-1]) == "A newer reply &lt;@U1&gt; &amp; co took over."
    # everything else is the reply as it was
    assert retired[:-1] == [b for b in live if b["type"] != "actions"]


def test_retired_blocks_of_a_reply_without_buttons() -> None:
    out = _text_out(0)
    assert not _actions(reply_blocks(out, RID))
    retired = retired_blocks(out, "old")
    assert [b["type"] for b in retired] == ["section", "context"]
    assert _context_text(retired[-1]) == "old"



@pytest.mark.parametrize("make", [_text_out, _quote_out], ids=["text", "quote"])
def test_a_reply_renders_the_same_after_the_outbox_record_round_trip(make: Callable[[], Outbound]) -> None:
    out = make()
    again = Outbound.from_record(out.to_record())
    assert reply_blocks(again, RID) == reply_blocks(out, RID)
    assert retired_blocks(again, "n") == retired_blocks(out, "n")
