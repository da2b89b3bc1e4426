"""One ranked FAQ entry: what ranking, matching and the engine pass around."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaqHit:
    """One ranked FAQ entry: its id and the classifier's probability (0..1) that the entry
    answers the question. (Retrieval ranks with the same type, its score the share of the
    question the entry explains.)"""

    id: str
    score: float
