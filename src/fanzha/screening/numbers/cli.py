"""``fanzha numbers features|train|score|victims`` — no Django, no database.

Run as ``python -m fanzha.screening.numbers.cli <command> ...`` (the project CLI routes
``fanzha numbers ...`` here). Messages and progress go to stderr; results go to the named files.
"""

from __future__ import annotations

import argparse
import csv
import errno
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from fanzha.screening.numbers.model import Table


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fanzha numbers", description="涉诈号码识别：特征、训练、评分、潜在受害人"
    )
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("features", help="原始话单/短信/上网/消费记录 → 每号码特征 CSV")
    _add_records(f)
    f.add_argument("--apps", nargs="*", default=[], help="上网流量记录（phone, busi_name, flow, month）")
    f.add_argument("--spending", nargs="*", default=[], help="消费记录（phone, month, arpu）")
    f.add_argument("--output", required=True, help="特征文件（.csv 或 .parquet）")
    f.add_argument("--edges-output", help="通话图边文件 src,dst,weight")
    f.add_argument("--report", help="数据质量报告 JSON")
    f.add_argument(
        "--memory-limit", type=_memory_limit, default="2GB", help="DuckDB 内存上限，如 2GB、500MB、80%%"
    )
    f.add_argument("--threads", type=_positive_int, default=2, help="线程数（≥ 1）")

    t = sub.add_parser("train", help="用带标签的特征训练模型")
    t.add_argument("--features", required=True)
    t.add_argument("--edges")
    t.add_argument(
        "--split", help="node_id,split 文件：只用 train/val 行的标签；配合 --evaluate 做 train→val 验证"
    )
    t.add_argument("--output", required=True, help="模型文件（JSON）")
    t.add_argument(
        "--repeats", type=_positive_int, default=3, help="重复 5 折交叉验证的轮数（≥ 1，用于选阈值）"
    )
    t.add_argument("--evaluate", action="store_true", help="另外按论文协议（train 训练、val 评估）报告")
    t.add_argument("--report", help="验证结果 JSON")

    s = sub.add_parser("score", help="为特征文件的每一行打分，输出 node_id,score,is_fraud")
    s.add_argument("--features", required=True)
    s.add_argument("--edges")
    s.add_argument("--model", help="模型文件；默认用随包提供的四川数据模型")
    s.add_argument("--output", required=True)
    s.add_argument("--explain", help="解释文件（JSON Lines，中文理由）")
    s.add_argument("--explain-top", type=_positive_int, default=3, help="每个号码给出的理由条数（≥ 1）")
    s.add_argument(
        "--explain-limit", type=_non_negative_int, default=1000, help="只解释分数最高的前 N 个（0 = 全部）"
    )
    s.add_argument("--proposals", help="涉诈名单建议（JSON Lines，待人工确认）")
    s.add_argument("--proposal-threshold", type=_share, help="0 到 1 之间的分数（默认：模型的阈值）")

    v = sub.add_parser("victims", help="列出被高风险号码联系过的潜在受害人")
    _add_records(v)
    v.add_argument("--scores", required=True, help="score 的输出（node_id,score,...）")
    v.add_argument("--features", required=True, help="与 scores 对应的特征文件（取 phone_no_m）")
    v.add_argument(
        "--threshold",
        type=_share,
        help="高风险号码的分数阈值（0 到 1；默认：打分文件的 is_fraud，即模型的阈值）",
    )
    v.add_argument("--limit", type=_positive_int, help="最多列出的潜在受害人数（≥ 1；默认全部）")
    v.add_argument("--output", required=True, help="潜在受害人 CSV")
    return p


_MEMORY = re.compile(r"\s*(?:\d+(?:\.\d+)?\s*(?:[kmgt]i?b?|b)|\d{1,2}(?:\.\d+)?\s*%|100\s*%)\s*", re.I)


def _memory_limit(value: str) -> str:
    """A DuckDB memory limit with its unit (``2GB``, ``500MB``, ``1.5 GB``, ``2GiB``, ``80%``) and above
    zero; anything else is a usage error, not a failure after the input was read."""
    if not _MEMORY.fullmatch(value) or not float(re.sub(r"[^0-9.]", "", value)) > 0:
        raise argparse.ArgumentTypeError(f"内存上限应为带单位的正数，如 2GB、500MB 或 80%：{value!r}")
    return value.strip()


def _int_at_least(least: int) -> Callable[[str], int]:
    """An option's type: an integer not below ``least``, else a usage error naming the bound."""

    def read(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = least - 1
        if number < least:
            raise argparse.ArgumentTypeError(f"应为不小于 {least} 的整数：{value!r}")
        return number

    return read


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _share(value: str) -> float:
    """A score threshold: a number from 0 to 1 (``nan`` would flag nothing, ``-1`` everything)."""
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"应为 0 到 1 之间的数：{value!r}")
    return number


def _make_folders(*paths: str | None) -> None:
    """Each output's folder, made if missing (as ``score`` always did): a folder that cannot be made is
    refused (exit 2) before hours of work, not when the result is written."""
    for path in paths:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def _add_records(p: argparse.ArgumentParser) -> None:
    p.add_argument("--calls", nargs="*", default=[], help="话单文件（CSV/Parquet）")
    p.add_argument("--sms", nargs="*", default=[], help="短信记录文件")


def cmd_features(a: argparse.Namespace) -> int:
    from fanzha.screening.numbers.features import Sources, features_from_files

    if not (a.calls or a.sms or a.apps or a.spending):
        _log("错误：没有输入文件：请至少给出 --calls、--sms、--apps 或 --spending 中的一个文件。")
        return 2
    _make_folders(a.output, a.edges_output, a.report)
    t0 = time.perf_counter()
    src = Sources(
        [Path(x) for x in a.calls],
        [Path(x) for x in a.sms],
        [Path(x) for x in a.apps],
        [Path(x) for x in a.spending],
    )
    report = features_from_files(
        src,
        Path(a.output),
        Path(a.edges_output) if a.edges_output else None,
        memory_limit=a.memory_limit,
        threads=a.threads,
    )
    report["seconds"] = round(time.perf_counter() - t0, 2)
    if a.report:
        Path(a.report).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    _log(report["message"])
    return 0


def _apply_split(table: Table, split_path: str | None) -> np.ndarray | None:
    """Hide labels outside train/val; return the split name of every row (or None)."""
    if not split_path:
        return None
    with Path(split_path).open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not {"node_id", "split"} <= set(reader.fieldnames or []):
            raise ValueError(f"划分文件需要列 node_id, split：{split_path}")
        split = {_id_key(r["node_id"]): (r["split"] or "").strip() for r in reader}
    rows = [_id_key(t) for t in table.ids] if table.ids is not None else [str(int(n)) for n in table.node_id]
    names = np.array([split.get(k, "") for k in rows])
    table.label[~np.isin(names, ["train", "val"])] = np.nan
    return names


def cmd_train(a: argparse.Namespace) -> int:
    from fanzha.screening.numbers.model import load_table
    from fanzha.screening.numbers.training import paper_protocol, train_model

    _make_folders(a.output, a.report)
    table = load_table(a.features, a.edges)
    names = _apply_split(table, a.split)
    report: dict[str, Any] = {}
    if a.evaluate:
        if names is None:
            _log("--evaluate 需要 --split")
            return 2
        _log("论文协议：train 训练，val 评估 …")
        report["train_to_val"] = paper_protocol(
            table, np.flatnonzero(names == "train"), np.flatnonzero(names == "val")
        )
        _log(json.dumps(report["train_to_val"], ensure_ascii=False))
    _log(f"用全部 {int(table.labelled.sum())} 个带标签行训练（{a.repeats} 轮 5 折交叉验证选阈值）…")
    model = train_model(table, repeats=a.repeats)
    model.info.update(report)
    model.save(Path(a.output))
    report["cv"] = model.info["cv"]
    report["thresholds"] = model.thresholds
    if a.report:
        Path(a.report).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    _log(json.dumps({"cv": report["cv"], "thresholds": model.thresholds}, ensure_ascii=False))
    _log(f"模型已保存：{a.output}")
    return 0


def cmd_score(a: argparse.Namespace) -> int:
    from fanzha.screening.numbers import sources
    from fanzha.screening.numbers.model import Model, load_table
    from fanzha.screening.numbers.scoring import (
        indicator_proposals,
        score_table,
        unexplained_above,
        write_explanations,
        write_scores,
    )

    _make_folders(a.output, a.explain, a.proposals)
    model = Model.load(Path(a.model) if a.model else None)
    table = load_table(a.features, a.edges)
    for note in table.notes:
        _log(f"警告：{note}")
    if len(table.node_id) == 0:
        _log("特征文件为空：输出为空。")
    want_reasons = bool(a.explain or a.proposals)
    scores = score_table(
        model,
        table,
        explain_top=a.explain_top if want_reasons else 0,
        explain_rows_limit=a.explain_limit or None,
    )
    if scores.absent:
        _log(
            f"特征中没有{sources.describe(scores.absent)}数据：改用缺少这些来源训练的模型"
            f"（{sources.PARTIAL}）打分，不把缺少的数据当作涉诈迹象。"
        )
    write_scores(scores, Path(a.output))
    if a.explain:
        write_explanations(scores, Path(a.explain))
    if a.proposals:
        with Path(a.proposals).open("w", encoding="utf-8") as fh:
            for row in indicator_proposals(scores, threshold=a.proposal_threshold):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        left = unexplained_above(scores, threshold=a.proposal_threshold)
        if left:
            _log(
                f"另有 {left} 个号码超过阈值，但在解释范围（--explain-limit {a.explain_limit}）之外，"
                "没有依据，未列入涉诈名单建议；加大 --explain-limit（0 为全部）可一并列入。"
            )
    _log(
        f"已为 {len(scores.score)} 个号码打分（模型 {scores.kind}，阈值 {scores.threshold:.2f}），"
        f"判为涉诈 {int(scores.is_fraud.sum())} 个 → {a.output}"
    )
    return 0


def cmd_victims(a: argparse.Namespace) -> int:
    from fanzha.screening.numbers.features import Sources, connect, load_raw
    from fanzha.screening.numbers.victims import COLUMNS, potential_victims, shared_handset_note

    _make_folders(a.output)
    risky = _risky_numbers(Path(a.scores), Path(a.features), a.threshold)
    with tempfile.TemporaryDirectory(prefix="fanzha-victims-") as scratch:
        con = connect(temp_dir=scratch, database=str(Path(scratch) / "work.duckdb"))
        load_raw(con, Sources([Path(x) for x in a.calls], [Path(x) for x in a.sms], [], []))
        rows = potential_victims(con, risky, limit=a.limit)
        shared = shared_handset_note(con)
        con.close()
    with Path(a.output).open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    rule = "判为涉诈" if a.threshold is None else f"分数 ≥ {a.threshold}"
    _log(f"{len(risky)} 个高风险号码（{rule}），潜在受害人 {len(rows)} 个 → {a.output}")
    if shared:
        _log(shared)
    return 0


def _risky_numbers(scores: Path, features: Path, threshold: float | None) -> list[tuple[str, float]]:
    """(phone, score) of the numbers at or above ``threshold``; None: those the scores mark is_fraud.

    A score that is not a number is refused with its line; high-risk ids the features file does not
    hold (scores of another features file) are counted in a warning, never dropped unsaid."""
    from fanzha.screening.numbers.model import phones_of

    phone = {_id_key(node): number for node, number in phones_of(features).items()}
    need = ["node_id", "score"] + (["is_fraud"] if threshold is None else [])
    risky, unknown = [], 0
    with scores.open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"打分文件缺少列：{', '.join(missing)}（应为 score 命令的输出）：{scores}")
        for line, row in enumerate(reader, start=2):
            if threshold is None and (row["is_fraud"] or "").strip() != "1":
                continue
            score = _score(row["score"], scores, line)
            if threshold is not None and score < threshold:
                continue
            key = _id_key(row["node_id"] or "")
            if key in phone:
                risky.append((phone[key], score))
            else:
                unknown += 1
    if unknown:
        _log(
            f"警告：打分文件有 {unknown} 个高风险号码的 node_id 不在特征文件中"
            "（打分文件与特征文件不对应？），未列出它们联系过的人"
        )
    return risky


def _score(text: str | None, scores: Path, line: int) -> float:
    try:
        value = float(text or "")
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        raise ValueError(f"打分文件第 {line} 行的 score 不是数字（{str(text or '（空）')[:20]}）：{scores}")
    return value


def _id_key(node: str) -> str:
    """``"12.0"``, ``" 12"``, ``"012"`` → ``"12"``: the features file, the scores and a split file may
    spell an id differently (``score`` writes an integer id as the integer)."""
    from fanzha.screening.numbers.text_ids import key

    return key(node)


COMMANDS = {"features": cmd_features, "train": cmd_train, "score": cmd_score, "victims": cmd_victims}


_OS_ERRORS = {
    errno.ENOENT: "目录或文件不存在",
    errno.EACCES: "没有权限",
    errno.EISDIR: "这是一个目录",
    errno.EEXIST: "已有同名文件，无法建成目录",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "只读文件系统",
}


def main(argv: list[str] | None = None) -> int:
    from fanzha.screening.numbers.features import InputError

    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (InputError, ValueError) as exc:
        _log(f"错误：{exc}")
        return 2
    except OSError as exc:  # ours carry a Chinese message; the system's a file name and an errno
        reason = _OS_ERRORS.get(exc.errno or 0, exc.strerror)
        _log(f"错误：无法读写文件 {exc.filename}：{reason}" if exc.filename else f"错误：{exc}")
        return 2
    except MemoryError:
        _log("错误：内存不足，无法完成；请在内存更大的机器上运行，或把输入拆小")
        return 1
    except Exception as exc:  # noqa: BLE001 - a command line answers in Chinese, never with a traceback
        first = str(exc).splitlines()[0] if str(exc) else ""
        _log(f"错误：处理时出现意外问题（{type(exc).__name__}：{first}）")
        return 1


if __name__ == "__main__":
    sys.exit(main())
