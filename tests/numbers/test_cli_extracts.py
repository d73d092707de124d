"""The numbers command line on extracts as operators deliver them: what it skips, repeats and refuses
is said on stderr, never dropped unsaid."""

from __future__ import annotations

from pathlib import Path

from fanzha.screening.numbers.cli import main
from tests.numbers.extract import calls_csv

CALLS_HEADER = ["主叫号码", "被叫号码", "呼叫类型", "开始时间", "通话时长"]
FRAUD, PEOPLE = "17012340001", [f"1390571{i:04d}" for i in range(12)]


def _calls(path: Path, lines: list[str] | None = None) -> Path:
    """A calls file in the caller/callee view with a call-type column; ``lines`` replace the records."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(CALLS_HEADER) + "\n")
        for i, person in enumerate(PEOPLE):
            fh.write(f"{FRAUD},{person},主叫,2026-11-{i + 1:02d} 09:05:00,{10 + i}\n")
        for line in lines or []:
            fh.write(line + "\n")
    return path


def _features(tmp_path: Path, *calls: Path) -> tuple[int, Path, Path]:
    """Exit code, features file and edges file of ``fanzha numbers features`` on ``calls``."""
    out, edges = tmp_path / "features.csv", tmp_path / "edges.csv"
    args = ["features", "--calls", *map(str, calls), "--output", str(out), "--edges-output", str(edges)]
    return main(args), out, edges


def test_a_skipped_malformed_line_is_not_summed_up_as_no_problem(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls = _calls(tmp_path / "voc.csv", [f"{FRAUD},13905719999,主叫"])  # one record cut short
    code, out, _ = _features(tmp_path, calls)
    err = capsys.readouterr().err
    assert code == 0 and "跳过 1 个格式错误的行" in err
    assert "未发现数据问题" not in err
    assert "已跳过的记录（未计入，行号见说明）：calls: bad_lines=1" in err
    assert "13905719999" not in err
    (tmp_path / "clean").mkdir()
    _, clean, _ = _features(tmp_path / "clean", _calls(tmp_path / "clean" / "voc.csv"))
    assert out.read_text(encoding="utf-8") == clean.read_text(encoding="utf-8")


def test_an_extract_without_problems_still_says_so(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, *_ = _features(tmp_path, _calls(tmp_path / "voc.csv"))
    assert code == 0 and "未发现数据问题" in capsys.readouterr().err


def _scored(tmp_path: Path, features: Path, edges: Path, name: str) -> str:
    """The scores file ``fanzha numbers score`` writes for ``features`` and ``edges``."""
    out = tmp_path / f"{name}.csv"
    assert main(["score", "--features", str(features), "--edges", str(edges), "--output", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_an_edges_file_appended_twice_is_summed_and_said(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls = tmp_path / "voc.csv"
    calls.write_bytes(calls_csv())
    code, features, edges = _features(tmp_path, calls)
    assert code == 0
    lines = edges.read_text(encoding="utf-8").splitlines()
    doubled = tmp_path / "edges_doubled.csv"
    doubled.write_text(
        "\n".join([lines[0], *(f"{s},{d},{float(w) * 2}" for s, d, w in (x.split(",") for x in lines[1:]))])
        + "\n",
        encoding="utf-8",
    )
    twice = tmp_path / "edges_twice.csv"
    twice.write_text("\n".join(lines + lines[1:]) + "\n", encoding="utf-8")
    capsys.readouterr()
    scores = _scored(tmp_path, features, twice, "twice")
    err = capsys.readouterr().err
    assert scores == _scored(tmp_path, features, doubled, "doubled")  # a row per call: summed
    said = f"边文件有 {len(lines) - 1} 行与前面某行完全相同（src、dst、weight 都相同），已按多次通话相加"
    assert said in err
    assert "请去重后再评分" in err


def test_a_pair_listed_again_with_another_weight_is_summed_and_said(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls = tmp_path / "voc.csv"
    calls.write_bytes(calls_csv())
    _, features, edges = _features(tmp_path, calls)
    lines = edges.read_text(encoding="utf-8").splitlines()
    src, dst, weight = lines[1].split(",")
    summed = tmp_path / "edges_summed.csv"
    summed.write_text("\n".join([*lines, f"{src},{dst},{float(weight) + 1}"]) + "\n", encoding="utf-8")
    capsys.readouterr()
    _scored(tmp_path, features, summed, "summed")
    assert (
        "边文件有 1 行的 src→dst 已在前面出现、weight 不同：同一对号码的 weight 已相加"
        in capsys.readouterr().err
    )


def _titled(path: Path, title: str, encoding: str = "utf-8") -> Path:
    """A calls file as an operator's 详单 export starts: a title line above the header."""
    body = _calls(path).read_text(encoding="utf-8")
    path.write_bytes((title + "\n" + body).encode(encoding))
    return path


def test_a_title_line_above_the_header_is_named_as_such(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls = _titled(tmp_path / "详单.csv", "查询号码：13905710000 通话详单 2026年11月")
    code, out, _ = _features(tmp_path, calls)
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert "表头在第 2 行（主叫号码、被叫号码、呼叫类型、开始时间、通话时长 …），前面 1 行像是标题" in err
    assert "缺少必需的列" not in err and "没有表头" not in err and "13905710000" not in err


def test_a_gbk_title_row_of_empty_cells_is_named_too(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls = _titled(tmp_path / "voc.csv", "中国移动通话详单,,,,", encoding="gbk")
    assert _features(tmp_path, calls)[0] == 2
    assert "请删去表头前的 1 行，让列名在第一行" in capsys.readouterr().err


def test_a_file_without_a_header_is_still_named_as_such(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls = tmp_path / "voc.csv"
    calls.write_text(
        _calls(tmp_path / "x.csv").read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8"
    )
    assert _features(tmp_path, calls)[0] == 2
    err = capsys.readouterr().err
    assert "文件没有表头" in err and "表头在第" not in err
