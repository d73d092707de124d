"""Train and evaluate the default screening models from ../shared/data (``fanzha screen train``).

    train_all(data_dir, out_dir, seed=0)   text model, URL model, blender, metrics.json
    cross_validate_fbs_top4(data_dir)      5-fold macro-F1 over the FBS top categories AD / FR / IL / Other

Reproducible: inputs are read in file order and sorted, folds and synthetic URLs come from a seeded
generator. scikit-learn is needed here only; the exported models need numpy and scipy.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fanzha.screening import metrics
from fanzha.screening.blend import Blender, fit_blender, level_for
from fanzha.screening.textmodel import MODELS_DIR, TextModel, fit_text_model
from fanzha.screening.urlmodel import fit_url_model, load_seeds

FBS_CODES = {
    "FR:Phishing(Bank)": "bank_points_phishing",
    "FR:Financial": "fake_investment",
    "FR:Other": "other_fraud",
    "FR:Phishing(Other)": "other_fraud",
    "IL:Gambling": "gambling",
    "IL:Fake_ID_and_invoice": "fake_documents",
    "IL:Escort_service": "escort",
    "IL:Political_propaganda": "political_propaganda",
    "Other": "normal",
}
TF5_CODES = {
    0: "normal",
    1: "impersonate_authority",
    2: "fake_loan",
    3: "fake_customer_service",
    4: "impersonate_acquaintance",
}
SOURCE_WEIGHT = {"fbs": 1.0, "scripts": 1.0, "sms800k": 0.06, "tf5": 0.05}  # per row; FBS dominates
FBS_OTHER_WEIGHT = 1.5  # the 50 FBS "Other" rows (ordinary notices sent the same way)
CATEGORY_SMS800K_SCALE = 0.3  # the category head sees the ordinary texts with this extra factor
# the ordinary-text head (textmodel.py): ordinary = FBS "Other" + ordinary sms800k / tf5 texts, against
# all FBS spam (AD/FR/IL) and, lightly, sms800k advertising; fixed a priori, not tuned on the CV folds
ORDINARY_WEIGHT = {"fbs_other": 10.0, "fbs_spam": 1.0, "normal": 0.01, "sms800k_ad": 0.02}
# ... except the weight of FBS fraud / illegal-promotion texts (a scam taken for ordinary text costs more
# than an advert taken for one): chosen per training set by inner cross-validation over its own folds,
# never by the held-out fold (choose_ordinary_risky_weight)
ORDINARY_RISKY_GRID = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)
ORDINARY_SEEDS = 5  # the ordinary head is the average of this many SGD shuffles (textmodel.py)
SMS800K_NORMAL_MAX = 30_000  # a fixed random sample of the ordinary texts (training time)
SOURCE_PRIORITY = ("fbs", "scripts", "sms800k", "tf5")  # who keeps a text seen in several sources
TOP4 = ("AD", "FR", "IL", "Other")
SYNTHETIC_URL_WEIGHT = 1.0  # per synthetic seed URL (phish_urls rows weigh 1)
FOLDS = 5


def default_data_dir() -> Path:
    env = os.environ.get("FANZHA_SCREEN_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


# ── the pipeline pieces the models are trained on ──────────────────────────


@dataclass
class Pipeline:
    """normalise → model_text, rule points and category votes, from the real modules when present."""

    normalise: Callable[[str], Any]
    rules: Any = None
    extract: Callable[[Any], list[Any]] | None = None
    stand_in: bool = False

    @classmethod
    def current(cls) -> Pipeline:
        try:
            from fanzha.screening.normalise import normalise
        except ImportError:
            return cls(_stand_in_normalise, stand_in=True)
        pipe = cls(normalise)
        try:
            from fanzha.screening.rules import load_rules

            pipe.rules = load_rules()
        except (ImportError, OSError, ValueError):
            pipe.rules = None
        try:
            from fanzha.screening.entities import extract

            pipe.extract = extract
        except ImportError:
            pipe.extract = None
        return pipe

    def run(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, list[dict[str, float]]]:
        from fanzha.screening.rules import category_votes, points

        model_texts: list[str] = []
        votes: list[dict[str, float]] = []
        pts = np.zeros(len(texts))
        for i, text in enumerate(texts):
            n = self.normalise(text)
            model_texts.append(n.model_text)
            if self.rules is None:
                votes.append({})
                continue
            hits = self.rules.match(n, self.extract(n) if self.extract else [])
            pts[i] = points(hits)
            votes.append(category_votes(hits))
        return model_texts, pts, votes


@dataclass(frozen=True)
class _StandIn:
    model_text: str


def _stand_in_normalise(text: str) -> _StandIn:
    """Temporary stand-in used only while normalise.py is missing (never for shipped models)."""
    import re
    import unicodedata

    from fanzha.screening import types as t

    s = unicodedata.normalize("NFKC", text)
    for word, ph in (
        ("CELLPHONE", t.PH_MOBILE),
        ("HOTLINE", t.PH_PHONE),
        ("PHONE", t.PH_PHONE),
        ("WECHAT", t.PH_WECHAT),
        ("DIGIT", t.PH_DIGITS),
        ("URL", t.PH_URL),
        ("NAME", t.PH_NAME),
        ("PLACE", t.PH_PLACE),
    ):
        s = s.replace(word, ph)
    s = re.sub(r"(https?://)?[a-z0-9.-]+\.(com|cn|net|top|vip|cc)(/\S*)?", t.PH_URL, s.lower())
    s = re.sub(r"1[3-9]\d{9}", t.PH_MOBILE, s)
    s = re.sub(r"\d+", t.PH_DIGITS, s)
    return _StandIn(re.sub(r"[^\w\ue000-\ue0ff]|_", "", s))


# ── the corpus ─────────────────────────────────────────────────────────────


@dataclass
class Corpus:
    text: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    fbs_top: list[str] = field(default_factory=list)  # FBS top category, "" for other sources
    model_text: list[str] = field(default_factory=list)
    rule_points: np.ndarray = field(default_factory=lambda: np.zeros(0))
    votes: list[dict[str, float]] = field(default_factory=list)
    fold: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))

    def add(self, text: str, source: str, code: str, fbs_top: str = "") -> None:
        self.text.append(text)
        self.source.append(source)
        self.code.append(code)
        self.fbs_top.append(fbs_top)

    @property
    def risky(self) -> np.ndarray:
        from fanzha.screening.typology import is_risky

        return np.array([is_risky(c) for c in self.code], dtype=bool)

    @property
    def weight(self) -> np.ndarray:
        w = np.array([SOURCE_WEIGHT[s] for s in self.source])
        w[np.array([t == "Other" for t in self.fbs_top], dtype=bool)] = FBS_OTHER_WEIGHT
        return w

    def mask(self, source: str) -> np.ndarray:
        return np.array([s == source for s in self.source], dtype=bool)

    def subset(self, idx: np.ndarray) -> Corpus:
        take = idx.tolist()
        return Corpus(
            [self.text[i] for i in take],
            [self.source[i] for i in take],
            [self.code[i] for i in take],
            [self.fbs_top[i] for i in take],
            [self.model_text[i] for i in take],
            self.rule_points[idx],
            [self.votes[i] for i in take],
            self.fold[idx],
        )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_sources(data_dir: Path) -> Corpus:
    from fanzha.screening.typology import load_typology

    c = Corpus()
    for r in _rows(data_dir / "texts" / "fbs_sms" / "fbs_sms_dev.csv"):
        c.add(r["text"], "fbs", FBS_CODES.get(r["category"], "advertising"), r["top_category"])
    with_data = {*FBS_CODES.values(), *TF5_CODES.values(), "advertising"}
    for ftype in load_typology().all():
        # types without data of their own teach the nearest catch-all class (their rules name the type)
        code = ftype.code if ftype.code in with_data else f"other_{ftype.group}"
        for script in ftype.scripts:
            c.add(script, "scripts", code)
    for r in _rows(data_dir / "texts" / "sms800k" / "sms800k_dev.csv"):
        c.add(r["text"], "sms800k", "advertising" if r["label"] == "1" else "normal")
    for r in _rows(data_dir / "texts" / "telecom_fraud_texts_5" / "telecom_fraud_texts_5.csv"):
        c.add(r["text"], "tf5", TF5_CODES[int(r["label_id"])])
    return c


def build_corpus(data_dir: Path, pipe: Pipeline, seed: int = 0) -> Corpus:
    """All sources, normalised, deduplicated on model_text across sources, with fold numbers."""
    raw = read_sources(data_dir)
    raw.model_text, raw.rule_points, raw.votes = pipe.run(raw.text)
    rank = {s: i for i, s in enumerate(SOURCE_PRIORITY)}
    order = sorted(
        range(len(raw.text)), key=lambda i: (rank[raw.source[i]], raw.model_text[i], raw.code[i], raw.text[i])
    )
    seen: set[str] = set()
    keep = []
    for i in order:
        mt = raw.model_text[i]
        if len(mt) >= 2 and mt not in seen:
            seen.add(mt)
            keep.append(i)
    raw.fold = np.zeros(len(raw.text), dtype=int)
    normal = [i for i in keep if raw.source[i] == "sms800k" and raw.code[i] == "normal"]
    rng = np.random.default_rng(seed)
    drop = set(np.array(normal)[rng.permutation(len(normal))[SMS800K_NORMAL_MAX:]].tolist())
    corpus = raw.subset(np.array(sorted(i for i in keep if i not in drop), dtype=np.int64))
    corpus.fold = assign_folds(corpus, seed)
    return corpus


def assign_folds(c: Corpus, seed: int) -> np.ndarray:
    """Stratified by (source, code): each group is spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(c.text), dtype=int)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(c.source, c.code, strict=True)):
        groups.setdefault(key, []).append(i)
    offset = 0
    for key in sorted(groups):
        idx = np.array(groups[key])
        fold[idx[rng.permutation(len(idx))]] = (np.arange(len(idx)) + offset) % FOLDS
        offset += len(idx)
    return fold


# ── fitting ────────────────────────────────────────────────────────────────


def ordinary_targets(c: Corpus, risky_weight: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Labels (ordinary text?) and weights (0 = not used) of the ordinary-text head; ``risky_weight``
    (default: the FBS spam weight) for the FBS fraud and illegal-promotion texts."""
    fbs, top, code = c.mask("fbs"), np.array(c.fbs_top), np.array(c.code)
    other = fbs & (top == "Other")
    normal = (c.mask("sms800k") | c.mask("tf5")) & (code == "normal")
    weight = np.zeros(len(c.text))
    weight[fbs] = ORDINARY_WEIGHT["fbs_spam"]
    if risky_weight is not None:
        weight[fbs & np.isin(top, ["FR", "IL"])] = risky_weight
    weight[other] = ORDINARY_WEIGHT["fbs_other"]
    weight[normal] = ORDINARY_WEIGHT["normal"]
    weight[c.mask("sms800k") & (code == "advertising")] = ORDINARY_WEIGHT["sms800k_ad"]
    return other | normal, weight


def choose_ordinary_risky_weight(c: Corpus, seed: int = 0) -> tuple[float, dict[float, float]]:
    """The FBS fraud / illegal-promotion weight of the ordinary head, by cross-validation inside ``c``.

    ``c`` is a training set: its rows keep the fold numbers of the corpus, so the folds present in it are
    inner folds (4 inside an outer training part, 5 for the shipped model). For each weight in
    ORDINARY_RISKY_GRID the head is fitted on all but one inner fold and scores the rest; the weight with
    the best average precision of "FBS Other" among the FBS rows wins (ties: the smaller weight).
    """
    from fanzha.screening.textmodel import fit_ordinary_head
    from fanzha.screening.vectorise import HashedTfidf

    x = HashedTfidf().fit_idf(c.model_text).transform(c.model_text)
    x.sum_duplicates()
    x = x.astype(np.float64)
    fbs = np.flatnonzero(c.mask("fbs"))
    truth = np.array([c.fbs_top[i] == "Other" for i in fbs])
    found: dict[float, float] = {}
    for risky_weight in ORDINARY_RISKY_GRID:
        ordinary, weight = ordinary_targets(c, risky_weight)
        z = np.zeros(len(c.text))
        for k in np.unique(c.fold).tolist():
            inner = c.fold == k
            coef, intercept = fit_ordinary_head(x, ordinary, np.where(inner, 0.0, weight), seed=seed)
            z[inner] = x[np.flatnonzero(inner)] @ coef + intercept
        found[risky_weight] = metrics.average_precision(truth, z[fbs])
    best = max(found, key=lambda w: (round(found[w], 9), -w))
    return best, found


def fit_text(c: Corpus, seed: int = 0) -> TextModel:
    cat_weight = c.weight * np.where(c.mask("sms800k"), CATEGORY_SMS800K_SCALE, 1.0)
    risky_weight, found = choose_ordinary_risky_weight(c, seed)
    ordinary, ordinary_weight = ordinary_targets(c, risky_weight)
    model = fit_text_model(
        c.model_text,
        c.code,
        c.risky,
        c.weight,
        seed=seed,
        category_weight=cat_weight,
        ordinary=ordinary,
        ordinary_weight=ordinary_weight,
        ordinary_seeds=ORDINARY_SEEDS,
    )
    model.meta["ordinary_risky_weight"] = risky_weight
    model.meta["ordinary_risky_weight_inner_ap"] = {str(w): round(v, 4) for w, v in found.items()}
    return model


def out_of_fold(c: Corpus, seed: int = 0) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Risk logits and category probabilities for every row from models that did not see it."""
    risk = np.zeros(len(c.text))
    probs: np.ndarray | None = None
    classes: tuple[str, ...] = ()
    for k in range(FOLDS):
        train_idx, test_idx = np.flatnonzero(c.fold != k), np.flatnonzero(c.fold == k)
        model = fit_text(c.subset(train_idx), seed)
        test_texts = [c.model_text[i] for i in test_idx]
        z = model.logits(test_texts).astype(np.float64)
        risk[test_idx] = z[:, 0]
        _, cat, classes = model.predict(test_texts)
        if probs is None:
            probs = np.zeros((len(c.text), len(classes)))
        probs[test_idx] = cat
    assert probs is not None
    return risk, probs, classes


def decide_category(score: float, probs: np.ndarray, classes: Sequence[str], votes: dict[str, float]) -> str:
    """The engine's own category decision, so cross-validation measures what the engine does."""
    from fanzha.screening.engine import decide_category as engine_decide

    return engine_decide(score, probs, classes, votes)


def top4_predictions(c: Corpus, scores: np.ndarray, probs: np.ndarray, classes: Sequence[str]) -> list[str]:
    from fanzha.screening.typology import top_category

    return [
        top_category(decide_category(float(scores[i]), probs[i], classes, c.votes[i]))
        for i in range(len(c.text))
    ]


def synthetic_urls(seed: int) -> tuple[list[str], list[int]]:
    """Chinese gambling / brand-imitation URLs (label 1) and Chinese legitimate URLs (label 0) from
    the reviewed seed lists in data/url_seeds.toml."""
    s = load_seeds()
    rng = np.random.default_rng(seed)
    tlds = sorted(s.tlds) + ["com", "net", "cn"]
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    digits = lambda: str(int(rng.integers(10, 99999)))  # noqa: E731
    scheme = lambda: pick(["http://", "https://", "", "http://www.", "www."])  # noqa: E731
    urls, labels = [], []
    gambling = [t for t in s.gambling if t.isalpha()]
    for _ in range(1500):
        host = pick(
            [
                f"{pick(gambling)}{digits()}",
                f"{digits()}{pick(gambling)}",
                f"{pick(gambling)}{pick(gambling)}{digits()}",
            ]
        )
        tld = pick(tlds) if rng.random() < 0.5 else pick(["com", "net", "cc", "vip", "top", "com.cn"])
        urls.append(f"{scheme()}{host}.{tld}{pick(['', '/', '/m', '/register', '/?code=' + digits()])}")
        labels.append(1)
    for _ in range(1000):
        brand = pick(sorted(s.brands))
        host = pick(
            [
                f"{brand}-{pick(s.fake_words)}",
                f"{brand}{digits()}",
                f"{pick(s.fake_words)}-{brand}",
                f"{brand}.{pick(s.fake_words)}{digits()}",
            ]
        )
        path = pick(["", "/", "/login", "/jifen", "/index.html", "/etc/renzheng", "/m/verify"])
        urls.append(f"{scheme()}{host}.{pick(tlds)}{path}")
        labels.append(1)
    for _ in range(1500):
        path = pick(
            ["", "/", "/index.html", "/news/" + digits() + ".html", "/s?wd=" + digits(), "/item/" + digits()]
        )
        urls.append(f"{scheme()}{pick(sorted(s.legit))}{path}")
        labels.append(0)
    return urls, labels


def fit_urls(data_dir: Path, seed: int = 0, folds: int = 0) -> tuple[Any, dict[str, float]]:
    """URL model on phish_urls plus the synthetic seed URLs; with ``folds`` > 1 also k-fold figures
    (out-of-fold, on phish_urls rows only)."""
    rows = _rows(data_dir / "urls" / "phish_urls" / "phish_urls_dev.csv")
    urls, labels = [r["url"] for r in rows], np.array([int(r["label"]) for r in rows])
    syn_urls, syn_labels = synthetic_urls(seed)
    all_urls, all_labels = urls + syn_urls, np.concatenate([labels, syn_labels])
    weight = np.concatenate([np.ones(len(urls)), np.full(len(syn_urls), SYNTHETIC_URL_WEIGHT)])
    figures: dict[str, float] = {}
    if folds > 1:
        fold = np.random.default_rng(seed).permutation(len(urls)) % folds
        oof = np.zeros(len(urls))
        syn_idx = np.arange(len(urls), len(all_urls))
        for k in range(folds):
            train_idx = np.concatenate([np.flatnonzero(fold != k), syn_idx])
            m = fit_url_model(
                [all_urls[i] for i in train_idx], all_labels[train_idx], weight[train_idx], seed=seed
            )
            test_idx = np.flatnonzero(fold == k)
            oof[test_idx] = m.predict([urls[i] for i in test_idx])
        figures = {
            "url_auc_cv": metrics.roc_auc(labels, oof),
            "url_legit_at_medium_cv": metrics.rate_at_least(oof[labels == 0], 0.5),
            "url_phish_at_medium_cv": metrics.rate_at_least(oof[labels == 1], 0.5),
        }
    model = fit_url_model(
        all_urls, all_labels, weight, seed=seed, meta={"trained_on": "phish_urls_dev + url_seeds"}
    )
    return model, figures


def choose_levels(scores: np.ndarray, c: Corpus) -> tuple[tuple[str, float], ...]:
    """medium: 0.5 unless FBS fraud recall would fall below 96 % (then the highest cut that keeps it,
    not below 0.3); low = medium - 0.3 (at least 0.1); high = 0.85."""
    fbs_fraud = scores[c.mask("fbs") & np.array([t == "FR" for t in c.fbs_top])]
    medium = 0.5
    if metrics.rate_at_least(fbs_fraud, medium) < 0.96:
        medium = max(0.3, float(np.quantile(fbs_fraud, 0.04)))
    return (("high", 0.85), ("medium", round(medium, 3)), ("low", round(max(0.1, medium - 0.3), 3)))


def level_figures(scores: np.ndarray, c: Corpus, medium: float) -> dict[str, float]:
    fbs, top = c.mask("fbs"), np.array(c.fbs_top)
    sms, tf5 = c.mask("sms800k"), c.mask("tf5")
    code = np.array(c.code)
    risky = c.risky
    return {
        "fbs_fraud_at_medium": metrics.rate_at_least(scores[fbs & (top == "FR")], medium),
        "fbs_illegal_at_medium": metrics.rate_at_least(scores[fbs & (top == "IL")], medium),
        "fbs_fraud_illegal_at_medium": metrics.rate_at_least(scores[fbs & risky], medium),
        "fbs_advertising_at_medium": metrics.rate_at_least(scores[fbs & (top == "AD")], medium),
        "fbs_other_at_medium": metrics.rate_at_least(scores[fbs & (top == "Other")], medium),
        "fbs_fraud_vs_ad_auc": metrics.roc_auc(
            top[fbs & np.isin(top, ["FR", "AD"])] == "FR", scores[fbs & np.isin(top, ["FR", "AD"])]
        ),
        "sms800k_normal_at_medium": metrics.rate_at_least(scores[sms & (code == "normal")], medium),
        "sms800k_ad_at_medium": metrics.rate_at_least(scores[sms & (code == "advertising")], medium),
        "tf5_fraud_at_medium": metrics.rate_at_least(scores[tf5 & risky], medium),
        "tf5_normal_at_medium": metrics.rate_at_least(scores[tf5 & ~risky], medium),
        "tf5_auc": metrics.roc_auc(risky[tf5], scores[tf5]),
    }


@dataclass
class OofResult:
    corpus: Corpus
    risk: np.ndarray
    probs: np.ndarray
    classes: tuple[str, ...]
    blender: Blender
    scores: np.ndarray


def oof_pipeline(data_dir: Path, seed: int = 0, pipe: Pipeline | None = None) -> OofResult:
    c = build_corpus(data_dir, pipe or Pipeline.current(), seed)
    risk, probs, classes = out_of_fold(c, seed)
    blender = fit_blender(risk, c.rule_points, c.risky, c.weight)
    scores = blender.score(risk, c.rule_points)
    blender.thresholds = choose_levels(scores, c)
    return OofResult(c, risk, probs, classes, blender, scores)


def _top4_f1(res: OofResult) -> tuple[float, dict[str, Any]]:
    from fanzha.screening import blend

    fbs = np.flatnonzero(res.corpus.mask("fbs"))
    saved = blend._loaded.get("t")
    blend._loaded["t"] = res.blender.thresholds  # decide with the thresholds being trained
    try:
        sub = res.corpus.subset(fbs)
        pred = top4_predictions(sub, res.scores[fbs], res.probs[fbs], res.classes)
    finally:
        if saved is None:
            blend._loaded.pop("t", None)
        else:
            blend._loaded["t"] = saved
    truth = [res.corpus.fbs_top[i] for i in fbs]
    names, mat = metrics.confusion(truth, pred, TOP4)
    detail = {
        "per_category": metrics.per_category(truth, pred, TOP4),
        "confusion": mat.tolist(),
        "labels": names,
    }
    return metrics.macro_f1(truth, pred, TOP4), detail


def category_figures(res: OofResult) -> dict[str, float]:
    """Out of fold: the share of the other sources' non-risky texts whose category is normal / advertising
    (the engine's decision; what the ordinary head moves besides FBS "Other")."""
    from fanzha.screening.engine import decide_categories

    c = res.corpus
    levels = [level_for(float(s), res.blender.thresholds) for s in res.scores]
    cats = np.array(decide_categories(levels, res.probs, res.classes, c.votes))
    code = np.array(c.code)
    out = {}
    for source, label in (("sms800k", "normal"), ("sms800k", "advertising"), ("tf5", "normal")):
        rows = c.mask(source) & (code == label)
        for category in ("normal", "advertising"):
            out[f"{source}_{label}_category_{category}"] = float(np.mean(cats[rows] == category))
    return out


def cross_validate_fbs_top4(data_dir: Path | str | None = None, folds: int = FOLDS, seed: int = 0) -> float:
    """Macro-F1 over AD / FR / IL / Other on FBS, 5-fold, with the whole pipeline's category decision
    (category head + rule votes via the engine's decision, levels from the out-of-fold blender)."""
    if folds != FOLDS:
        raise ValueError(f"only {FOLDS} folds are supported")
    res = oof_pipeline(Path(data_dir) if data_dir else default_data_dir(), seed)
    return _top4_f1(res)[0]


def cross_source(res: OofResult, seed: int = 0) -> dict[str, dict[str, float]]:
    """Leave one source out: train on the rest, score the held-out source with the OOF blender."""
    c, out = res.corpus, {}
    for held in ("fbs", "sms800k", "tf5"):
        inside = np.flatnonzero(~c.mask(held))
        model = fit_text(c.subset(inside), seed)
        idx = np.flatnonzero(c.mask(held))
        scores = res.blender.score(model.risk_logit([c.model_text[i] for i in idx]), c.rule_points[idx])
        full = np.full(len(c.text), np.nan)
        full[idx] = scores
        medium = dict(res.blender.thresholds)["medium"]
        figs = level_figures(np.nan_to_num(full, nan=-1.0), c, medium)
        out[f"without_{held}"] = {
            k: v for k, v in figs.items() if k.startswith(held if held != "fbs" else "fbs")
        }
    return out


def train_all(
    data_dir: Path | str | None = None,
    out_dir: Path | str | None = None,
    seed: int = 0,
    with_cross_source: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train every model from ``data_dir`` and write them with metrics.json into ``out_dir``."""
    data, out = Path(data_dir) if data_dir else default_data_dir(), Path(out_dir) if out_dir else MODELS_DIR
    started = time.time()
    pipe = Pipeline.current()
    if pipe.stand_in:
        log("注意：normalise.py 不存在，使用临时替代（这样训练的模型不能发布）")
    res = oof_pipeline(data, seed, pipe)
    log(f"out-of-fold done ({time.time() - started:.0f}s)")
    f1, top4 = _top4_f1(res)
    medium = dict(res.blender.thresholds)["medium"]
    figures: dict[str, Any] = {
        "fbs_top4_macro_f1_cv5": f1,
        "fbs_top4": top4,
        **level_figures(res.scores, res.corpus, medium),
        **category_figures(res),
    }
    counts = {s: int(res.corpus.mask(s).sum()) for s in SOURCE_PRIORITY}
    text_model = fit_text(res.corpus, seed)
    text_model.meta.update(trained=time.strftime("%Y-%m-%d"), rows=counts, source_weight=SOURCE_WEIGHT)
    text_model.meta.update(stand_in_normaliser=pipe.stand_in, rules_used=pipe.rules is not None, seed=seed)
    url_model, url_figs = fit_urls(data, seed, folds=FOLDS)
    figures.update(url_figs)
    log(f"models fitted ({time.time() - started:.0f}s)")
    if with_cross_source:
        figures["cross_source"] = cross_source(res, seed)
    res.blender.meta = {"fitted_on": "out-of-fold text logits and rule points", "rows": counts}
    out.mkdir(parents=True, exist_ok=True)
    text_model.save(out)
    url_model.save(out)
    res.blender.save(out)
    blend = {"text": res.blender.text, "rules": res.blender.rules, "intercept": res.blender.intercept}
    summary = {"trained": time.strftime("%Y-%m-%d"), "seed": seed, "rows": counts}
    summary.update(levels=res.blender.thresholds, blender=blend, seconds=round(time.time() - started))
    summary["figures"] = figures
    text = json.dumps(summary, ensure_ascii=False, indent=2, default=float)
    (out / "metrics.json").write_text(text + "\n", encoding="utf-8")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="fanzha screen train", description="训练筛查模型（文本模型、链接模型、融合）"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="数据目录（默认 ../shared/data 或环境变量 FANZHA_SCREEN_DATA）",
    )
    parser.add_argument("--out", type=Path, default=None, help="模型输出目录（默认包内 models/）")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cross-source", action="store_true", help="跳过跨来源检验（更快）")
    args = parser.parse_args(list(argv) if argv is not None else None)
    data = args.data or default_data_dir()
    if not (data / "texts" / "fbs_sms" / "fbs_sms_dev.csv").is_file():
        print(f"找不到训练数据：{data}（用 --data 指定，或设置 FANZHA_SCREEN_DATA）", file=sys.stderr)
        return 2
    summary = train_all(
        data,
        args.out,
        args.seed,
        with_cross_source=not args.no_cross_source,
        log=lambda m: print(m, file=sys.stderr),
    )
    figs = summary["figures"]
    for key in (
        "fbs_top4_macro_f1_cv5",
        "url_auc_cv",
        "fbs_fraud_at_medium",
        "fbs_advertising_at_medium",
        "sms800k_normal_at_medium",
    ):
        if key in figs:
            print(f"figure: {key} = {figs[key]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
