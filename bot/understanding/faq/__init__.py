"""Matching a free-text question to an FAQ entry, or abstaining.

Why this method: the FAQ is small (a dozen or so topics), questions arrive in Japanese and
English, and nothing may call a hosted model or need a tokenizer dictionary. So a question is
read the way the content is (normalised, stemmed, typos corrected, synonyms as concepts, cut
into weighted Japanese bigrams and English stems: `analyzer`), then decided in two stages:

- retrieval (`retrieval`): each entry scored by the share of the question its curated question
  forms, keywords and answer explain;
- a softmax classifier (`classifier`, over bot/understanding/softmax.py) on the same features
  plus Japanese character trigrams and the retrieval scores themselves, trained on the curated
  question forms and on labelled example questions in people's own words
  (content/faq_examples.yaml), with an extra class for questions the bot must not answer.

The bot answers the most probable entry when its probability reaches the content's
`abstain_threshold` (faq.yaml) and beats out of scope (`index`).

The index and the classifier are built once at start-up (`FaqIndex.build`); a question costs
one pass over its (truncated) text, a dictionary lookup per feature and one small matrix sum.

Modules, each one job: `tokens` (what a word, a concept and a Japanese run are), `phrases`
(regexes for content phrases), `typos` (reading a misspelt word as the content word it means),
`analyzer` (text -> weighted features), `retrieval`, `classifier`, `index` (FaqIndex: build,
rank, match, answer). The package's public names are FaqIndex and FaqHit.
"""

from bot.understanding.faq.hit import FaqHit
from bot.understanding.faq.index import FaqIndex

__all__ = ["FaqHit", "FaqIndex"]
