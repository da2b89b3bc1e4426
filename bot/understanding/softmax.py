"""Multinomial logistic regression (softmax regression) over sparse named features.

Why a classifier on top of the FAQ index: the index scores each entry by how much of a question
its own words explain, which is robust for wording the content never saw but cannot learn where
the line between two neighbouring entries runs (a fine paid by the policy vs how large fines
are). A linear model trained on every labelled way of asking learns exactly those lines, and
with an out-of-scope class it learns what the bot must not answer. It is small (a dozen or so
classes, a few thousand features), trains in a fraction of a second at start-up, and predicts
with one gather and one sum, so no model file is shipped and content stays the only input.

Training minimises the usual L2-regularised cross-entropy with scipy's L-BFGS:
    loss(W, b) = C * sum_i s_i * -log softmax(x_i W + b)[y_i] + ||W||^2 / 2
(s_i the sample's weight; the bias is not penalised), as scikit-learn's LogisticRegression does,
without importing all of scikit-learn at start-up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from scipy import optimize, sparse

MAX_ITERATIONS = 300
"""L-BFGS iterations at most (it stops on TOLERANCE long before, at 40-60 on the shipped
content)."""

TOLERANCE = 1e-6
"""Relative change of the loss at which training stops. Going on to scipy's default (2e-9)
costs half again the start-up time and moves the loss by 0.0002%: no question changes answer."""


@dataclass(frozen=True)
class Sample:
    """One labelled text, already turned into features: feature -> value, class index, weight."""

    features: Mapping[str, float]
    label: int
    weight: float = 1.0


class SoftmaxRegression:
    """A trained model: a weight row per known feature and a bias, one column per class."""

    def __init__(self, vocabulary: dict[str, int], weights: np.ndarray, bias: np.ndarray) -> None:
        self._vocabulary = vocabulary
        self._weights = weights
        self._bias = bias

    @property
    def n_classes(self) -> int:
        return int(self._bias.shape[0])

    @classmethod
    def fit(cls, samples: Sequence[Sample], n_classes: int, c: float, min_count: int = 1) -> "SoftmaxRegression":
        """Train on `samples` (labels 0..n_classes-1) with inverse regularisation strength `c`;
        a feature found in fewer than `min_count` samples is not learned."""
        if not samples:
            raise ValueError("no training samples")
        if c <= 0:
            raise ValueError("c must be positive")
        counts = Counter(name for sample in samples for name in sample.features)
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, sample in enumerate(samples):
            if not 0 <= sample.label < n_classes:
                raise ValueError(f"label {sample.label} outside 0..{n_classes - 1}")
            for name, value in sample.features.items():
                if counts[name] < min_count:
                    continue
                rows.append(r)
                cols.append(vocabulary.setdefault(name, len(vocabulary)))
                vals.append(value)
        n, f, k = len(samples), len(vocabulary), n_classes
        x = sparse.csr_matrix((vals, (rows, cols)), shape=(n, f), dtype=np.float64)
        xt = x.T.tocsr()
        y = np.zeros((n, k))
        y[np.arange(n), [s.label for s in samples]] = 1.0
        s = c * np.array([sample.weight for sample in samples])[:, None]

        def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w = theta[: f * k].reshape(f, k)
            b = theta[f * k :]
            z = x @ w + b
            z -= z.max(axis=1, keepdims=True)
            log_norm = np.log(np.exp(z).sum(axis=1, keepdims=True))
            log_p = z - log_norm
            loss = -float((s * y * log_p).sum()) + 0.5 * float((w * w).sum())
            d = s * (np.exp(log_p) - y)
            grad_w = xt @ d + w
            grad_b = d.sum(axis=0)
            return loss, np.concatenate([grad_w.ravel(), grad_b])

        result = optimize.minimize(
            loss_and_grad,
            np.zeros(f * k + k),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": MAX_ITERATIONS, "ftol": TOLERANCE},
        )
        theta = result.x
        return cls(vocabulary, theta[: f * k].reshape(f, k).copy(), theta[f * k :].copy())

    def probabilities(self, features: Mapping[str, float]) -> np.ndarray:
        """Class probabilities for one text's features; features never seen in training add
        nothing (the bias alone speaks for a text with none)."""
        index = [self._vocabulary[name] for name in features if name in self._vocabulary]
        z = self._bias.copy()
        if index:
            values = np.fromiter((features[name] for name in features if name in self._vocabulary), float, len(index))
            z += values @ self._weights[index]
        z -= z.max()
        e = np.exp(z)
        return e / e.sum()
