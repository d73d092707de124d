"""Screening engine speed and quality against a jieba + TF-IDF + logistic-regression baseline.

    .venv/bin/python bench/screen.py [--data ../shared/data] [--seconds 5] [--skip-cv]

One process, pinned to one core, BLAS limited to one thread. In the same run it measures:
- the whole engine pipeline (normalise, extract, rules, text model, URL model, blend) on the FBS dev
  texts, in batches of 1,000 as the CLI and batch jobs call it: messages per second and peak RSS
  (taken before the baseline loads its dictionary);
- the baseline — jieba word segmentation, scikit-learn TfidfVectorizer and LogisticRegression fitted
  on the same texts — predicting the same texts: messages per second;
- quality: macro-F1 over the four FBS top categories (AD / FR / IL / Other), 5-fold stratified
  cross-validation on the FBS dev set with the engine retrained on each fold's training part
  (other sources included), and the baseline under the same folds.
Targets (issue 3): ≥ 20,000 msgs/s, ≥ 5 x the baseline, ≤ 300 MB, macro-F1 ≥ 0.90.
"""

from __future__ import annotations

import os
import sys

# bench/warnings.py shares its name with the standard library module: keep this folder off the path.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]


for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def pin_one_core() -> int:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})
    return cpus[-1]


def read_fbs(data: Path) -> tuple[list[str], list[str]]:
    path = data / "texts" / "fbs_sms" / "fbs_sms_dev.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["top_category"] for r in rows]


def rate(fn, items: list[str], seconds: float) -> float:
    """Items per second of fn over items in batches of 1,000, repeated for at least `seconds`."""
    done, started = 0, time.perf_counter()
    while True:
        for start in range(0, len(items), 1000):
            fn(items[start : start + 1000])
        done += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine_rate(texts: list[str], seconds: float) -> float:
    from fanzha.screening import default_engine

    engine = default_engine()
    engine.screen_texts(texts[:1000])  # load models, warm caches
    return rate(engine.screen_texts, texts, seconds)


def baseline_model(texts: list[str], labels: list[str]):
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    jieba.setLogLevel(60)
    vectoriser = TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, lowercase=False, sublinear_tf=True)
    model = LogisticRegression(max_iter=2000, C=10.0)
    model.fit(vectoriser.fit_transform(texts), labels)
    return vectoriser, model


def baseline_rate(texts: list[str], labels: list[str], seconds: float) -> float:
    vectoriser, model = baseline_model(texts, labels)

    def predict(batch: list[str]) -> None:
        model.predict_proba(vectoriser.transform(batch))

    predict(texts[:1000])
    return rate(predict, texts, seconds)


def baseline_cv(texts: list[str], labels: list[str], folds: int) -> float:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    predicted = [""] * len(texts)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
        vectoriser, model = baseline_model([texts[i] for i in train], [labels[i] for i in train])
        for i, p in zip(test, model.predict(vectoriser.transform([texts[i] for i in test])), strict=True):
            predicted[i] = p
    return float(f1_score(labels, predicted, average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--skip-cv", action="store_true")
    args = parser.parse_args()
    core = pin_one_core()
    texts, labels = read_fbs(args.data)
    print(f"FBS dev texts: {len(texts)}; pinned to core {core}", file=sys.stderr)

    screen = engine_rate(texts, args.seconds)
    rss = peak_rss_mb()
    baseline = baseline_rate(texts, labels, args.seconds)
    figures = {
        "screen_msgs_per_s_1core": (screen, "msgs/s"),
        "baseline_msgs_per_s_1core": (baseline, "msgs/s"),
        "screen_speedup_vs_baseline": (screen / baseline, "x"),
        "screen_peak_rss_mb": (rss, "MB"),
    }
    if not args.skip_cv:
        from fanzha.screening.train import cross_validate_fbs_top4

        figures["fbs_top4_macro_f1_cv5"] = (cross_validate_fbs_top4(args.data, folds=5), "")
        figures["baseline_fbs_top4_macro_f1_cv5"] = (baseline_cv(texts, labels, 5), "")
    for name, (value, unit) in figures.items():
        shown = f"{value:.0f}" if unit == "msgs/s" else f"{value:.4f}" if not unit else f"{value:.2f}"
        print(f"figure: {name} = {shown} {unit}".rstrip())


if __name__ == "__main__":
    main()
