"""The FAQ (content/faq.yaml) as a validated model.

Scripted QA and the engine refer to entries by id, so the required topics are checked on load:
a missing or misspelt id should stop start-up, not silently make a question unanswerable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from bot.content.bilingual import Bilingual
from bot.content.checks import unique_names
from bot.content.patterns import Patterns
from bot.datafiles import ContentError, Strict, load_model
from bot.lang import resolve

REQUIRED_IDS = (
    "quote-inputs",
    "sole-proprietor",
    "short-term",
    "ineligible-industries",
    "new-business",
    "coverage",
    "covered-costs",
    "emergency-support",
    "fines",
    "breach-reporting",
    "penalties",
    "damage-examples",
    "sme-risk",
    "premium-examples",
)


def _not_blank(v: str) -> str:
    """Stripped; a blank text would be shown as an empty answer or match every question."""
    if not v.strip():
        raise ValueError("must not be blank")
    return v.strip()


def _clean_list(items: list[str]) -> list[str]:
    """Strip each item; an empty string would match everything or nothing, so refuse it."""
    out = [item.strip() for item in items]
    if any(not item for item in out):
        raise ValueError("must not contain empty strings")
    return out


class PerLanguageList(Strict):
    """A list of phrases in each language; both must be non-empty."""

    ja: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)

    @field_validator("ja", "en")
    @classmethod
    def _non_empty_items(cls, v: list[str]) -> list[str]:
        return _clean_list(v)


class OptionalPerLanguageList(Strict):
    """Optional phrase lists (keywords, fillers): either language may be empty."""

    ja: list[str] = []
    en: list[str] = []

    @field_validator("ja", "en")
    @classmethod
    def _non_empty_items(cls, v: list[str]) -> list[str]:
        return _clean_list(v)


class Answer(Bilingual):
    """An entry's answer, `answer(lang)`; neither language blank."""

    _texts = field_validator("ja", "en")(_not_blank)


class FaqEntry(Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    questions: PerLanguageList
    answer: Answer
    keywords: OptionalPerLanguageList = OptionalPerLanguageList()
    partial: bool = False
    """The sources answer part of the question only (the answer says which part, and what only
    a person can confirm): after it, the bot offers a person."""

    def questions_in(self, lang: str) -> list[str]:
        """Question forms in `lang` ('en', else Japanese); the first is the entry's title."""
        return list(self.questions.en if resolve(lang) == "en" else self.questions.ja)


class Synonyms(Strict):
    """canonical form -> variants, per language. Variants are rewritten to the canonical form."""

    ja: dict[str, list[str]] = {}
    en: dict[str, list[str]] = {}

    @field_validator("ja", "en")
    @classmethod
    def _valid(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for canonical, variants in v.items():
            if not str(canonical).strip():
                raise ValueError("empty canonical form")
            if not variants:
                raise ValueError(f"'{canonical}' has no variants")
            out[str(canonical).strip()] = _clean_list([str(x) for x in variants])
        return out


class _SetExample(Strict):
    """One line of an example set: a question in a person's own words and the entry that
    answers it (None: the bot must not answer it)."""

    q: str = Field(min_length=1)
    id: str | None

    _q = field_validator("q")(_not_blank)


class FaqExample(_SetExample):
    """A labelled question as the classifier sees it; `source` names the set it came from, so
    a benchmark can leave one set out at a time."""

    source: str = ""


class ExampleSet(Strict):
    """One set of labelled questions, kept together as it was written."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    about: str = ""
    examples: list[_SetExample] = Field(min_length=1)


class FaqExamples(Strict):
    """content/faq_examples.yaml: sets of labelled questions the classifier learns from."""

    sets: list[ExampleSet] = []

    @field_validator("sets")
    @classmethod
    def _unique_names(cls, sets: list[ExampleSet]) -> list[ExampleSet]:
        return unique_names(sets)


class FaqContent(Strict):
    source: str = Field(min_length=1)
    abstain_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    statement_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    """For a message that is not phrased as a question while the bot is waiting for a fact
    ("従業員50名です"): answered from the FAQ only above this higher bar."""
    out_of_scope: Patterns = Patterns()
    synonyms: Synonyms = Synonyms()
    fillers: OptionalPerLanguageList = OptionalPerLanguageList()
    entries: list[FaqEntry] = Field(min_length=1)
    examples: list[FaqExample] = []
    """Labelled questions, filled in by `load_faq` from faq_examples.yaml beside faq.yaml."""

    @field_validator("statement_threshold")
    @classmethod
    def _not_below_abstain(cls, v: float, info: Any) -> float:
        low = info.data.get("abstain_threshold")
        if low is not None and v < low:
            raise ValueError(f"must not be below abstain_threshold ({low})")
        return v

    @field_validator("entries")
    @classmethod
    def _ids(cls, entries: list[FaqEntry]) -> list[FaqEntry]:
        """Validated on the field so the error names `entries`."""
        seen: set[str] = set()
        for entry in entries:
            if entry.id in seen:
                raise ValueError(f"duplicate id '{entry.id}'")
            seen.add(entry.id)
        missing = [i for i in REQUIRED_IDS if i not in seen]
        if missing:
            raise ValueError(f"required entries missing: {', '.join(missing)}")
        return entries

    def entry(self, entry_id: str) -> FaqEntry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)


EXAMPLES_FILE = "faq_examples.yaml"


def load_faq(path: Path) -> FaqContent:
    """Load and validate content/faq.yaml and the labelled examples beside it
    (faq_examples.yaml); problems raise ContentError naming file and field.

    The examples are required: without them, and without out-of-scope ones among them, the
    classifier has never seen a question it must not answer, and would answer the nearest
    entry to anything. They live in that file only, so one check covers their ids."""
    faq = load_model(path, FaqContent)
    if faq.examples:
        raise ContentError(str(path), "examples", f"labelled questions belong in {EXAMPLES_FILE}")
    examples_path = path.with_name(EXAMPLES_FILE)
    if not examples_path.exists():
        raise ContentError(
            str(examples_path), "",
            "missing: the FAQ classifier learns from these labelled questions (see the file in the repository)",
        )
    known = {e.id for e in faq.entries}
    extra: list[FaqExample] = []
    for i, example_set in enumerate(load_model(examples_path, FaqExamples).sets):
        for j, example in enumerate(example_set.examples):
            if example.id is not None and example.id not in known:
                raise ContentError(
                    str(examples_path), f"sets.{i}.examples.{j}.id",
                    f"unknown FAQ entry id '{example.id}' (ids are defined in {path.name})",
                )
            extra.append(FaqExample(q=example.q, id=example.id, source=example_set.name))
    if not any(e.id is None for e in extra):
        raise ContentError(
            str(examples_path), "sets",
            "no out-of-scope questions (id: null): the classifier must see questions it must not answer",
        )
    return faq.model_copy(update={"examples": extra})
