"""One voice (issue 13, item 5): the bot speaks as an insurer to a business customer.

Japanese: です・ます throughout, 謙譲語 where the bot acts (ご案内いたします, 承知いたしました),
尊敬語 for what the customer does (ご入力ください, お知らせください), and none of the plain or
casual forms it used to have (教えてください, すみません, 承知しました, どういたしまして).
Texts for agents may be plainer (丁寧語 between colleagues) but still end in です・ます.

English: money as the bot writes it, ¥5,860 and ¥500 million, never ¥100M or 5億円.

The checks run over the real content files (messages.yaml and the FAQ answers), loaded on
their own so that a problem elsewhere in content/ does not hide these ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content.faq import FaqContent, load_faq
from bot.content.messages import Messages, load_messages
from bot.money import format_price, format_yen

CONTENT = Path(__file__).resolve().parents[1] / "content"

# Forms no Japanese text may contain, for customers or agents alike.
BANNED = [
    r"(?<!お)教えてください",  # お教えください / お知らせください / お聞かせください
    r"すみません", r"すいません",  # 申し訳ございません / 恐れ入りますが / お手数ですが
    r"承知しました",  # 承知いたしました
    r"どういたしまして",  # お役に立てて幸いです
    r"ごめん", r"だよ", r"だね", r"してね", r"じゃない",
]
# Forms the customer must not see, though agents may (「/agent のあとに…入力してください」).
BANNED_TO_CUSTOMERS = [
    r"入力してください",  # ご入力ください
    r"選んでください", r"選ぶと",  # お選びください / お選びいただければ
    r"訂正してください",  # 訂正がございましたら、そのままお送りください
    r"申し訳ありません",  # 申し訳ございません
    r"ですね。",  # と承りました
    r"ばどうぞ",  # お気軽にお尋ねください
    r"(ご案内|おつなぎ|お見積り|お答え|ご連絡|お出し|お調べ|サポート)します",  # …いたします
]

# Labels: buttons, card fields, plan names, short noun phrases shown beside a value or as a
# card's reason. They are not sentences, so they need no sentence ending (「担当者に相談」,
# 「未回答」, 「月額 {monthly}(目安)」); the banned forms still apply to them.
LABEL_PREFIXES = ("button_", "label_", "plan_", "role_", "urgency_", "close_", "reason_code_", "card_header_",
                  "summary_", "lang_", "when_")
LABELS = {
    "open_thread", "not_yet", "no_quote", "cancel", "home_title", "limits", "quote_summary",
    "quote_headline", "quote_basis", "sales_range",
    "incident_reason", "relay_from_prospect", "relay_from_prospect_urgent", "terminal_agent_name",
    # the reason a card gives for a handoff, read by agents as a field value
    "reason_requested", "reason_incident", "reason_faq_abstained", "reason_faq_partial",
    "reason_not_understood", "reason_agent_joined", "reason_after",
    # the agent desk's card lines and App Home's headings and figures
    "card_notify", "card_notify_urgent", "card_who", "card_who_unknown", "card_intro", "card_in_dm",
    "card_reminded", "card_closing_note", "card_satisfaction", "home_agent_title", "home_queue", "home_mine",
    "home_open_card", "home_figures", "home_today", "home_week", "home_figures_lines", "home_faq_topics",
}
# Said to agents (the agent channel, the terminal agent): plainer, still です・ます.
AGENT_TEXTS = {
    "card_waiting", "card_claimed", "card_cancelled", "card_claimed_in_thread", "refuse_not_agent",
    "refuse_taken", "refuse_not_owner", "refuse_closed", "refuse_claim_first", "reminder",
    "terminal_no_agent", "terminal_agent_usage", "reminder_urgent", "refuse_cancelled", "refuse_not_claimed",
    "refuse_already_theirs", "refuse_assign_not_agent", "note_hint_unclaimed", "note_hint_owner",
    "note_hint_ended", "relay_failed", "card_closed", "home_queue_empty", "home_mine_empty",
}
# A polite sentence ends in one of these (いたします, ございます end in ます; お役に立てて幸いです
# in です); a greeting is a set phrase.
POLITE_END = re.compile(r"(です|ます|ました|ません|でした|ください|でしょうか|ますか|ましょうか)$")
SET_PHRASES = {"こんにちは"}


def _is_label(key: str) -> bool:
    return key in LABELS or key.startswith(LABEL_PREFIXES)


def japanese_texts(messages: Messages, faq: FaqContent) -> Iterator[tuple[str, str, str]]:
    """(where, kind, text) for every Japanese text; kind is "label", "agent" or "customer"."""
    for key, text in messages.messages.items():
        kind = "label" if _is_label(key) else "agent" if key in AGENT_TEXTS else "customer"
        yield f"messages.{key}", kind, text.ja
    for r in messages.sales_ranges:
        yield f"sales_ranges.{r.yen}", "label", r.label.ja
    for o in messages.handoff_outcomes:
        yield f"handoff_outcomes.{o.key}", "label", o.label.ja
    for entry in faq.entries:
        yield f"faq.{entry.id}", "customer", entry.answer.ja


def sentences(text: str) -> Iterator[str]:
    """The sentences of a Japanese text whose endings should be polite: not bullet items (noun
    phrases in a list), headings ("ご利用方法:"), or a source citation "(出典: …)"."""
    text = re.sub(r"「[^」]*」", "「X」", text)  # a quoted example is the customer's words
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith(("•", "・")) or line.endswith((":", ":")):
            continue
        if line.startswith(("(", "(")) and line.endswith((")", ")")):
            line = line[1:-1].strip()  # a whole line in brackets is an aside, still a sentence
        line = re.sub(r"^(\(注\)|(注))", "", line)
        if line.startswith("出典"):
            continue
        for sentence in re.findall(r"[^。!?!?]+[。!?!?]*", line):
            if re.sub(r"\{[a-z_]+\}", "", sentence).strip():  # not a lone "{link}"
                yield sentence.strip()


def ending(sentence: str) -> str:
    """The sentence without its closing punctuation, a trailing placeholder ("…こちらです:
    {link}") or a trailing bracketed remark ("お知らせください(例:5億円)。")."""
    s, previous = sentence, None
    while s != previous:
        previous = s
        s = re.sub(r"[\s。!?!?」::]+$", "", s)
        s = re.sub(r"\{[a-z_]+\}$", "", s)
        stripped = re.sub(r"[((][^()()]*[))]$", "", s)
        if stripped.strip():
            s = stripped
    return s


def voice_problems(messages: Messages, faq: FaqContent) -> list[str]:
    problems = []
    for where, kind, text in japanese_texts(messages, faq):
        banned = BANNED + (BANNED_TO_CUSTOMERS if kind == "customer" else [])
        problems += [f"{where}: {p!r} in {text!r}" for p in banned if re.search(p, text)]
        if kind == "label":
            continue
        for sentence in sentences(text):
            end = ending(sentence)
            if not POLITE_END.search(end) and end not in SET_PHRASES:
                problems.append(f"{where}: not a polite ending: {sentence!r}")
    return problems


def english_money_problems(messages: Messages, faq: FaqContent) -> list[str]:
    """English money as format_yen/format_price write it: no ¥100M, no 5億円, no ¥500,000,000."""
    texts = [(f"messages.{k}", t.en) for k, t in messages.messages.items()]
    texts += [(f"messages.{k}.en_one", t.en_one) for k, t in messages.messages.items() if t.en_one]
    texts += [(f"sales_ranges.{r.yen}", r.label.en) for r in messages.sales_ranges]
    texts += [(f"faq.{e.id}", e.answer.en) for e in faq.entries]
    patterns = [r"¥\d+(\.\d+)?[KMB]\b", r"\d[万億兆]?円", r"¥\d{1,3}(,\d{3}){2,}"]
    return [f"{where}: {p!r} in {text!r}" for where, text in texts for p in patterns if re.search(p, text)]


@pytest.fixture(scope="module")
def messages() -> Messages:
    return load_messages(CONTENT / "messages.yaml")


@pytest.fixture(scope="module")
def faq() -> FaqContent:
    return load_faq(CONTENT / "faq.yaml")


def test_every_japanese_text_is_in_the_insurers_register(messages, faq):
    assert voice_problems(messages, faq) == []


def test_english_money_reads_as_the_bot_writes_it(messages, faq):
    assert english_money_problems(messages, faq) == []


def test_the_checks_catch_the_old_plain_forms():
    """The register check itself: each old sentence fails, its replacement passes."""
    def problems(ja: str) -> list[str]:
        banned = [p for p in BANNED + BANNED_TO_CUSTOMERS if re.search(p, ja)]
        impolite = [s for s in sentences(ja) if not POLITE_END.search(ending(s)) and ending(s) not in SET_PHRASES]
        return banned + impolite

    old_and_new = [
        ("年間の売上高を教えてください(例:5億円、3,000万円)。", "年間の売上高をお知らせください(例:5億円、3,000万円)。"),
        ("すみません、うまく読み取れませんでした。", "申し訳ございません。内容を読み取れませんでした。"),
        ("承知しました。", "承知いたしました。"),
        ("どういたしまして。", "お役に立てて幸いです。"),
        ("そのまま訂正してください(例:「売上は3億でした」)。", "訂正がございましたら、そのままお送りください(例:「売上は3億でした」)。"),
        ("担当者が個別にお見積りします。", "担当者が個別にお見積りいたします。"),
        ("売上高は{sales}ですね。", "売上高は{sales}と承りました。"),
        ("ご質問があればどうぞ。", "ご質問がございましたら、お気軽にお尋ねください。"),
        ("担当者を待っている", "担当者の対応を待っています。"),
    ]
    for old, new in old_and_new:
        assert problems(old), old
        assert not problems(new), new
    # asides, placeholders, headings and lists keep their sentence's ending
    for ok in ["(新しいご案内を表示しました)", "最新のご案内はこちらです:{link}", "ご利用方法:\n• 製造業: 5,860円",
               "中小企業の約32%です。\n(出典: IPA「調査」の割合)", "こんにちは。"]:
        assert not problems(ok), ok


@pytest.mark.parametrize(
    ("yen", "en"),
    [
        (5_860, "¥5,860"),
        (500_000, "¥500,000"),
        (1_000_000, "¥1 million"),
        (1_250_000, "¥1.25 million"),
        (30_000_000, "¥30 million"),
        (480_000_000, "¥480 million"),
        (500_000_000, "¥500 million"),
        (1_200_000_000, "¥1.2 billion"),
        (1_500_000_000, "¥1.5 billion"),
        (3_000_000_000, "¥3 billion"),
        (12 * 10**12, "¥12 trillion"),
        (-500_000_000, "-¥500 million"),
        # not exact in two decimals of its unit: the full figure, never a rounded one
        (123_456_789, "¥123,456,789"),
        (1_255_000, "¥1,255,000"),
        (1_234_000_000, "¥1,234,000,000"),
    ],
)
def test_english_yen(yen, en):
    assert format_yen(yen, "en") == en


def test_japanese_yen_and_premiums_are_unchanged():
    assert format_yen(500_000_000, "ja") == "5億円"
    assert format_yen(123_456_789, "ja") == "1億2,345万6,789円"
    assert format_price(5_860, "en") == "¥5,860"
    assert format_price(1_190_000, "en") == "¥1,190,000"  # a premium is always in full digits
