"""Finding the annual-sales figure in a prospect's message.

Prospects write money in many ways: 5億円, ５億, 五億, 1億5,000万円, 千五百万, ¥500,000,000,
"1.2 billion yen", "500m yen", ranges (4〜5億, "between 400 and 500 million yen"), hedges
(約, くらい, about). A list of patterns would only cover the phrasings we have seen, so this
package reads numbers with a small grammar instead:

* a Japanese numeral is a sequence of groups ``<n>兆 <n>億 <n>万 <n>``, each group built from
  Arabic digits (commas and a decimal point allowed) or kanji digits with 千/百/十 inside;
* an English tail multiplies by hundred/thousand/million/billion/trillion (and m/mn/bn/k);
* a sign, currency, approximation words and a range connector may surround it.

A number is only taken as an amount when something says it is money: a yen marker
(円/yen/¥/JPY), a large unit (万/億/兆/million/billion), or - for a bare number - at least a
million written in digits. A counter after it (人, 件, 年, %, employees, ...) says it counts
something else, so it is never an amount. Foreign currency is recognised so the bot can ask
for yen instead of quoting on a misread figure.

Parsing works on `normalize()`d text (one place handles full-width digits, waves and dashes),
done character by character so each match can be cut from the original as written.

Modules, each one job: `lexicon` (word tables and patterns), `numerals` (one numeral at a
position), `candidates` (every amount candidate: currency, hedge, sign, range, whether it is
money), `choice` (which candidate is sales, monthly or not), `amount` (Amount, find_amount,
mentions_foreign_currency). Writing yen back is bot/money.py's job.
"""

from bot.understanding.amounts.amount import (
    Amount,
    find_amount,
    mentions_foreign_currency,
)

__all__ = ["Amount", "find_amount", "mentions_foreign_currency"]
