"""The words and patterns amounts are read with: numeral vocabulary, and what may surround a
number (currency, hedges, ranges, counters, sales words, other money, monthly figures).

Tables rather than code, so a new way of writing a unit or a counter is one more entry here.
"""

from __future__ import annotations

import re

KANJI_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "壱": 1, "二": 2, "弐": 2, "三": 3, "参": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "億": 10**8, "兆": 10**12}

EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
# English scale words. "strong" ones say money on their own in a sales conversation;
# "weak" ones (m, k, thousand, hundred) need yen or a sales word nearby ("500m" may be metres).
EN_SCALES: dict[str, tuple[int, bool]] = {
    "hundred": (100, False), "hundreds": (100, False),
    "thousand": (10**3, False), "thousands": (10**3, False), "k": (10**3, False),
    "million": (10**6, True), "millions": (10**6, True), "mil": (10**6, True),
    "mn": (10**6, True), "mm": (10**6, True), "m": (10**6, False),
    "billion": (10**9, True), "billions": (10**9, True), "bn": (10**9, True),
    "trillion": (10**12, True), "trillions": (10**12, True), "tn": (10**12, True),
    # romanised Japanese units ("3 oku yen"); "man" is an English word, so it needs yen after it
    "oku": (10**8, True), "man": (10**4, False),
}

DIGITS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+")
DECIMAL_RE = re.compile(r"\.[0-9]+")
WORD_RE = re.compile(r"[a-z]+")

YEN_SUFFIX_RE = re.compile(r" ?(?:円|えん|(?:yen|jpy)(?![a-z]))")
FOREIGN_SUFFIX_RE = re.compile(
    r" ?(?:ドル|ユーロ|ポンド|人民元|ウォン|元(?![々気本])"
    r"|(?:us ?dollars?|dollars?|usd|euros?|eur|pounds?|gbp|cny|rmb)(?![a-z]))"
)
FOREIGN_ANYWHERE_RE = re.compile(
    r"[$€£]|ドル|ユーロ|ポンド|人民元|ウォン|[0-9万億千百]\s?元(?![々気本])"
    r"|(?<![a-z])(?:usd|eur|gbp|cny|rmb|dollars?|euros?|pounds?)(?![a-z])"
)

# Text just before a number: hedge, sign and currency, in either order of sign and currency.
PREFIX_RE = re.compile(
    r"(?P<approx>約|およそ|おおよそ|大体|だいたい|概ね|おおむね|ざっと|ほぼ|凡そ|〜"
    r"|(?<![a-z])(?:about|around|approximately|approx\.?|roughly|nearly|almost|circa|ca\.|some))?"
    r" ?(?P<sign1>マイナス|(?<![a-z])(?:minus|negative)|▲|△|(?<![0-9a-z.,])-)?"
    r" ?(?P<cur>¥|\\|(?<![a-z])jpy|us\$|\$|(?<![a-z])usd|€|(?<![a-z])eur|£|(?<![a-z])gbp)?"
    r" ?(?P<sign2>マイナス|▲|△|-)?$"
)
FOREIGN_PREFIXES = {"us$", "$", "usd", "€", "eur", "£", "gbp"}

# Text just after a number that hedges it: 5億円くらい, 3億程度, 500 million or so.
APPROX_SUFFIX_RE = re.compile(
    r" ?(?:ほど|くらい|ぐらい|位|程度|程|前後|弱|強|ちょっと|ちょい|余り|あまり|ばかり|見当"
    r"|or so(?![a-z])|-?ish(?![a-z])|approx(?:\.|imately)?(?![a-z])|give or take)"
)

# A range between two numbers: 4〜5億, 4-5億円, 3億から5億, 400 to 500 million.
RANGE_RE = re.compile(r" ?(?:〜|-|から|ないし|(?:to|and)(?![a-z])) ?")

# Counters: what follows a number that counts people, things, time or shares.
# Japanese counters (助数詞) are a closed class, so listing them is general, not tuning.
JA_COUNTER_RE = re.compile(
    r" ?(?:人|名|年|ヶ?月|か月|カ月|ヵ月|日|週|時|分|秒|店|社|件|歳|才|回|台|個|本|枚|冊|通|点|部|棟|戸"
    r"|世帯|頭|匹|羽|着|足|杯|袋|箱|缶|食|席|室|泊|行|字|倍|割|期|代|階|号|番|歩|拠点|箇所|ヶ所|か所"
    r"|カ所|ヵ所|軒|機|基|両|隻|株|口|票|坪|畳|度|周|曲|種|品|校|局|線|色|膳|粒|錠|問|題|組|班|位|次"
    r"|会員|顧客|契約|平米|平方|キロ|トン|リットル|グラム|メートル|パーセント|ユーザ|アクセス|ダウンロード"
    r"|ページ|ビュー|レコード|ファイル|アカウント|フォロワー|プラン|%)"
)
EN_COUNTER_RE = re.compile(
    r" ?(?:%|x(?![a-z])|(?:percent|pct|per ?cent|employees?|staff|people|persons?|workers?|members?"
    r"|years?|yrs?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|stores?|shops?"
    r"|locations?|branch(?:es)?|offices?|sites?|users?|customers?|clients?|records?|times?|units?"
    r"|items?|pieces?|pcs|devices?|computers?|servers?|laptops?|accounts?|visitors?|downloads?"
    r"|followers?|subscribers?|rows?|files?|e-?mails?|pages?|views?|km|kg|miles?|sq|square|m2|mb|gb"
    r"|tb|plan|plans|cases?|incidents?|orders?|transactions?|patients?|students?|tons?|liters?)"
    r"(?![a-z]))"
)
# After an English scale with no yen marker, any plural noun counts things ("5 million visits").
EN_PLURAL_RE = re.compile(r" ?([a-z]+s)(?![a-z])")
EN_PLURAL_OK = {"sales", "revenues", "yes", "is", "was", "has", "as", "this", "plus", "thus",
                 "its", "us", "less", "across", "earnings", "receipts", "takings"}

# Numbers that identify rather than measure: phone, order and account numbers.
ID_PREFIX_RE = re.compile(
    r"(?:番号|電話|携帯|tel|fax|no\.?|#|id|コード|code|ref|口座|〒|郵便|会員|version|ver\.?|v)"
    r" ?[:.]? ?$"
)
VAGUE_PREFIXES = ("数", "何", "第", "幾")

SALES_RE = re.compile(
    r"売上高|売上げ|売り上げ|売上|年商|年間売上|(?<![a-z])(?:sales|revenues?|turnover)(?![a-z])"
)
OKU_TYPO_RE = re.compile(r"(?<=[0-9〇一二三四五六七八九十百千万])憶")
NEGATED_AFTER_RE = re.compile(r"\s*(?:円)?\s*(?:じゃなく|じゃない|ではなく|ではない|でなく|でもなく|は間違い|は誤り)")
NEGATED_BEFORE_RE = re.compile(r"(?<![a-z])not(?: about| around| quite)? ?$")
# Other money in a message ("資本金1000万円") is the wrong figure when sales are asked for.
OTHER_MONEY_RE = re.compile(
    r"資本金|補償|保険金|限度|予算|損害|被害|保険料|利益|経常|年収|給与|給料|単価|見積"
    r"|(?<![a-z])(?:capital|coverage|cover|limit|budget|damages?|premiums?|profits?|salary|income)"
    r"(?![a-z])"
)

# Monthly sales (月商, "per month"): the figure is annualised (x 12).
MONTHLY_BEFORE = re.compile(r"((?<![0-9一二三四五六七八九十])月(に|で|あたり|当たり)?\s*(約|およそ|だいたい|大体)?\s*$|月商|月の売上|月の売り上げ|月間売上|月間の売上|月々の売上|毎月の売上|月売上|monthly (sales|revenue|turnover|income)( is| are| of| about| around)?)\s*[:：]?\s*\S{0,4}$")
MONTHLY_AFTER = re.compile(r"^\S{0,3}\s*(/\s*(月|month|mo)\b|per month|a month|each month|every month|monthly|/月|毎月|月あたり|ひと月|一か月|1か月)")
