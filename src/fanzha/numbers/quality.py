"""A run's data-quality report (the engine's counters, keyed in English) as Chinese lines for its page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from fanzha.core.pii.masking import scrub_text

KINDS = {"calls": "话单", "sms": "短信", "apps": "上网流量", "spending": "消费记录"}

# What each counter counts, as the analyst would say it; a counter not named here is shown by its key.
COUNTERS = {
    "bad_lines": "无法解析的行（已跳过）",
    "nonfinite_duration": "通话时长不是有限数值（inf、nan 等）的记录（已跳过）",
    "footer_lines": "合计、小计等汇总行（不是记录，已跳过）",
    "duplicates": "重复记录",
    "bad_time": "时间无法识别",
    "missing_time": "缺少时间",
    "date_only_time": "时间只有日期、没有时刻",
    "negative_duration": "通话时长为负",
    "long_duration": "通话时长超过一天",
    "bad_duration": "通话时长无法识别",
    "missing_duration": "缺少通话时长",
    "bad_call_type": "主被叫类型无法识别",
    "ambiguous_call_type": "主被叫类型含义不明（0/1 编码）",
    "lossy_imei": "IMEI 不完整",
    "bad_sms_type": "收发类型无法识别",
    "bad_flow": "流量无法识别",
    "negative_flow": "流量为负",
    "bad_arpu": "消费金额无法识别",
    "masked_number": "号码已打码（如 138****5678）",
    "lossy_number": "号码不完整",
    "unusable_number": "号码无法使用",
    "missing_number": "缺少本机号码",
    "missing_opposite": "缺少对端号码",
    "view_overlaps": "主叫、被叫两份话单重复的通话（只计一次）",
}
SHOWN_ALWAYS = ("files", "records", "distinct_records")
# records left out (named in the notes), not kept with a flaw; a totals line (合计) is no record at all
SKIPPED = ("bad_lines", "nonfinite_duration", "footer_lines")


def quality_lines(quality: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One entry per kind of record received: its name, counts and the problems found (non-zero)."""
    lines = []
    for kind, label in KINDS.items():
        counts = (quality or {}).get(kind)
        if not isinstance(counts, dict) or not counts.get("files"):
            continue
        problems = [
            (COUNTERS.get(key, key), value)
            for key, value in counts.items()
            if key not in SHOWN_ALWAYS and isinstance(value, int) and value
        ]
        lines.append(
            {
                "label": label,
                "files": counts.get("files", 0),
                "records": counts.get("records", 0),
                "distinct": counts.get("distinct_records", 0),
                "problems": problems,
            }
        )
    return lines


def file_lines(files: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The run's files, each with its kind in Chinese and its name masked (a run stored before names
    were masked at upload shows no number in clear either)."""
    return [
        {
            **f,
            "name": scrub_text(str(f.get("name") or "")),
            "label": KINDS.get(str(f.get("kind", "")), f.get("kind", "")),
            "before": _before(f.get("uploaded_before")),
        }
        for f in files or []
    ]


def _before(before: Any) -> dict[str, Any] | None:
    """An earlier run given the same file, for the run's page: its id, when and by whom (local time)."""
    if not isinstance(before, dict) or not before.get("run"):
        return None
    at = timezone.localtime(datetime.fromisoformat(str(before["at"])))
    return {"run": before["run"], "at": at, "by": before.get("by") or "", "runs": before.get("runs", 1)}


def run_message(quality: dict[str, Any] | None) -> str:
    """The run's one-line outcome for its status line, in Chinese: how many numbers, and the problems
    found by kind of record (the engine's own message keys them in English for the command line)."""
    quality = quality or {}
    numbers = int(quality.get("numbers") or 0)
    if not numbers:  # the engine's message says why the result is empty, with its notes
        return str(quality.get("message", ""))
    head = f"生成 {numbers} 个号码的特征、{int(quality.get('edges') or 0)} 条通话边。"
    kept = _by_kind(quality, skipped=False)
    left_out = _by_kind(quality, skipped=True)
    body = "数据问题（已计入统计，未丢弃）：" + "；".join(kept) + "。" if kept else ""
    body += "已跳过：" + "；".join(left_out) + "。" if left_out else ""
    body = body or "未发现数据问题。"
    tail = "其他说明见“文件与数据质量”。" if quality.get("notes") else ""
    return head + body + tail


def _by_kind(quality: dict[str, Any], *, skipped: bool) -> list[str]:
    """``话单 时间无法识别 1，通话时长为负 1`` a kind: its kept problems, or its skipped records."""
    names = {COUNTERS[key] for key in SKIPPED}
    parts = []
    for line in quality_lines(quality):
        found = [(name, count) for name, count in line["problems"] if (name in names) == skipped]
        if found:
            parts.append(f"{line['label']} " + "，".join(f"{name} {count}" for name, count in found))
    return parts
