"""The bot's copy (content/messages.yaml): every sentence, in Japanese and English."""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from bot.content.bilingual import Bilingual
from bot.datafiles import Strict, load_model


class Text(Bilingual):
    """One of the bot's sentences; both languages use the same placeholders."""

    @model_validator(mode="after")
    def _same_placeholders(self) -> "Text":
        ja, en = _placeholders(self.ja), _placeholders(self.en)
        if ja != en:
            raise ValueError(f"ja uses {sorted(ja)} but en uses {sorted(en)}")
        return self


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
    "clicked slash_started home_title home_body home_steps card_title card_title_urgent label_reason "
    "label_urgency label_prospect label_thread label_quote label_recent urgency_urgent urgency_normal "
    "open_thread not_yet no_quote quote_summary reason_requested reason_incident reason_faq_abstained reason_faq_partial "
    "reason_code_above_table reason_code_unrated_industry reason_code_it_services_option role_prospect "
    "role_bot role_agent button_claim button_close card_waiting card_claimed card_closed refuse_not_agent "
    "refuse_taken refuse_not_owner refuse_closed refuse_claim_first relay_from_prospect reminder close_title "
    "close_outcome close_submit cancel store_unavailable rate_limited state_lost click_expired "
    "button_cancel_handoff handoff_cancelled handoff_status handoff_status_reminded cannot_answer buttons_retired "
    "click_superseded click_superseded_nolink clicked_anonymous card_cancelled card_claimed_in_thread "
    "reason_agent_joined relay_from_prospect_urgent quote_headline quote_basis plan_chosen sales_range terminal_no_agent terminal_agent_usage terminal_no_handoff "
    "terminal_agent_name"
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
        "reminder": "minutes link", "handoff_status": "minutes", "handoff_status_reminded": "minutes",
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
        template = self.messages[key](lang)
        return template.format_map(values) if values else template


def load_messages(path: Path) -> Messages:
    return load_model(path, Messages)
