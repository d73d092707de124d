"""The screening pipeline: normalise → extract → rules → models → blend → one Result per item.

Batches are the unit of work: the models score a whole batch with one sparse product, so callers
should pass many items at once (`screen_texts`, `screen_urls`). One bad item never fails a batch:
it gets a Result with `error` set, score 0 and level none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from fanzha.screening import typology as typology_mod
from fanzha.screening.blend import Blender, _thresholds, level_for
from fanzha.screening.entities import extract, variants
from fanzha.screening.indicators import Indicators
from fanzha.screening.normalise import normalise
from fanzha.screening.rules import RuleSet, category_votes, load_rules, points
from fanzha.screening.textmodel import TextModel
from fanzha.screening.types import Entity, Hit, Normalised, Result
from fanzha.screening.urlmodel import UrlModel

MAX_CHARS = 10_000  # longer items are screened on this prefix and flagged
MODEL_EVIDENCE_MIN = 0.5  # a model probability from which the model is named as a reason
URL_EVIDENCE_MIN = 0.5
NOT_A_LINK = "不是链接：没有域名或 IP 地址"
# white space and the zero-width characters the normaliser removes: a text of nothing else is empty
BLANK = "".join(variants()["chars"]["zero_width"]) + "".join(filter(str.isspace, map(chr, range(0x3001))))
WINDOW, WINDOW_STEP, MAX_WINDOWS = 200, 150, 60  # text-model windows over long texts (chars)


@dataclass
class Engine:
    rules: RuleSet
    text_model: TextModel
    url_model: UrlModel
    blender: Blender
    indicators: Indicators = field(default_factory=Indicators)
    max_chars: int = MAX_CHARS

    @classmethod
    def default(cls) -> Engine:
        return _default_engine()

    # ── texts ────────────────────────────────────────────────────────────

    def screen_texts(self, texts: Sequence[object]) -> list[Result]:
        results: list[Result | None] = [None] * len(texts)
        good: list[int] = []
        norms: list[Normalised] = []
        max_chars = self.max_chars
        for i, text in enumerate(texts):
            if text.__class__ is not str or not text.strip(BLANK):  # the common case costs no call
                problem = _problem(text)
                if problem:
                    results[i] = _error_result(problem)
                    continue
                text = str(text)
            good.append(i)
            norms.append(normalise(text, max_chars=max_chars))
        if len(norms) == len(texts):
            return self._screen_normalised(norms)
        for i, result in zip(good, self._screen_normalised(norms), strict=True):
            results[i] = result
        return [r for r in results if r is not None]

    def screen_text(self, text: str) -> Result:
        return self.screen_texts([text])[0]

    def _screen_normalised(self, norms: list[Normalised]) -> list[Result]:
        if not norms:
            return []
        # the normaliser's entity tuple itself when it has one (extract() would copy it into a list)
        entities = [n.entities if n.entities is not None else extract(n) for n in norms]
        match = self.rules.match
        hits = [match(n, ents) for n, ents in zip(norms, entities, strict=True)]
        risk, cat_probs, classes = self._text_model_windows([n.model_text for n in norms])
        url_probs = self._url_probs(entities)
        listed = [self.indicators.match(ents) for ents in entities] if self.indicators else None
        tallies = [_points_votes(h) for h in hits]
        rule_points = np.array([t[0] for t in tallies], dtype=np.float64)
        ind_points = np.array([points(h) for h in listed], dtype=np.float64) if listed else 0.0
        url_logit = np.array([_logit(p) if p is not None else 0.0 for p in url_probs])
        scores = self.blender.score(_logits(risk), rule_points, url_logit, ind_points).tolist()
        levels = _levels(scores)
        categories = decide_categories(levels, cat_probs, classes, [t[1] for t in tallies])
        extra = listed if listed is not None else [None] * len(norms)
        risks = risk.tolist()
        rows = zip(norms, scores, levels, categories, hits, entities, risks, url_probs, extra, strict=True)
        out = []
        make = _make_result
        for n, score, level, category, evidence, ents, text_p, url_p, ind in rows:
            if ind is not None:
                evidence = [*evidence, *ind]
            if text_p >= MODEL_EVIDENCE_MIN or url_p is not None:
                evidence = [*evidence, *_model_hits(text_p, url_p)]
            if n.truncated:
                out.append(_result(n, score, level, category, evidence, ents))
                continue
            # _result() inlined for the common case (no truncation note)
            reasons = tuple(sorted(evidence, key=_strength)) if len(evidence) > 1 else tuple(evidence)
            out.append(make(round(score, 4), level, category, reasons, tuple(ents), n))
        return out

    def _text_model_windows(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, Sequence[str]]:
        """The text model over message-sized windows; a long text takes its riskiest window.

        The model learned from messages of tens of characters: run over a whole web page, a few
        scam sentences drown in the rest. So long texts are cut into overlapping windows.
        """
        if max(map(len, texts), default=0) <= WINDOW + WINDOW // 2:  # every text is one window
            return self.text_model.predict(texts)
        windows: list[str] = []
        owner: list[int] = []
        for k, text in enumerate(texts):
            pieces = model_windows(text)
            windows.extend(pieces)
            owner.extend([k] * len(pieces))
        risk, probs, classes = self.text_model.predict(windows)
        if len(windows) == len(texts):
            return risk, probs, classes
        owners = np.asarray(owner)
        order = np.lexsort((-risk, owners))  # per text, riskiest window first
        first = order[np.unique(owners[order], return_index=True)[1]]
        return risk[first], probs[first], classes

    def _url_probs(self, entities: Sequence[Sequence[Entity]]) -> list[float | None]:
        urls = sorted({e.value for ents in entities for e in ents if e.kind == "url"})
        if not urls:
            return [None] * len(entities)
        prob = dict(zip(urls, (float(p) for p in self.url_model.predict(urls)), strict=True))
        return [max((prob[e.value] for e in ents if e.kind == "url"), default=None) for ents in entities]

    # ── URLs ─────────────────────────────────────────────────────────────

    def screen_urls(self, urls: Sequence[object]) -> list[Result]:
        results: list[Result | None] = [None] * len(urls)
        good: list[int] = []
        norms: list[Normalised] = []
        for i, url in enumerate(urls):
            problem = _problem(url)
            if problem:
                results[i] = _error_result(problem.replace("文本", "链接"))
                continue
            norm = normalise(str(url).strip(), max_chars=2_000)
            if not _could_be_link(norm.text):
                results[i] = _error_result(NOT_A_LINK)
                continue
            good.append(i)
            norms.append(norm)
        for i, result in zip(good, self._screen_url_norms(norms), strict=True):
            results[i] = result
        return [r for r in results if r is not None]

    def screen_url(self, url: str) -> Result:
        return self.screen_urls([url])[0]

    def _screen_url_norms(self, norms: list[Normalised]) -> list[Result]:
        if not norms:
            return []
        entities = [_url_entities(n) for n in norms]
        hits = [self.rules.match(n, ents) for n, ents in zip(norms, entities, strict=True)]
        targets = [_url_value(n, ents) for n, ents in zip(norms, entities, strict=True)]
        probs = self.url_model.predict(targets)
        out = []
        for k, n in enumerate(norms):
            ind = self.indicators.match(entities[k])
            score = self.blender.score_url(float(probs[k]), points(hits[k]), points(ind))
            evidence = [*hits[k], *ind, *_model_hits(None, float(probs[k]))]
            votes = category_votes(evidence)
            category = _url_category(score, votes)
            out.append(_result(n, score, level_for(score), category, evidence, entities[k]))
        return out


def model_windows(text: str) -> list[str]:
    if len(text) <= WINDOW + WINDOW // 2:
        return [text]
    starts = range(0, min(len(text), MAX_WINDOWS * WINDOW_STEP) - WINDOW // 2, WINDOW_STEP)
    return [text[s : s + WINDOW] for s in starts]


def decide_category(score: float, probs: np.ndarray, classes: Sequence[str], votes: dict[str, float]) -> str:
    """The typology code of one item (see decide_categories)."""
    return decide_categories([level_for(score)], np.asarray(probs)[None, :], classes, [votes])[0]


def decide_categories(
    levels: Sequence[str], probs: np.ndarray, classes: Sequence[str], votes: Sequence[dict[str, float]]
) -> list[str]:
    """Per item, a risky type when its score is medium or high, else advertising or normal.

    Rule votes (points per category) and the model's category probabilities are both evidence;
    the model's probability counts as up to 4 points, so a strong named rule decides the type.
    For a non-risky item, normal vs advertising comes from the text model's ordinary-text head
    (it splits the category head's normal + advertising mass, see textmodel.py) plus ham votes.
    """
    risky_of = _risky_codes()
    risky_rows = np.array([level in ("medium", "high") for level in levels], dtype=bool)
    class_risky = np.array([risky_of.get(c, False) for c in classes])
    values = np.where(class_risky[None, :] == risky_rows[:, None], 4.0 * probs, -np.inf)
    best_index = values.argmax(axis=1)
    best_values = values[np.arange(len(levels)), best_index].tolist()
    column = {c: i for i, c in enumerate(classes)}
    out = []
    # Python scalars up front: indexing numpy arrays item by item costs more than the conversion
    for k, (row_votes, risky, best_k) in enumerate(
        zip(votes, risky_rows.tolist(), best_index.tolist(), strict=True)
    ):
        best, best_value = classes[best_k], best_values[k]
        if best_value == -math.inf:
            best = ""
        for code, vote in row_votes.items():
            if vote <= 0 or risky_of.get(code) != risky:
                continue
            value = vote + (4.0 * probs.item(k, column[code]) if code in column else 0.0)
            if value > best_value:
                best, best_value = code, value
        out.append(best or ("other_fraud" if risky else "normal"))
    return out


@lru_cache(maxsize=1)
def _risky_codes() -> dict[str, bool]:
    typology = typology_mod.load_typology()
    return {code: typology.get(code).risky for code in typology.codes()}


def _url_category(score: float, votes: dict[str, float]) -> str:
    if level_for(score) not in ("medium", "high"):
        return "normal"
    risky = {c: v for c, v in votes.items() if typology_mod.is_risky(c) and v > 0}
    return max(risky, key=lambda c: risky[c]) if risky else "other_fraud"


def _url_entities(n: Normalised) -> list[Entity]:
    ents = extract(n)
    if any(e.kind == "url" for e in ents):
        return ents
    # A bare host or path the extractor did not take for a link: screen the item as given.
    from fanzha.screening.types import Span

    return [*ents, Entity("url", n.text.lower(), Span(0, len(n.text)), {})]


def _could_be_link(text: str) -> bool:
    """A link has a dot (a domain or IPv4, 。 as in IDNA too) or a colon (a scheme, IPv6): `无`, `暂无`,
    `-`, `见截图` in a link column are none, and the link model would score them as odd domains."""
    return any(mark in text for mark in ".。:")


def _url_value(n: Normalised, ents: list[Entity]) -> str:
    urls = [e for e in ents if e.kind == "url"]
    return max(urls, key=lambda e: e.span.end - e.span.start).value if urls else n.text


def _problem(item: object) -> str:
    if item is None:
        return "文本为空"
    if not isinstance(item, str):
        return "不是文本"
    if not item.strip(BLANK):
        return "文本为空"
    return ""


def _strength(hit: Hit) -> float:
    return -abs(hit.weight)


def _error_result(message: str) -> Result:
    return Result(score=0.0, level="none", category="normal", reasons=(), entities=(), error=message)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _logits(p: np.ndarray) -> np.ndarray:
    q = np.clip(p.astype(np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def _points_votes(hits: list[Hit]) -> tuple[float, dict[str, float]]:
    """points(hits) and category_votes(hits) in one pass (the same sums in the same order)."""
    total: float = 0.0
    votes: dict[str, float] = {}
    for h in hits:
        weight = h.weight
        total += weight
        if h.category:
            votes[h.category] = votes.get(h.category, 0.0) + abs(weight)
    return float(total), votes


def _levels(scores: list[float]) -> list[str]:
    """level_for() over a list, with the thresholds looked up once."""
    cuts = _thresholds()
    out = []
    for x in scores:
        for name, cut in cuts:
            if x >= cut:
                out.append(name)
                break
        else:
            out.append("none")
    return out


_MODEL_HIT_CACHE: dict[tuple[str, int], Hit] = {}  # Hits are immutable: one per model and percentage


def _model_hit(symbol: str, pct: int) -> Hit:
    hit = _MODEL_HIT_CACHE.get((symbol, pct))
    if hit is None:
        if symbol == "TEXT_MODEL":
            hit = Hit(symbol, 0.0, "", f"文本模型：与已知诈骗或违法推广短信相似（{pct}%）")
        else:
            hit = Hit(symbol, 0.0, "", f"链接模型：链接的构造与钓鱼、违法网站相似（{pct}%）")
        _MODEL_HIT_CACHE[(symbol, pct)] = hit
    return hit


def _model_hits(text_prob: float | None, url_prob: float | None) -> list[Hit]:
    hits = []
    if text_prob is not None and text_prob >= MODEL_EVIDENCE_MIN:
        hits.append(_model_hit("TEXT_MODEL", round(text_prob * 100)))
    if url_prob is not None and url_prob >= URL_EVIDENCE_MIN:
        hits.append(_model_hit("URL_MODEL", round(url_prob * 100)))
    return hits


# Results are built through the slot descriptors: a frozen dataclass's __init__ pays an
# object.__setattr__ per field, which is a large part of the per-item cost of a batch.
_new = object.__new__
_set_score, _set_level, _set_category, _set_reasons, _set_entities, _set_normalised, _set_error = (
    getattr(Result, f).__set__
    for f in ("score", "level", "category", "reasons", "entities", "normalised", "error")
)


def _make_result(
    score: float, level: str, category: str, reasons: tuple[Hit, ...], ents: tuple[Entity, ...], n: Normalised
) -> Result:
    """Result(score, level, category, reasons, ents, n) without the dataclass __init__."""
    r: Result = _new(Result)
    _set_score(r, score)
    _set_level(r, level)
    _set_category(r, category)
    _set_reasons(r, reasons)
    _set_entities(r, ents)
    _set_normalised(r, n)
    _set_error(r, "")
    return r


def _result(
    n: Normalised, score: float, level: str, category: str, hits: list[Hit], ents: Sequence[Entity]
) -> Result:
    ordered = sorted(hits, key=_strength) if len(hits) > 1 else list(hits)
    if n.truncated:
        note = f"内容超过 {len(n.original)} 字，只筛查了前 {len(n.original)} 字"
        ordered.append(Hit("TRUNCATED", 0.0, "", note))
    return _make_result(round(score, 4), level, category, tuple(ordered), tuple(ents), n)


@lru_cache(maxsize=1)
def _default_engine() -> Engine:
    return Engine(
        rules=load_rules(),
        text_model=TextModel.load(),
        url_model=UrlModel.load(),
        blender=Blender.load(),
    )
