"""The text classifier: hashed character 1-3-grams (vectorise.py) and two linear heads.

* risk head — P(fraud or illegal promotion), a binary logistic model;
* category head — P(typology code): one-vs-rest logistic scores over the codes seen in training,
  turned into a distribution with a softmax;
* ordinary head (optional, last column) — P(ordinary text | not risky): a binary logistic model of
  ordinary messages (notices, chat) against spam sent the same way. When present it splits the
  category head's non-risky mass (normal + advertising) between "normal" and "advertising", so the
  advertising-vs-ordinary decision is made by a model trained for it.

Both are fitted by averaged SGD on the logistic loss.

Training uses scikit-learn (``fit_text_model``); the exported model is plain arrays in an ``.npz``
(weights as float16, only the hashed buckets that carry weight) plus a JSON of metadata, so inference
needs only numpy and scipy: one sparse product for a whole batch. No pickles.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from fanzha.screening.vectorise import HashedTfidf

MODELS_DIR = Path(str(resources.files("fanzha.screening") / "models"))
WEIGHTS = "text_model.npz"
META = "text_model.json"


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
    return out


@dataclass
class TextModel:
    vectoriser: HashedTfidf
    weights: np.ndarray  # float32 (n_features, 1 + k [+ 1]): column 0 risk, one per class, [ordinary]
    bias: np.ndarray  # float32 (1 + k [+ 1],)
    classes: tuple[str, ...]
    meta: dict[str, Any]

    @property
    def has_ordinary(self) -> bool:
        return bool(self.weights.shape[1] == len(self.classes) + 2)

    def logits(self, model_texts: Sequence[str]) -> np.ndarray:
        """(n, 1 + k [+ 1]) raw scores: the risk logit, the category logits [, the ordinary logit]."""
        if len(model_texts) == 0:
            return np.zeros((0, self.weights.shape[1]), dtype=np.float32)
        x = self.vectoriser.transform(model_texts)
        out: np.ndarray = np.asarray(x @ self.weights) + self.bias
        return out

    def predict(self, model_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """(risk probability (n,), category probabilities (n, k), class codes)."""
        z = self.logits(model_texts).astype(np.float64)
        k = len(self.classes)
        probs = softmax(z[:, 1 : 1 + k])
        if self.has_ordinary and "normal" in self.classes and "advertising" in self.classes:
            n, a = self.classes.index("normal"), self.classes.index("advertising")
            mass, ordinary = probs[:, n] + probs[:, a], sigmoid(z[:, 1 + k])
            probs[:, n] = mass * ordinary
            probs[:, a] = mass - probs[:, n]
        return sigmoid(z[:, 0]), probs, self.classes

    def risk_logit(self, model_texts: Sequence[str]) -> np.ndarray:
        return self.logits(model_texts)[:, 0].astype(np.float64)

    # ── persistence ──────────────────────────────────────────────────────

    @classmethod
    def load(cls, path: Path | str | None = None) -> TextModel:
        """Load from a models directory (default: the package's committed models)."""
        folder = Path(path) if path is not None else MODELS_DIR
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        with np.load(folder / WEIGHTS, allow_pickle=False) as npz:
            n_features = int(meta["vectoriser"]["n_features"])
            weights = np.zeros((n_features, npz["values"].shape[1]), dtype=np.float32)
            weights[npz["rows"]] = npz["values"].astype(np.float32)
            idf = npz["idf"].astype(np.float32)
            bias = npz["bias"].astype(np.float32)
        vec = meta["vectoriser"]
        vectoriser = HashedTfidf(int(vec["n_max"]), n_features, bool(vec["boundaries"]), idf)
        return cls(vectoriser, weights, bias, tuple(meta["classes"]), meta)

    def save(self, folder: Path | str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        assert self.vectoriser.idf is not None
        rows = np.flatnonzero(np.any(self.weights.astype(np.float16) != 0, axis=1)).astype(np.int32)
        np.savez_compressed(
            folder / WEIGHTS,
            rows=rows,
            values=self.weights[rows].astype(np.float16),
            idf=self.vectoriser.idf.astype(np.float16),
            bias=self.bias.astype(np.float32),
        )
        meta = {**self.meta, "classes": list(self.classes), "vectoriser": self.vectoriser.meta()}
        (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def fit_text_model(
    texts: Sequence[str],
    codes: Sequence[str],
    risky: np.ndarray,
    weight: np.ndarray,
    *,
    alpha_risk: float = 2e-6,
    alpha_category: float = 2e-6,
    epochs: int = 12,
    category_weight: np.ndarray | None = None,
    ordinary: np.ndarray | None = None,
    ordinary_weight: np.ndarray | None = None,
    ordinary_seeds: int = 1,
    seed: int = 0,
    vectoriser: HashedTfidf | None = None,
    meta: dict[str, Any] | None = None,
) -> TextModel:
    """Fit both heads with scikit-learn (training time only) and return the numpy-only model.

    Averaged SGD on the logistic loss (one-vs-rest for the categories): seconds instead of minutes
    on ~90k texts x 2^18 hashed features, with the same kind of linear model. With ``ordinary``
    (bool per text) and ``ordinary_weight`` (0 leaves a text out) a third, ordinary-text head is fitted;
    with ``ordinary_seeds`` > 1 it is the average of that many fits with different shuffles (still one
    linear head: averaging the weights averages the logits), which steadies a head that learns from few
    positive texts.
    """
    from sklearn.linear_model import SGDClassifier

    vec = (vectoriser or HashedTfidf()).fit_idf(texts)
    x = vec.transform(texts)
    x.sum_duplicates()
    x = sp.csr_matrix(x, dtype=np.float64)

    def sgd(y: np.ndarray, alpha: float, w: np.ndarray) -> Any:
        clf = SGDClassifier(
            loss="log_loss", alpha=alpha, max_iter=epochs, tol=None, average=True, random_state=seed
        )
        return clf.fit(x, y, sample_weight=w)

    risk = sgd(risky.astype(int), alpha_risk, weight)
    cat = sgd(np.asarray(codes), alpha_category, weight if category_weight is None else category_weight)
    weights = np.hstack([risk.coef_.T, cat.coef_.T]).astype(np.float32)
    bias = np.concatenate([risk.intercept_, cat.intercept_]).astype(np.float32)
    classes = tuple(str(c) for c in cat.classes_)
    if len(classes) == 2:  # binary sklearn head: one column; keep the k-column layout
        weights = np.hstack([weights[:, :1], -weights[:, 1:] / 2, weights[:, 1:] / 2])
        bias = np.concatenate([bias[:1], -bias[1:] / 2, bias[1:] / 2])
    if ordinary is not None and ordinary_weight is not None:
        coef, intercept = fit_ordinary_head(
            x, np.asarray(ordinary), ordinary_weight, alpha_risk, epochs, seed, ordinary_seeds
        )
        weights = np.hstack([weights, coef[:, None].astype(np.float32)])
        bias = np.concatenate([bias, np.array([intercept], dtype=np.float32)])
    return TextModel(vec, weights, bias, classes, dict(meta or {}))


def fit_ordinary_head(
    x: sp.csr_matrix,
    ordinary: np.ndarray,
    weight: np.ndarray,
    alpha: float = 2e-6,
    epochs: int = 12,
    seed: int = 0,
    seeds: int = 1,
) -> tuple[np.ndarray, float]:
    """(coefficients (n_features,), intercept) of the ordinary-text head: averaged SGD on the logistic
    loss over the rows with weight > 0, averaged over ``seeds`` shuffles (seed, seed + 1, ...)."""
    from sklearn.linear_model import SGDClassifier

    keep = np.flatnonzero(weight > 0)
    y = ordinary[keep].astype(int)
    coef, intercept = np.zeros(x.shape[1]), 0.0
    for k in range(seeds):
        clf = SGDClassifier(
            loss="log_loss", alpha=alpha, max_iter=epochs, tol=None, average=True, random_state=seed + k
        )
        clf.fit(x[keep], y, sample_weight=weight[keep])
        coef += clf.coef_[0] / seeds
        intercept += float(clf.intercept_[0]) / seeds
    return coef, intercept
