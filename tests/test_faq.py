"""FAQ content and matching: what a prospect sees when they ask a product question."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError
from bot.content.faq import REQUIRED_IDS, FaqExample, load_faq
from bot.money import format_yen
from bot.understanding.amounts import find_amount
from bot.understanding.faq import FaqHit, FaqIndex

ROOT = Path(__file__).resolve().parents[1]
FAQ_PATH = ROOT / "content" / "faq.yaml"
SOURCE_PAGE = ROOT / "docs" / "reference" / "cyber-insurance-page.ja.txt"


@pytest.fixture(scope="module")
def faq():
    return load_faq(FAQ_PATH)


@pytest.fixture(scope="module")
def index(faq):
    return FaqIndex.build(faq)


# --- content -------------------------------------------------------------------------------


def test_every_required_topic_is_present_with_both_languages(faq):
    ids = [e.id for e in faq.entries]
    assert set(REQUIRED_IDS) <= set(ids)
    for entry in faq.entries:
        assert entry.questions.ja and entry.questions.en, entry.id
        assert entry.answer.ja.strip() and entry.answer.en.strip(), entry.id


@pytest.mark.parametrize(
    "entry_id, figures",
    [
        ("penalties", ["1億円", "50万円"]),
        ("damage-examples", ["700万円", "300万円", "1,000万円", "2,000万円", "5億円", "100万円", "5億4,100万円"]),
        ("sme-risk", ["32%", "IPA", "2016", "4,000"]),
        ("premium-examples", ["5億円", "5,860円", "8,140円", "5,430円", "14,440円"]),
        ("breach-reporting", ["2022年4月", "1,000件", "個人情報保護委員会"]),
    ],
)
def test_figures_are_quoted_exactly_in_both_languages(faq, entry_id, figures):
    entry = faq.entry(entry_id)
    for figure in figures:
        assert figure in entry.answer.ja, (entry_id, figure)
    en_only = {"1,000件": "1,000", "個人情報保護委員会": "Personal Information Protection Commission", "2022年4月": "April 2022"}
    for figure in figures:
        if figure.endswith("円"):  # English money is written as the bot writes it: ¥5,860, ¥541 million
            english = format_yen(find_amount(figure).yen, "en")  # type: ignore[union-attr]
        else:
            english = en_only.get(figure, figure)
        assert english in entry.answer.en, (entry_id, figure, english)


def test_page_caveats_travel_with_the_figures(faq):
    damage = faq.entry("damage-examples").answer
    assert "一定の仮定" in damage.ja and "契約の条件によって異なります" in damage.ja
    assert "assum" in damage.en and "terms of the contract" in damage.en
    support = faq.entry("emergency-support").answer
    assert "自動セット" in support.ja and "日本国内" in support.ja and "お支払いできる事故" in support.ja
    assert "within Japan" in support.en and "automatically" in support.en
    assert "対象とはなりません" in faq.entry("fines").answer.ja
    assert "短期契約はご契約いただけません" in faq.entry("short-term").answer.ja


def test_every_figure_in_the_japanese_answers_is_on_the_source_page(faq):
    page = SOURCE_PAGE.read_text(encoding="utf-8")
    page_numbers = set(re.findall(r"\d[\d,]*", page))
    for entry in faq.entries:
        for number in re.findall(r"\d[\d,]*", entry.answer.ja):
            assert number in page_numbers, (entry.id, number)


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _raw() -> dict:
    return yaml.safe_load(FAQ_PATH.read_text(encoding="utf-8"))


def test_missing_required_topic_stops_loading_naming_the_field(tmp_path):
    data = _raw()
    data["entries"] = [e for e in data["entries"] if e["id"] != "fines"]
    with pytest.raises(ContentError) as err:
        load_faq(_write(tmp_path, data))
    assert err.value.field == "entries" and "fines" in err.value.problem


def test_duplicate_id_is_rejected(tmp_path):
    data = _raw()
    data["entries"].append(dict(data["entries"][0]))
    with pytest.raises(ContentError) as err:
        load_faq(_write(tmp_path, data))
    assert "duplicate" in err.value.problem


def test_an_entry_without_english_questions_is_rejected(tmp_path):
    data = _raw()
    data["entries"][2]["questions"]["en"] = []
    with pytest.raises(ContentError) as err:
        load_faq(_write(tmp_path, data))
    assert err.value.field == "entries.2.questions.en"


def test_an_empty_answer_is_rejected(tmp_path):
    data = _raw()
    data["entries"][0]["answer"]["en"] = "   "
    with pytest.raises(ContentError) as err:
        load_faq(_write(tmp_path, data))
    assert err.value.field.startswith("entries.0.answer.en")


def test_a_bad_out_of_scope_regex_is_rejected(tmp_path):
    data = _raw()
    data["out_of_scope"]["ja"].append("(unclosed")
    with pytest.raises(ContentError) as err:
        load_faq(_write(tmp_path, data))
    assert err.value.field.startswith("out_of_scope.ja")


# --- matching ------------------------------------------------------------------------------
# None of these questions is written in the content: they are paraphrases, other politeness
# levels, other spellings (full-width, kana for kanji, half-width kana) and typos.

PARAPHRASES = [
    ("見積もりを出してもらうには何を伝えたらいいですか", "quote-inputs"),
    ("見積りにはどのくらい時間がかかるの?", "quote-inputs"),
    ("How quick is it to get an estimate, and what do you need?", "quote-inputs"),
    ("こじんじぎょうぬしでもはいれますか", "sole-proprietor"),
    ("I'm a sole trader - am I allowed to buy this?", "sole-proprietor"),
    ("半年だけの契約ってできる?", "short-term"),
    ("１年未満の契約は可能でしょうか", "short-term"),
    ("Can I take a 3 month policy?", "short-term"),
    ("業種によっては加入を断られますか", "ineligible-industries"),
    ("Are any sectors excluded from cover?", "ineligible-industries"),
    ("今年設立したばかりの会社ですが申し込めますか", "new-business"),
    ("We only opened this year, so we have no turnover yet. Can we still apply?", "new-business"),
    ("サイバー保険の補償内容を簡単に教えてもらえますか", "coverage"),
    ("What does cyber insurance actually protect me against?", "coverage"),
    ("謝罪広告や記者会見の費用まで出るんですか", "covered-costs"),
    ("Would it pay for a call center and temporary staff?", "covered-costs"),
    ("緊急時サポートは海外でも使えますか", "emergency-support"),
    ("Is the emergency support service included for free?", "emergency-support"),
    ("ﾊﾞｯｷﾝは保険でカバーされますか", "fines"),
    ("Will my policy pay a fine imposed by the regulator?", "fines"),
    ("漏えいがあったとき委員会へ報告しないといけないのはどんな場合?", "breach-reporting"),
    ("When is a leak notifiable to the commission?", "breach-reporting"),
    ("報告義務違反の罰金はいくらですか", "penalties"),
    ("What's the maximum penalty under the privacy rules?", "penalties"),
    ("情報漏えいの被害額の例を知りたい", "damage-examples"),
    ("How much did the unauthorised access example cost in total?", "damage-examples"),
    ("小さい会社でも本当に狙われるの?", "sme-risk"),
    ("Are small companies really at risk of being attacked?", "sme-risk"),
    ("月々の保険料は大体どのくらいですか", "premium-examples"),
    ("ﾌﾘｰﾗﾝｽでも入れますか", "sole-proprietor"),  # half-width katakana
    ("what's the monthy premum for a retailer?", "premium-examples"),  # typos
    ("Whats teh price per month for wholesale?", "premium-examples"),  # typos
]


@pytest.mark.parametrize("question, expected", PARAPHRASES)
def test_paraphrases_match_the_right_topic(index, question, expected):
    hit = index.match(question)
    assert hit is not None, (question, index.rank(question)[:3])
    assert hit.id == expected, (question, index.rank(question)[:3])


# Written all in hiragana, as a phone user who leaves words unconverted would.
KANA_ONLY = [
    ("ろうえいしたらほうこくしないといけないの?", "breach-reporting"),
    ("ひがいがくのれいをみせて", "damage-examples"),
    ("きんきゅうじさぽーとってなに", "emergency-support"),
    ("ちゅうしょうきぎょうもねらわれるの?", "sme-risk"),
    ("たんきのけいやくはできますか", "short-term"),
    ("かいぎょうしたばかりでもはいれる?", "new-business"),
]


@pytest.mark.parametrize("question, expected", KANA_ONLY)
def test_questions_written_in_kana_for_kanji_match(index, question, expected):
    hit = index.match(question)
    assert hit is not None and hit.id == expected, (question, index.rank(question)[:3])


OUT_OF_SCOPE = [
    "自動車保険の見積り",
    "今日の天気",
    "Tell me a joke",
    "火災保険の保険料を教えてください",
    "生命保険に入りたい",
    "What's the exchange rate for the dollar today?",
    "Do you offer home insurance?",
    "おいしいラーメン屋さんを教えて",
    "Who is the prime minister of Japan?",
    "会議室を予約したい",
    "🙂🙂🙂",
    "",
]


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_abstain(index, question):
    assert index.match(question) is None, (question, index.rank(question)[:3])


def test_rank_is_best_first_and_scores_are_bounded(index):
    hits = index.rank("罰金は補償されますか")
    assert hits and all(isinstance(h, FaqHit) for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores) and sum(scores) <= 1.0 + 1e-3
    assert hits[0].id == "fines"


def test_answer_is_in_the_requested_language(index, faq):
    assert index.answer("sole-proprietor", "ja") == faq.entry("sole-proprietor").answer.ja
    assert index.answer("sole-proprietor", "en") == faq.entry("sole-proprietor").answer.en
    assert "sole proprietors" in index.answer("sole-proprietor", "en")
    with pytest.raises(KeyError):
        index.answer("no-such-topic", "ja")


def test_huge_and_odd_messages_are_answered_or_abstained_safely(index):
    """Timing lives in benchmarks/faq_eval.py; here, odd input must neither crash nor match."""
    messages = [
        "a" * 40_000,
        "\u202e\u0000\ufeff\u200b\u0301\u0308 🙂 \U0010ffff \ud7ff",
        "ｶﾞｷﾞｸﾞｹﾞｺﾞ" * 300,
        "\n\t  \r\n",
    ]
    for message in messages:
        assert index.match(message) is None, message[:20]
        assert all(0.0 <= hit.score <= 1.0 for hit in index.rank(message))
    # A real question drowned in repetition is still that question, not a crash.
    hit = index.match("罰金は補償されますか" * 4000)
    assert hit is None or hit.id == "fines"


# --- general behaviours of the method -------------------------------------------------------


@pytest.mark.parametrize(
    "inflected, plain",
    [
        ("Is enrolling possible for a sole trader?", "Is it possible to enroll as a sole trader?"),
        ("Which sectors get excluded?", "Which sector gets excluded?"),
        ("Are our hacked laptops' repairs paid for?", "Are our hack laptop repair paid for?"),
    ],
)
def test_english_inflections_match_their_stem(index, inflected, plain):
    """-ing, -ed and plural forms (of synonym members too) read as the word itself."""
    assert index.rank(inflected) == index.rank(plain)
    assert index.rank(inflected) != index.rank("zzzz")  # not just two unknown sentences


@pytest.mark.parametrize(
    "typo, spelt",
    [
        ("Can a sole propreitor enroll?", "Can a sole proprietor enroll?"),  # swapped letters
        ("what does the coverge include", "what does the coverage include"),  # synonym member
        ("is there an emergancy hotline", "is there an emergency hotline"),  # inside a phrase
        # typos that labelled examples contain too: examples must not make them known words
        ("what does my covrage include", "what does my coverage include"),
        ("how much is the permium", "how much is the premium"),
        ("is a sole propietor elegible", "is a sole proprietor eligible"),
        ("can I get a qoute", "can I get a quote"),
    ],
)
def test_a_typo_of_a_content_or_synonym_word_is_corrected(index, typo, spelt):
    assert index.rank(typo) == index.rank(spelt)
    assert index.match(typo) is not None


def test_a_short_real_word_is_not_taken_for_a_typo(index):
    """prime is one letter from price (a premium synonym) but is a word of its own."""
    assert index.rank("prime") == index.rank("qwert")  # an unknown word, not read as price
    assert index.rank("premum") == index.rank("premium") != index.rank("qwert")  # a dropped letter


def test_grammar_words_do_not_pull_towards_a_topic(index):
    assert index.rank("Are forensic costs covered after an incident?") == index.rank(
        "Are forensic costs covered for an incident?"
    )


def test_a_negated_phrase_is_not_read_as_its_opposite(faq, index):
    """対象外 (not covered) must not be rewritten to 補償 (covered)."""
    coverage_words = faq.synonyms.ja["補償"]
    assert not any("対象外" in word or "ない" in word for word in coverage_words)
    assert index.rank("対象外")[0].id != index.rank("補償")[0].id


def test_english_synonym_groups_do_not_collide_once_stemmed(faq):
    """Two groups whose members meet after stemming (inform/information) would make one word
    mean two things, whichever group happened to come first."""
    from bot.normalize import normalize
    from bot.understanding.faq.analyzer import Analyzer

    analyzer = Analyzer(faq)
    owners: dict[str, set[str]] = {}
    for canonical, variants in faq.synonyms.en.items():
        for variant in [*variants, canonical]:
            owners.setdefault(analyzer.stem_text(normalize(variant)), set()).add(canonical)
    assert not {form: groups for form, groups in owners.items() if len(groups) > 1}


# --- labelled examples (content/faq_examples.yaml) ------------------------------------------


def _content_copy(tmp_path: Path, sets: list[dict] | None) -> Path:
    """faq.yaml as shipped, with `sets` as the faq_examples.yaml beside it (None: no such file)."""
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    if sets is not None:
        (tmp_path / "faq_examples.yaml").write_text(
            yaml.safe_dump({"sets": sets}, allow_unicode=True), encoding="utf-8"
        )
    return path


def _set(name: str, *examples: tuple[str, str | None]) -> dict:
    return {"name": name, "examples": [{"q": q, "id": i} for q, i in examples]}


def test_the_shipped_examples_are_loaded_with_the_faq_and_keep_their_set(faq):
    assert len(faq.examples) > 1000
    assert any(e.id is None for e in faq.examples) and any(e.id == "fines" for e in faq.examples)
    sources = {e.source for e in faq.examples}
    assert len(sources) >= 2 and "" not in sources


def test_an_example_with_an_unknown_id_stops_loading_naming_its_file_and_field(tmp_path):
    path = _content_copy(tmp_path, [_set("a", ("半年だけ入れる?", "short-term"), ("罰金は?", "fine"))])
    with pytest.raises(ContentError) as err:
        load_faq(path)
    assert err.value.file.endswith("faq_examples.yaml") and err.value.field == "sets.0.examples.1.id"
    assert "fine" in err.value.problem


def test_examples_written_into_faq_yaml_stop_loading_pointing_to_their_file(tmp_path):
    data = _raw()
    data["examples"] = [{"q": "罰金は?", "id": "fines"}]
    path = _write(tmp_path, data)
    (tmp_path / "faq_examples.yaml").write_text((ROOT / "content" / "faq_examples.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_faq(path)
    assert err.value.field == "examples" and "faq_examples.yaml" in err.value.problem


def test_two_example_sets_with_one_name_stop_loading(tmp_path):
    path = _content_copy(tmp_path, [_set("a", ("半年だけ入れる?", "short-term")), _set("a", ("罰金は?", "fines"))])
    with pytest.raises(ContentError) as err:
        load_faq(path)
    assert err.value.field == "sets" and "a" in err.value.problem


def test_without_the_examples_file_loading_stops_naming_it(tmp_path):
    with pytest.raises(ContentError) as err:
        load_faq(_content_copy(tmp_path, None))
    assert err.value.file.endswith("faq_examples.yaml") and "missing" in err.value.problem


def test_examples_without_an_out_of_scope_question_stop_loading(tmp_path):
    """The classifier must see what it must not answer, or it answers the nearest entry to
    anything ("Who is the prime minister?")."""
    with pytest.raises(ContentError) as err:
        load_faq(_content_copy(tmp_path, [_set("a", ("半年だけ入れる?", "short-term"))]))
    assert err.value.field == "sets" and "out-of-scope" in err.value.problem


def test_a_blank_example_question_stops_loading_naming_its_field(tmp_path):
    with pytest.raises(ContentError) as err:
        load_faq(_content_copy(tmp_path, [_set("a", ("今日の天気は?", None), ("   ", "fines"))]))
    assert err.value.field == "sets.0.examples.1.q"


SMALL_TALK = _set("chat", ("今日の天気は?", None), ("Tell me a joke", None), ("おすすめのランチは?", None))


def test_a_labelled_example_teaches_a_way_of_asking_the_content_does_not_spell_out(tmp_path):
    question = "繁忙期の間だけお願いできる?"
    assert FaqIndex.build(load_faq(_content_copy(tmp_path, [SMALL_TALK]))).match(question) is None
    taught = FaqIndex.build(load_faq(_content_copy(tmp_path, [SMALL_TALK, _set(
        "staff",
        ("年末の繁忙期だけ頼めますか", "short-term"),
        ("繁忙期のあいだだけお願いしたい", "short-term"),
    )])))
    assert taught.match(question) == FaqHit("short-term", taught.match(question).score)


def test_out_of_scope_examples_teach_what_not_to_answer(faq):
    """保険料 is a premium word, but where to pay it is not on the page: a few labelled
    out-of-scope questions about agents stop the premium entry being answered."""
    question = "近くの代理店で保険料を払えますか"
    untaught = [e for e in faq.examples if "代理店" not in e.q]
    before = FaqIndex.build(faq.model_copy(update={"examples": untaught})).match(question)
    assert before is not None and before.id == "premium-examples"
    taught = untaught + [
        FaqExample(q=q, id=None, source="t") for q in ["代理店はどこにありますか", "近所の代理店を紹介して", "代理店で相談したい"]
    ]
    assert FaqIndex.build(faq.model_copy(update={"examples": taught})).match(question) is None


def test_no_benchmark_question_is_also_a_training_example(faq):
    """A benchmark question that is also an example would measure memory, not matching."""
    def same(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).lower().split())

    taught = {same(e.q) for e in faq.examples}
    sets = list((ROOT / "benchmarks").glob("faq_*.yaml"))
    assert sets
    for path in sets:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            assert same(item["q"]) not in taught, (path.name, item["q"])
