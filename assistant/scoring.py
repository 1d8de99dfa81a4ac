"""The fitted part of answering: one logistic model per answerer (prose units, figure-store answers, record
lists), each giving the probability that its candidate is right, and the threshold below which the assistant
abstains. Fitted on the dev split by `assistant fit` (assistant/fit.py) and stored as data in
`data/reader_model.json`; docs/reader.md shows the fitted weights and calibration curve.

Written with numpy rather than scikit-learn: a regularised logistic regression by Newton's method is twenty
lines, and the default install stays small.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

MODEL_PATH = Path(__file__).parent / "data" / "reader_model.json"


class Logistic(BaseModel):
    """P(right) = σ(bias + Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ) over named features."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float

    def predict(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * (features.get(name, 0.0) - m) / s
                            for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def predict_many(self, rows: list[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = np.array([[r.get(n, 0.0) for n in self.features] for r in rows], dtype=float)
        z = self.bias + ((x - np.array(self.mean)) / np.array(self.scale)) @ np.array(self.weights)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


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
    routes: dict[str, Logistic] = Field(description="P(right) of the prose, figure and list candidates.")
    threshold: float = Field(description="Below this probability the assistant abstains.")
    fitted: dict = Field(default_factory=dict, description="What it was fitted on and how it did there.")

    def p(self, route: str, features: dict[str, float]) -> float:
        model = self.routes.get(route)
        return model.predict(features) if model else 0.0


def fit_logistic(rows: list[dict[str, float]], labels: list[int], features: list[str], l2: float = 1.0,
                 iterations: int = 50) -> Logistic:
    """Newton's method on the L2-penalised log-likelihood over standardised features."""
    x = np.array([[r.get(n, 0.0) for n in features] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(xs.shape[1])
    penalty = np.full(xs.shape[1], l2)
    penalty[0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xs @ w, -30, 30)))
        grad = xs.T @ (p - y) + penalty * w
        hess = (xs * (p * (1 - p))[:, None]).T @ xs + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(features=features, mean=mean.tolist(), scale=scale.tolist(), weights=w[1:].tolist(),
                    bias=float(w[0]))


def fit_ranker(groups: list[tuple[list[dict[str, float]], list[int]]], features: list[str], l2: float = 1.0,
               iterations: int = 100) -> Ranker:
    """Conditional logit: per question, the units that answer it should have the highest softmax share.

    Maximises Σ_q log Σ_{answering} e^s − log Σ_all e^s − l2/2·|w|² by Fisher scoring (the Hessian of the
    all-units term, which keeps every step an ascent direction), halving a step that does not improve."""
    rows = [r for units, _ in groups for r in units]
    x_all = np.array([[r.get(n, 0.0) for n in features] for r in rows], dtype=float)
    mean = x_all.mean(axis=0)
    scale = x_all.std(axis=0)
    scale[scale < 1e-9] = 1.0
    data = []
    for units, labels in groups:
        x = (np.array([[r.get(n, 0.0) for n in features] for r in units], dtype=float) - mean) / scale
        data.append((x, np.array(labels, dtype=bool)))
    w = np.zeros(len(features))

    def objective(w: np.ndarray) -> float:
        total = -0.5 * l2 * float(w @ w)
        for x, pos in data:
            s = x @ w
            total += _logsumexp(s[pos]) - _logsumexp(s)
        return total

    current = objective(w)
    for _ in range(iterations):
        grad = -l2 * w
        hess = -l2 * np.eye(len(w))
        for x, pos in data:
            s = x @ w
            p_all = np.exp(s - _logsumexp(s))
            p_pos = np.exp(s[pos] - _logsumexp(s[pos]))
            mean_all = p_all @ x
            grad += p_pos @ x[pos] - mean_all
            centred = x - mean_all
            hess -= (centred * p_all[:, None]).T @ centred
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
    return ReaderModel.model_validate(json.loads(path.read_text(encoding="utf-8")))
