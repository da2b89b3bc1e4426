"""All content, loaded and cross-checked once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content import content_dir
from bot.content.faq import FaqContent, load_faq
from bot.content.industries import IndustryContent, load_industries
from bot.content.intents import IntentContent, load_intents
from bot.content.messages import Messages, load_messages
from bot.datafiles import ContentError
from bot.rating import RateTable, load_rate_table

FILES = {
    "rates": "rates.yaml",
    "industries": "industries.yaml",
    "messages": "messages.yaml",
    "faq": "faq.yaml",
    "intents": "intents.yaml",
}


@dataclass(frozen=True)
class Content:
    rates: RateTable
    industries: IndustryContent
    messages: Messages
    faq: FaqContent
    intents: IntentContent
    directory: Path


def load_content(directory: Path | None = None) -> Content:
    """Load and validate every content file; the first problem raises ContentError."""
    d = directory or content_dir()
    content = Content(
        rates=load_rate_table(d / FILES["rates"]),
        industries=load_industries(d / FILES["industries"]),
        messages=load_messages(d / FILES["messages"]),
        faq=load_faq(d / FILES["faq"]),
        intents=load_intents(d / FILES["intents"]),
        directory=d,
    )
    _cross_check(content)
    return content


def _cross_check(content: Content) -> None:
    """Every industry the rate table prices must be one the bot can recognise and name."""
    known = set(content.industries.industries)
    for key in [*content.rates.industries, *content.rates.not_quoted]:
        if key not in known:
            raise ContentError(
                str(content.directory / FILES["rates"]), f"industries.{key}",
                f"industry '{key}' is not defined in {FILES['industries']}",
            )
