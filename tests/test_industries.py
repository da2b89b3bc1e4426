"""Industries: content validation and matching of the words prospects use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import ContentError, content_dir
from bot.content.industries import IndustryContent, load_industries
from bot.understanding.industries import IndustryMatch, find_industry

KEYS = {"manufacturing", "retail", "wholesale", "logistics", "construction", "restaurant", "it_services"}


@pytest.fixture(scope="module")
def table() -> IndustryContent:
    return load_industries(content_dir() / "industries.yaml")


def test_content_has_the_design_keys_and_labels(table: IndustryContent) -> None:
    assert set(table.keys) == KEYS
    assert table.label("manufacturing", "ja") == "製造業"
    assert table.label("restaurant", "en") == "Restaurants & food service"
    assert table.label("it_services", "ja") == "ITサービス業"
    assert table.industries["retail"].labels("en") == "Retail"


def test_an_unknown_key_is_named_by_itself_and_any_other_language_reads_japanese(table: IndustryContent) -> None:
    """label() is the one way to name an industry: a key content no longer has must not break a
    reply, and labels fall back as every bilingual text does (English only when asked for)."""
    assert table.label("dentist", "ja") == "dentist"
    assert table.label("retail", "fr") == "小売業"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("売上5億の製造業です", "manufacturing"),
        ("メーカーです", "manufacturing"),
        ("小さな工場をやってます", "manufacturing"),
        ("自動車の部品製造をしています", "manufacturing"),
        ("町工場です", "manufacturing"),
        ("印刷会社です", "manufacturing"),
        ("スーパーを3店舗", "retail"),
        ("ネットショップ運営", "retail"),
        ("ECサイトで雑貨を売っています", "retail"),
        ("ｽｰﾊﾟｰです", "retail"),
        ("商社です", "wholesale"),
        ("問屋をやっています", "wholesale"),
        ("食品の卸です", "wholesale"),
        ("運送会社です", "logistics"),
        ("倉庫業", "logistics"),
        ("配送をしています", "logistics"),
        ("工務店です", "construction"),
        ("リフォーム会社", "construction"),
        ("ゼネコンの下請け", "construction"),
        ("居酒屋を2軒", "restaurant"),
        ("カフェ", "restaurant"),
        ("かふぇ", "restaurant"),
        ("ｶﾌｪ", "restaurant"),
        ("ﾊﾞｰを経営", "restaurant"),
        ("レストランです", "restaurant"),
        ("ソフトウェア開発", "it_services"),
        ("アプリ開発の会社です", "it_services"),
        ("SIerです", "it_services"),
        ("IT企業です", "it_services"),
        ("ＩＴ企業です", "it_services"),
        ("We are a manufacturer of auto parts", "manufacturing"),
        ("we run two restaurants", "restaurant"),
        ("We're an online shop", "retail"),
        ("a small trading company", "wholesale"),
        ("trucking", "logistics"),
        ("we are a general contractor", "construction"),
        ("We are an IT company", "it_services"),
        ("IT services, 300 million yen", "it_services"),
        ("software development", "it_services"),
        # corrections and negation
        ("製造業ではなく卸売業です", "wholesale"),
        ("小売じゃなくて卸です", "wholesale"),
        ("製造業と言いましたが、やっぱり卸売業でした", "wholesale"),
        ("not retail, wholesale", "wholesale"),
        ("Actually we're not a restaurant, we're a bakery... no, a caterer", "restaurant"),
        # customers are not the business
        ("病院向けのシステム開発", "it_services"),
        ("software for restaurants", "it_services"),
        ("I work for a restaurant", "restaurant"),
        # longest match
        ("コンビニエンスストア", "retail"),
        ("ワインバー", "restaurant"),
    ],
)
def test_recognised(table: IndustryContent, text: str, key: str) -> None:
    found = find_industry(text, table)
    assert found is not None, text
    assert found.key == key, text


@pytest.mark.parametrize(
    "text",
    ["不動産業です", "クリニックを経営", "介護施設", "税理士事務所です", "美容室です", "旅館をやっています",
     "農業です", "銀行", "保険代理店です", "広告代理店", "漁業です", "林業を営んでいます", "整備工場です",
     "We are a law firm", "real estate", "a small hotel", "dental clinic"],
)
def test_unrated_industries_give_key_none(table: IndustryContent, text: str) -> None:
    assert find_industry(text, table) == IndustryMatch(None, find_industry(text, table).surface)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["", "こんにちは", "見積もりをお願いします", "Is it covered?", "What is it?", "it depends",
     "electric company", "we sell via ec", "サーバーが攻撃されました", "中小企業です", "個人事業主です",
     "営業部の者です", "創業50年です", "we store data in the cloud", "売上5億円", "従業員50人",
     "製造業ではありません"],
)
def test_no_industry(table: IndustryContent, text: str) -> None:
    assert find_industry(text, table) is None


def test_every_synonym_finds_its_industry(table: IndustryContent) -> None:
    for industry in table.industries.values():
        for word in industry.synonyms.ja + industry.synonyms.en:
            found = find_industry(f"うちは{word}です" if not word.isascii() else f"we are {word}", table)
            assert found is not None and found.key == industry.key, word


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz .,?!"), max_size=60))
def test_pronoun_it_is_never_it_services(table: IndustryContent, text: str) -> None:
    """"it" in lower case, anywhere in a sentence, is a pronoun, not IT services."""
    found = find_industry(f"is it {text} it", table)
    assert found is None or found.surface != "it"


def test_long_message_is_cheap(table: IndustryContent) -> None:
    assert find_industry("製造業" * 20000, table) is not None
    assert find_industry("a" * 40000, table) is None


# ----------------------------------------------------------------------------- validation


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "industries.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _entry(key: str, ja: list[str], en: list[str]) -> dict[str, object]:
    return {"key": key, "labels": {"ja": key, "en": key}, "synonyms": {"ja": ja, "en": en}}


def test_duplicate_key_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, {"industries": [_entry("retail", ["小売"], ["retail"]), _entry("retail", ["卸"], ["x"])]})
    with pytest.raises(ContentError) as exc:
        load_industries(path)
    assert exc.value.field == "industries.1.key"


def test_synonym_in_two_industries_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, {"industries": [_entry("a", ["カフェ"], ["x"]), _entry("b", ["かふぇ"], ["y"])]})
    with pytest.raises(ContentError) as exc:
        load_industries(path)
    assert exc.value.field == "industries.1.synonyms.ja.0"


def test_synonym_also_in_other_industries_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, {"industries": [_entry("a", ["病院"], ["x"])], "other_industries": {"ja": ["病院"]}})
    with pytest.raises(ContentError) as exc:
        load_industries(path)
    assert exc.value.field == "other_industries.ja.0"


def test_missing_label_and_empty_synonyms_are_rejected(tmp_path: Path) -> None:
    bad = _entry("a", ["x"], ["y"])
    bad["labels"] = {"ja": "A"}
    with pytest.raises(ContentError) as exc:
        load_industries(_write(tmp_path, {"industries": [bad]}))
    assert exc.value.field == "industries.0.labels.en"
    with pytest.raises(ContentError) as exc:
        load_industries(_write(tmp_path, {"industries": [_entry("a", [], ["y"])]}))
    assert exc.value.field == "industries.0.synonyms.ja"
    with pytest.raises(ContentError):
        load_industries(_write(tmp_path, {"industries": [_entry("a", [" "], ["y"])]}))


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as exc:
        load_industries(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(exc.value)
