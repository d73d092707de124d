"""One calibrated probability from the pieces of evidence, and the level it maps to.

    z = a * text_logit + b * rule_points + c * max(url_logit, 0) + b * indicator_points + e
    score = 1 / (1 + exp(-z))

``a``, ``b`` and ``e`` are a logistic regression fitted (train.py) on OUT-OF-FOLD text-model logits and
rule points of the training texts, so the score is a calibrated probability on that mix of data.
The training texts carry no real links (the FBS corpus masks them), so ``c`` is not fitted: it is fixed
at 1.0, i.e. a link the URL model finds suspicious adds its own log-odds; a clean-looking link never
lowers the score (scam texts often link to legitimate hosts and short-link services). Indicator-list
points count like rule points. Absent evidence is 0 (no URL → url_logit 0).

A bare link (``score_url``) is scored by the URL model's probability, moved by rule and indicator
points the same way.

Levels (``LEVEL_THRESHOLDS``, chosen from out-of-fold data, see MODEL_CARD.md): high ≥ 0.85,
medium ≥ 0.5, low ≥ 0.2, else none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fanzha.screening.textmodel import MODELS_DIR, sigmoid

BLEND_FILE = "blend.json"
LEVEL_THRESHOLDS = (("high", 0.85), ("medium", 0.5), ("low", 0.2))


def level_for(prob: float, thresholds: tuple[tuple[str, float], ...] | None = None) -> str:
    for name, cut in thresholds or _thresholds():
        if prob >= cut:
            return name
    return "none"


def levels_for(probs: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(probs), "none", dtype=object)
    for name, cut in reversed(_thresholds()):
        out[np.asarray(probs) >= cut] = name
    return out


_loaded: dict[str, tuple[tuple[str, float], ...]] = {}


def _thresholds() -> tuple[tuple[str, float], ...]:
    if "t" not in _loaded:
        try:
            _loaded["t"] = Blender.load().thresholds
        except (OSError, ValueError, KeyError):
            _loaded["t"] = LEVEL_THRESHOLDS
    return _loaded["t"]


@dataclass
class Blender:
    text: float = 1.0  # a
    rules: float = 0.5  # b (also for indicator points)
    url: float = 1.0  # c (fixed)
    intercept: float = 0.0  # e
    thresholds: tuple[tuple[str, float], ...] = LEVEL_THRESHOLDS
    meta: dict[str, Any] = field(default_factory=dict)

    def logit(
        self, text_logit: Any, rule_points: Any = 0.0, url_logit: Any = 0.0, indicator_points: Any = 0.0
    ) -> np.ndarray:
        t = np.asarray(text_logit, dtype=np.float64)
        r = np.asarray(rule_points, dtype=np.float64) + np.asarray(indicator_points, dtype=np.float64)
        u = np.maximum(np.nan_to_num(np.asarray(url_logit, dtype=np.float64)), 0.0)
        return self.text * t + self.rules * r + self.url * u + self.intercept

    def score(
        self, text_logit: Any, rule_points: Any = 0.0, url_logit: Any = 0.0, indicator_points: Any = 0.0
    ) -> np.ndarray:
        """Calibrated probability, vectorised over arrays (scalars broadcast)."""
        return sigmoid(self.logit(text_logit, rule_points, url_logit, indicator_points))

    def score_url(self, url_prob: float, rule_points: float = 0.0, indicator_points: float = 0.0) -> float:
        p = min(max(float(url_prob), 1e-6), 1 - 1e-6)
        z = np.log(p / (1 - p)) + self.rules * (rule_points + indicator_points)
        return float(sigmoid(np.array([z]))[0])

    @classmethod
    def load(cls, path: Path | str | None = None) -> Blender:
        folder = Path(path) if path is not None else MODELS_DIR
        raw = json.loads((folder / BLEND_FILE).read_text(encoding="utf-8"))
        c = raw["coefficients"]
        levels = tuple((str(k), float(v)) for k, v in raw["levels"])
        return cls(
            float(c["text"]),
            float(c["rules"]),
            float(c["url"]),
            float(c["intercept"]),
            levels,
            raw.get("meta", {}),
        )

    def save(self, folder: Path | str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        raw = {
            "formula": "score = sigmoid(text*text_logit + rules*(rule_points + indicator_points)"
            " + url*max(url_logit, 0) + intercept)",
            "coefficients": {
                "text": self.text,
                "rules": self.rules,
                "url": self.url,
                "intercept": self.intercept,
            },
            "levels": [list(x) for x in self.thresholds],
            "meta": self.meta,
        }
        (folder / BLEND_FILE).write_text(
            json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def fit_blender(
    text_logit: np.ndarray, rule_points: np.ndarray, risky: np.ndarray, weight: np.ndarray
) -> Blender:
    """Logistic regression of risky on [text_logit, rule_points] (training time; scikit-learn)."""
    from sklearn.linear_model import LogisticRegression

    x = np.column_stack([text_logit, rule_points])
    if not np.any(rule_points):
        x = x[:, :1]
    lr = LogisticRegression(C=100.0, max_iter=1000)
    lr.fit(x, risky.astype(int), sample_weight=weight)
    rules = float(lr.coef_[0][1]) if x.shape[1] > 1 else 0.5
    return Blender(float(lr.coef_[0][0]), max(rules, 0.05), 1.0, float(lr.intercept_[0]))
