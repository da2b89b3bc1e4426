"""The bot's copy (content/messages.yaml): every sentence, in Japanese and English."""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from bot.content.bilingual import Bilingual
from bot.datafiles import Strict, load_model
from bot.lang import resolve


class Text(Bilingual):
    """One of the bot's sentences; both languages use the same placeholders.

    English counts where Japanese does not ("1 minute", "2 minutes"): a sentence that names a
    number may say `one: minutes` and give `en_one`, the English for when that value is 1."""

    one: str | None = Field(default=None, pattern=r"^[a-z_]{1,40}$")
    en_one: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _same_placeholders(self) -> "Text":
        ja, en = _placeholders(self.ja), _placeholders(self.en)
        if ja != en:
            raise ValueError(f"ja uses {sorted(ja)} but en uses {sorted(en)}")
        if (self.one is None) != (self.en_one is None):
            raise ValueError("`one` and `en_one` go together (the value that is 1, and the English for it)")
        if self.one is not None and self.en_one is not None:
            if self.one not in en:
                raise ValueError(f"one: {self.one} is not a placeholder of this sentence")
            extra = _placeholders(self.en_one) - en
            if extra:
                raise ValueError(f"en_one uses {sorted(extra)}, which en does not")
            dropped = en - {self.one} - _placeholders(self.en_one)
            if dropped:
                raise ValueError(f"en_one leaves out {sorted(dropped)}, which en says")
        return self

    def template(self, lang: str, values: dict[str, object]) -> str:
        """The sentence to fill: the singular English when its number is 1."""
        if self.en_one is not None and self.one is not None and resolve(lang) == "en" and values.get(self.one) == 1:
            return self.en_one
        return self(lang)


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise ValueError(f"bad placeholder braces: {exc}") from None


class SalesRange(Strict):
    yen: int = Field(gt=0)
    low_yen: int = Field(ge=0)
    label: Text


class Outcome(Strict):
    key: str = Field(pattern=r"^[a-z_]{1,40}$")
    label: Text


class Settings(Strict):
    handoff_expected_wait_minutes: int = Field(gt=0)


REQUIRED = (
    "greeting monthly_note ask_both ask_sales ask_industry ack_sales ack_industry floor_note "
    "label_sales label_industry label_plan label_limits label_deductible "
    "label_monthly label_annual plan_plan1 plan_plan2 limits quote_caveat "
    "plan2_noted plan1_noted after_quote_hint reason_above_table reason_unrated_industry "
    "reason_it_services offer_person reject_non_positive reject_absurd reject_foreign_currency "
    "unreadable_sales unreadable_industry not_understood empty_message out_of_scope faq_resume greeting_again thanks_reply unreadable_both unquotable_next dont_know_sales dont_know_industry reason_not_understood file_shared refuse_not_your_conversation slash_dm_failed "
    "handoff_started handoff_incident handoff_already handoff_claimed "
    "handoff_closed handoff_declined restart button_handoff button_requote button_faq "
    "button_plan2 button_plan1 button_other_industry button_type_amount button_yes_person "
    "button_no_thanks type_amount_hint other_industry_hint faq_menu incident_reason "
    "clicked slash_started home_title home_body home_steps label_reason "
    "label_prospect label_thread label_quote "
    "open_thread not_yet no_quote quote_summary reason_requested reason_incident reason_faq_abstained reason_faq_partial "
    "reason_code_above_table reason_code_unrated_industry reason_code_it_services_option role_prospect "
    "role_bot role_agent button_claim button_close card_waiting card_claimed card_closed refuse_not_agent "
    "refuse_taken refuse_not_owner refuse_closed refuse_claim_first relay_from_prospect reminder close_title "
    "close_outcome close_submit cancel store_unavailable rate_limited state_lost click_expired "
    "button_cancel_handoff handoff_cancelled handoff_status handoff_status_reminded cannot_answer buttons_retired "
    "click_superseded click_superseded_nolink clicked_anonymous card_cancelled card_claimed_in_thread "
    "reason_agent_joined relay_from_prospect_urgent quote_headline quote_basis plan_chosen sales_range terminal_no_agent terminal_agent_usage terminal_no_handoff "
    "terminal_agent_name handoff_reopened handoff_started_closed handoff_incident_closed handoff_status_closed "
    "when_today when_next_day survey_question button_satisfaction_1 button_satisfaction_2 button_satisfaction_3 "
    "button_satisfaction_4 button_satisfaction_5 survey_thanks survey_already card_header_waiting card_header_urgent "
    "card_header_claimed card_header_claimed_urgent card_header_closed card_header_cancelled card_notify "
    "card_notify_urgent card_who card_who_unknown card_intro card_in_dm lang_ja lang_en label_ask label_history "
    "reason_after button_release button_assign button_reopen button_start_quote home_faq_topics home_agent_title "
    "home_queue home_queue_empty home_mine home_mine_empty home_open_card home_figures home_today home_week "
    "home_figures_lines card_reminded card_closing_note card_satisfaction close_note close_note_hint "
    "refuse_cancelled refuse_not_claimed refuse_already_theirs refuse_assign_not_agent note_hint_unclaimed "
    "note_hint_owner note_hint_ended relay_failed reminder_urgent handoff_delayed role_note"
).split()


PLACEHOLDERS: dict[str, frozenset[str]] = {
    key: frozenset(names.split())
    for key, names in {
        "ack_sales": "sales", "ack_industry": "industry",
        "monthly_note": "monthly annual", "floor_note": "floor", "limits": "liability costs",
        "offer_plan2": "liability costs", "offer_plan1": "liability costs", "reason_above_table": "max",
        "reason_unrated_industry": "industry", "reject_absurd": "sales", "handoff_started": "minutes",
        "handoff_claimed": "agent", "clicked": "user label", "quote_summary": "plan monthly annual",
        "card_claimed": "agent", "card_closed": "agent outcome", "refuse_taken": "agent",
        "refuse_not_owner": "agent", "file_shared": "files", "relay_from_prospect": "text",
        "reminder": "count who minutes reason link", "reminder_urgent": "count who minutes reason link",
        "handoff_reopened": "agent", "handoff_started_closed": "when", "handoff_status_closed": "when",
        "when_today": "time", "when_next_day": "date time", "card_header_waiting": "minutes",
        "card_header_urgent": "minutes", "card_header_claimed": "agent", "card_header_claimed_urgent": "agent",
        "card_header_closed": "agent", "card_notify": "who reason", "card_notify_urgent": "who reason",
        "card_who": "name", "card_intro": "who user where lang received minutes", "reason_after": "after",
        "home_queue": "count", "home_mine": "count", "card_reminded": "count", "card_closing_note": "note",
        "card_satisfaction": "score", "refuse_already_theirs": "agent", "refuse_assign_not_agent": "user",
        "note_hint_owner": "agent",
        "home_figures_lines": "started quotes handoffs claimed median p90 closed cancelled satisfaction rated", "handoff_status": "minutes", "handoff_status_reminded": "minutes",
        "click_superseded": "link", "clicked_anonymous": "label", "card_claimed_in_thread": "agent",
        "relay_from_prospect_urgent": "text", "quote_headline": "monthly plan", "quote_basis": "sales industry",
        "sales_range": "low high",
    }.items()
}
"""The values the code supplies to each sentence. A sentence may leave a value out, but a
placeholder the code does not supply ({salez}) would fail mid-conversation, so it stops loading."""


class Messages(Strict):
    """Look-ups are `messages.say("ack_sales", lang, sales=...)`."""

    settings: Settings
    sales_ranges: list[SalesRange] = Field(min_length=1, max_length=24)
    handoff_outcomes: list[Outcome] = Field(min_length=1, max_length=100)
    messages: dict[str, Text]

    @field_validator("messages")
    @classmethod
    def _all_present(cls, value: dict[str, Text]) -> dict[str, Text]:
        missing = [key for key in REQUIRED if key not in value]
        if missing:
            raise ValueError(f"missing message keys: {', '.join(missing)}")
        for key, text in value.items():
            unknown = (_placeholders(text.ja) | _placeholders(text.en)) - PLACEHOLDERS.get(key, frozenset())
            if unknown:
                allowed = ", ".join(sorted(PLACEHOLDERS.get(key, ()))) or "none"
                raise ValueError(f"{key}: unknown placeholder {{{sorted(unknown)[0]}}} (this sentence can use: {allowed})")
        return value

    def say(self, key: str, lang: str, /, **values: object) -> str:
        template = self.messages[key].template(lang, values)
        return template.format_map(values) if values else template


def load_messages(path: Path) -> Messages:
    return load_model(path, Messages)
