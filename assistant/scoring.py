"""The fitted part of answering: a ranker of the prose units, a selector that weighs the answerers' candidates
(prose units, figure-store answers, record lists) and abstaining against each other, and the threshold below
which the assistant abstains. Fitted on the dev split by `assistant fit` (assistant/fit.py) and stored as data in
`data/reader_model.json`; docs/reader.md shows the fitted weights and calibration curve.

Written with numpy rather than scikit-learn: a regularised conditional logit by Fisher scoring is forty lines,
and the default install stays small.
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)
MODEL_PATH = Path(__file__).parent / "data" / "reader_model.json"


class Ranker(BaseModel):
    """A unit's score s = Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ; within one question, P(unit answers) = softmax(s)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]

    def scores(self, rows: list[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = np.array([[r.get(n, 0.0) for n in self.features] for r in rows], dtype=float)
        return ((x - np.array(self.mean)) / np.array(self.scale)) @ np.array(self.weights)


class ReaderModel(BaseModel):
    ranker: Ranker = Field(description="Orders the units of the top passages (conditional logit).")
    selector: Ranker = Field(description="Chooses among the answerers' candidates and abstaining (conditional "
                             "logit over the options of one question; abstaining scores 0).")
    threshold: float = Field(description="Below this probability the assistant abstains.")
    second_ratio: float = Field(0.5, description="A second prose unit joins the answer when its probability is at "
                                "least this share of the first's.")
    fitted: dict = Field(default_factory=dict, description="What it was fitted on and how it did there.")

    def probabilities(self, options: list[tuple[str, dict[str, float]]]) -> tuple[list[float], float]:
        """P(each candidate is the one to give) and P(abstaining is), over this question's options only: a
        figure answer is weighed against the prose answer it competes with, not on a scale of its own."""
        rows = [option_row(route, features) for route, features in options] + [{}]
        p = softmax(self.selector.scores(rows))
        return [float(x) for x in p[:-1]], float(p[-1])


def option_row(route: str, features: dict[str, float]) -> dict[str, float]:
    """One candidate as the selector reads it: its answerer's features under the answerer's name, and which
    answerer it is. Abstaining is the empty row (score 0), the baseline every candidate must beat."""
    return {**{f"{route}:{name}": value for name, value in features.items()}, f"is_{route}": 1.0}


def fit_ranker(groups: list[tuple[list[dict[str, float]], list[int]]], features: list[str], l2: float = 1.0,
               iterations: int = 100, group_weights: list[float] | None = None) -> Ranker:
    """Conditional logit: per question, the units that answer it should have the highest softmax share.

    Maximises Σ_q c_q (log Σ_{answering} e^s − log Σ_all e^s) − l2/2·|w|² by Fisher scoring (the Hessian of the
    all-units term, which keeps every step an ascent direction), halving a step that does not improve; `c_q`
    (`group_weights`, 1 by default) is how much a question's choice counts."""
    rows = [r for units, _ in groups for r in units]
    x_all = np.array([[r.get(n, 0.0) for n in features] for r in rows], dtype=float)
    mean = x_all.mean(axis=0)
    scale = x_all.std(axis=0)
    scale[scale < 1e-9] = 1.0
    data = []
    for units, labels in groups:
        x = (np.array([[r.get(n, 0.0) for n in features] for r in units], dtype=float) - mean) / scale
        data.append((x, np.array(labels, dtype=bool)))
    counts = [1.0] * len(data) if group_weights is None else [float(c) for c in group_weights]
    w = np.zeros(len(features))

    def objective(w: np.ndarray) -> float:
        total = -0.5 * l2 * float(w @ w)
        for (x, pos), c in zip(data, counts):
            s = x @ w
            total += c * (_logsumexp(s[pos]) - _logsumexp(s))
        return total

    current = objective(w)
    for _ in range(iterations):
        grad = -l2 * w
        hess = -l2 * np.eye(len(w))
        for (x, pos), c in zip(data, counts):
            s = x @ w
            p_all = np.exp(s - _logsumexp(s))
            p_pos = np.exp(s[pos] - _logsumexp(s[pos]))
            mean_all = p_all @ x
            grad += c * (p_pos @ x[pos] - mean_all)
            centred = x - mean_all
            hess -= c * (centred * p_all[:, None]).T @ centred
        step = np.linalg.solve(hess, -grad)
        size = 1.0
        while size > 1e-4:
            candidate = w + size * step
            value = objective(candidate)
            if value >= current:
                break
            size /= 2
        if size <= 1e-4 or value - current < 1e-9:
            w = candidate if value >= current else w
            break
        w, current = candidate, value
    return Ranker(features=features, mean=mean.tolist(), scale=scale.tolist(), weights=w.tolist())


def _logsumexp(s: np.ndarray) -> float:
    m = float(s.max())
    return m + float(np.log(np.exp(s - m).sum()))


def softmax(s: np.ndarray) -> np.ndarray:
    if not len(s):
        return s
    e = np.exp(s - s.max())
    return e / e.sum()


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> ReaderModel | None:
    if not path.exists():
        return None
    try:
        return ReaderModel.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as e:  # pydantic's ValidationError and bad JSON both are
        # a model written by an older version: answer unfitted (and let `assistant fit` write a new one) rather
        # than fail every question
        log.warning("reader model %s cannot be read (%s); answering without it until `assistant fit`", path,
                    str(e).splitlines()[0])
        return None
