"""The numbers engine (fanzha.screening.numbers) run over decrypted files in a scratch folder.

No database here: in go file paths, out plain results for the services to store.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fanzha.screening.numbers import sources
from fanzha.screening.numbers.features import InputError, Sources, build, connect, write
from fanzha.screening.numbers.model import Model, load_table
from fanzha.screening.numbers.scoring import indicator_proposals, score_table, unexplained_above
from fanzha.screening.numbers.victims import potential_victims, shared_handset_note, victims_found

MEMORY_LIMIT = "2GB"  # DuckDB's limit for one run (it spills to the scratch folder beyond it)
THREADS = 2
EXPLAIN_TOP = 3
KEEP_NUMBERS = 2000  # scored numbers kept per run (highest scores first; all are counted)
KEEP_VICTIMS = 5000

Report = Callable[[int, str], None]


@dataclass
class EngineResult:
    quality: dict[str, Any]
    numbers_total: int
    threshold: float
    high_risk_count: int = 0
    scored: list[dict[str, Any]] = field(default_factory=list)  # number, score, is_high_risk, reasons
    victims: list[dict[str, Any]] = field(default_factory=list)  # the first KEEP_VICTIMS, ranked
    victims_total: int = 0  # all found (more than those kept when the list was cut)
    proposals: list[dict[str, Any]] = field(default_factory=list)


# a temporary file's path (the scratch folder, a transcoded copy), cut where a message goes on
_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"/fanzha-[^\s'\"，。；：、（）()]*")


def shown(text: str, names: dict[Path, str]) -> str:
    """A message or note as the analyst reads it: each scratch file by its name as uploaded (“voc.csv”),
    any other temporary path left out — never a path of the server."""
    for path, name in sorted(names.items(), key=lambda item: -len(str(item[0]))):
        text = text.replace(str(path), f"“{name}”")
    return _TEMP_PATH.sub("（临时文件）", text)


def _build(con: Any, src: Sources, names: dict[Path, str]) -> dict[str, Any]:
    """The features and the data-quality report, its messages naming the files as uploaded."""
    try:
        quality = build(con, src)
    except InputError as exc:
        raise InputError(shown(str(exc), names)) from None
    quality["notes"] = [shown(str(note), names) for note in quality.get("notes", [])]
    quality["message"] = shown(str(quality.get("message", "")), names)
    return quality


def run_engine(
    files: dict[str, list[Path]], scratch: Path, report: Report, names: dict[Path, str] | None = None
) -> EngineResult:
    """Features → scores with the committed default model → potential victims and proposals.

    ``names``: each file's name as uploaded, for the messages (else the file's own name)."""
    names = {path: (names or {}).get(path, path.name) for paths in files.values() for path in paths}
    src = Sources(*(files.get(kind, []) for kind in ("calls", "sms", "apps", "spending")))
    con = connect(MEMORY_LIMIT, THREADS, temp_dir=str(scratch), database=str(scratch / "work.duckdb"))
    try:
        report(20, "正在计算号码特征")
        quality = _build(con, src, names)
        model = Model.load()
        if quality["numbers"] == 0:
            return EngineResult(quality, 0, float(model.thresholds.get("no_labels", 0.5)))
        write(con, "features", scratch / "features.csv")
        write(con, "edges", scratch / "edges.csv")
        report(50, f"正在为 {quality['numbers']} 个号码评分")
        table = load_table(scratch / "features.csv", scratch / "edges.csv")
        scores = score_table(model, table, explain_top=EXPLAIN_TOP, explain_rows_limit=KEEP_NUMBERS)
        if scores.absent:
            quality["scoring_note"] = (
                f"上传的数据中没有{sources.describe(scores.absent)}记录：按缺少这些来源训练的模型评分，"
                "缺少的数据不算作涉诈迹象。"
            )
        result = EngineResult(quality, len(scores.score), scores.threshold)
        result.scored = _scored(scores)
        report(75, "正在查找潜在受害人")
        risky = [
            (scores.phone[i], float(scores.score[i])) for i in range(len(scores.score)) if scores.is_fraud[i]
        ]
        result.high_risk_count = len(risky)
        result.victims = potential_victims(con, risky, limit=KEEP_VICTIMS) if risky else []
        cut = len(result.victims) >= KEEP_VICTIMS  # counted again only then: the query runs twice
        result.victims_total = victims_found(con) if cut else len(result.victims)
        if risky and (shared := shared_handset_note(con)):
            quality["victims_note"] = shared
        result.proposals = indicator_proposals(scores)
        left = unexplained_above(scores)
        if left:
            quality["proposals_note"] = (
                f"另有 {left} 个高风险号码排在前 {KEEP_NUMBERS} 名之后，没有计算依据，未列入涉诈名单建议；"
                "可拆分数据分批评分。"
            )
        return result
    finally:
        con.close()


def _scored(scores: Any) -> list[dict[str, Any]]:
    order = sorted(range(len(scores.score)), key=lambda i: -float(scores.score[i]))
    kept = order[:KEEP_NUMBERS]  # the high-risk numbers come first (highest scores)
    return [
        {
            "number": scores.phone[i],
            "score": float(scores.score[i]),
            "is_high_risk": bool(scores.is_fraud[i]),
            "reasons": [r.text for r in scores.reasons.get(int(i), [])],
        }
        for i in kept
    ]
