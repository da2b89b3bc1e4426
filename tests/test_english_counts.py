"""English counts where Japanese does not: no "1 minutes" or "reminded 1 times" reaches anyone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.content.messages import PLACEHOLDERS, Text, load_messages

CONTENT = Path(__file__).resolve().parents[1] / "content"
COUNTED = ("minutes", "count", "rated")  # values that are a number of something
A_PLURAL_AFTER_ONE = re.compile(r"(?<![\d,.])1 (\w+s)\b")


@pytest.fixture(scope="module")
def messages():
    return load_messages(CONTENT / "messages.yaml")


def _values(key: str, one: str) -> dict[str, object]:
    return {name: 1 if name == one else 2 for name in PLACEHOLDERS.get(key, ())}


def test_no_english_sentence_says_one_with_a_plural(messages):
    """Every sentence, rendered with each of its counted values at 1 (the others at 2)."""
    problems = []
    for key, text in messages.messages.items():
        for name in COUNTED:
            if "{" + name + "}" not in text.en:
                continue
            rendered = messages.say(key, "en", **_values(key, name))
            if A_PLURAL_AFTER_ONE.search(rendered):
                problems.append(f"{key}: {rendered!r}")
    assert problems == []


def test_the_singular_is_only_for_one_and_only_in_english(messages):
    assert messages.say("handoff_status", "en", minutes=1).startswith("You've been waiting about a minute.")
    assert "about 3 minutes" in messages.say("handoff_status", "en", minutes=3)
    assert messages.say("handoff_status", "ja", minutes=1).startswith("ご依頼から1分ほど")
    assert messages.say("card_reminded", "en", count=1) == " (reminded once)"
    assert messages.say("card_reminded", "en", count=4) == " (reminded 4 times)"


def test_a_singular_must_name_its_number_and_use_only_the_sentences_values():
    with pytest.raises(ValidationError, match="go together"):
        Text(ja="{minutes}分", en="{minutes} minutes", one="minutes")
    with pytest.raises(ValidationError, match="not a placeholder"):
        Text(ja="{minutes}分", en="{minutes} minutes", one="count", en_one="a minute")
    with pytest.raises(ValidationError, match="en does not"):
        Text(ja="{minutes}分", en="{minutes} minutes", one="minutes", en_one="{who} waited a minute")
    with pytest.raises(ValidationError, match="leaves out"):
        Text(ja="{minutes}分 {link}", en="{minutes} minutes {link}", one="minutes", en_one="a minute")
