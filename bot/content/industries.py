"""content/industries.yaml: the industries the bot recognises and the words prospects use for them.

Validated on load because a mistake here silently misroutes prospects: a synonym listed under two
industries (or under an industry and `other_industries`) would make the answer depend on list
order, so it stops start-up instead, naming file and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from bot.content.bilingual import Bilingual
from bot.datafiles import ContentError, Strict, load_model
from bot.lang import LANGS
from bot.normalize import normalize, to_hiragana

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A label or synonym: stripped, never empty."""


class Labels(Bilingual):
    """How the bot names the industry back to the prospect, in each language.

    Callable, `industry.labels(lang)`, so callers need not branch on the language."""

    ja: Phrase
    en: Phrase


class Synonyms(Strict):
    """Words prospects use for the industry. Lists are split by language only for editors;
    matching uses every synonym whatever the message's language."""

    ja: list[Phrase] = Field(min_length=1)
    en: list[Phrase] = Field(min_length=1)


class Industry(Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    labels: Labels
    synonyms: Synonyms


class OtherIndustries(Strict):
    """Industries we do not rate: naming one means "hand over to a person", not "ask again"."""

    ja: list[Phrase] = Field(default_factory=list)
    en: list[Phrase] = Field(default_factory=list)


class IndustriesFile(Strict):
    """The file as written: a list, so a repeated key is an error and not a silent overwrite
    (YAML mappings keep the last of two equal keys)."""

    industries: list[Industry] = Field(min_length=1)
    other_industries: OtherIndustries = Field(default_factory=OtherIndustries)


class IndustryContent(Strict):
    """The loaded industries, by key (in file order), and the unrated industries' words."""

    industries: dict[str, Industry] = Field(min_length=1)
    other_industries: OtherIndustries = Field(default_factory=OtherIndustries)

    @field_validator("industries", mode="before")
    @classmethod
    def _from_list(cls, value: object) -> object:
        """Accept the file's list form too, keyed by each entry's `key`."""
        if isinstance(value, list):
            return {(e.key if isinstance(e, Industry) else e.get("key")): e for e in value}
        return value

    def get(self, key: str) -> Industry | None:
        """The industry with this key, or None."""
        return self.industries.get(key)

    def label(self, key: str, lang: str) -> str:
        """The industry's display name in `lang` ("en", else Japanese): the one way the engine,
        the replies and the agent desk name an industry. An unknown key is named by itself, so a
        conversation saved under a key content no longer has still reads, instead of failing."""
        industry = self.industries.get(key)
        return industry.labels(lang) if industry is not None else key

    @property
    def keys(self) -> list[str]:
        return list(self.industries)


def match_form(term: str) -> str:
    """The form a synonym is compared in: normalised and katakana folded to hiragana."""
    return to_hiragana(normalize(term))


def check_industries(content: IndustriesFile) -> tuple[str, str] | None:
    """The first cross-entry problem as (field, problem), or None.

    Checks what a schema cannot: keys unique, and each synonym (compared in its matching form,
    so カフェ and かふぇ are the same word) owned by one industry only.
    """
    seen_keys: dict[str, int] = {}
    owner: dict[str, tuple[str, str]] = {}
    for i, industry in enumerate(content.industries):
        if industry.key in seen_keys:
            return f"industries.{i}.key", f"duplicate key {industry.key!r} (also industries.{seen_keys[industry.key]})"
        seen_keys[industry.key] = i
        for lang in LANGS:
            for j, term in enumerate(getattr(industry.synonyms, lang)):
                form = match_form(term)
                if not form:
                    return f"industries.{i}.synonyms.{lang}.{j}", "empty after normalisation"
                prev = owner.get(form)
                if prev is not None and prev[0] != industry.key:
                    return (
                        f"industries.{i}.synonyms.{lang}.{j}",
                        f"synonym {term!r} is also a synonym of {prev[0]!r} ({prev[1]})",
                    )
                owner.setdefault(form, (industry.key, f"industries.{i}.synonyms.{lang}.{j}"))
    for lang in LANGS:
        for j, term in enumerate(getattr(content.other_industries, lang)):
            form = match_form(term)
            if form in owner:
                return (
                    f"other_industries.{lang}.{j}",
                    f"{term!r} is also a synonym of {owner[form][0]!r} ({owner[form][1]})",
                )
    return None


def load_industries(path: Path) -> IndustryContent:
    """Load and validate the industries file; any problem is a ContentError naming the field."""
    file = load_model(path, IndustriesFile)
    problem = check_industries(file)
    if problem is not None:
        raise ContentError(str(path), problem[0], problem[1])
    return IndustryContent(
        industries={i.key: i for i in file.industries}, other_industries=file.other_industries
    )
