"""``fanzha numbers score`` on odd feature and edge files: every row scored (with a warning for what was
repaired) or a clear Chinese error — never a traceback, never a dropped or reordered row."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from fanzha.screening.numbers.cli import main
from fanzha.screening.numbers.features import FEATURE_NAMES
from fanzha.screening.numbers.model import DEFAULT_MODEL
from tests.screening.numbers.conftest import victims_argv, write_csv

IDS = ["7", "3", "11", "5", "0", "9"]


def _features(path: Path, header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    rng = np.random.default_rng(5)
    header = header or ["node_id", "phone_no_m", *FEATURE_NAMES]
    rows = [[i, f"1380000000{i}", *(round(float(v), 3) for v in rng.uniform(1, 50, len(FEATURE_NAMES)))]
            for i in IDS]  # fmt: skip
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _edges(path: Path) -> Path:
    return write_csv(path, ["src", "dst", "weight"], [[7, 3, 2], [3, 11, 1], [5, 0, 1], [0, 7, 1]])


def _score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], features: Path, *extra: str
) -> tuple[int, str]:
    out = tmp_path / "scores.csv"
    out.unlink(missing_ok=True)
    code = main(["score", "--features", str(features), "--output", str(out), *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _ids(tmp_path: Path) -> list[str]:
    with (tmp_path / "scores.csv").open(encoding="utf-8") as fh:
        return [r["node_id"] for r in csv.DictReader(fh)]


def test_it_scores_every_row_when_a_feature_column_is_missing(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    header = ["node_id", "phone_no_m", *FEATURE_NAMES]
    f = _features(tmp_path / "f.csv")
    with f.open(encoding="utf-8") as fh:
        rows = [r[:-1] for r in csv.reader(fh)]  # arpu_quantile gone
    write_csv(f, header[:-1], rows[1:])
    code, err = _score(tmp_path, capsys, f)
    assert code == 0 and _ids(tmp_path) == IDS
    assert "缺少 1 列" in err and "arpu_quantile" in err
    few = write_csv(tmp_path / "few.csv", ["node_id", "opposite_count"], [[1, 2]])
    assert _score(tmp_path, capsys, few)[0] == 2  # not a features file at all: a clear error


def test_it_warns_about_text_and_infinite_feature_values(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = _features(tmp_path / "f.csv")
    text = f.read_text(encoding="utf-8").splitlines()
    cells = text[2].split(",")
    cells[5], cells[6] = "N/A", "inf"
    text[2] = ",".join(cells)
    f.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, err = _score(tmp_path, capsys, f)
    assert code == 0 and _ids(tmp_path) == IDS
    assert f"{FEATURE_NAMES[3]} 1 个（如 “N/A”）" in err and "1 个无穷大" in err


def test_it_refuses_a_fractional_node_id_instead_of_rounding_it(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = _features(tmp_path / "f.csv")
    f.write_text(f.read_text(encoding="utf-8").replace("\n11,", "\n11.5,"), encoding="utf-8")
    code, err = _score(tmp_path, capsys, f)
    assert code == 2 and "须为整数" in err and "11.5" in err
    f.write_text(f.read_text(encoding="utf-8").replace("\n11.5,", "\n,"), encoding="utf-8")
    code, err = _score(tmp_path, capsys, f)
    assert code == 2 and "（空）" in err and "None" not in err
    f.write_text(f.read_text(encoding="utf-8").replace("\n,", "\n11.0,"), encoding="utf-8")
    assert _score(tmp_path, capsys, f)[0] == 0 and _ids(tmp_path)[2] == "11.0"  # as the file writes it


def test_it_reads_gbk_ragged_and_differently_named_columns(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = _features(tmp_path / "f.csv", encoding="gbk")
    f.write_text(f.read_text(encoding="gbk").replace("13800000003", "号码三"), encoding="gbk")
    code, err = _score(tmp_path, capsys, f)
    assert code == 0 and _ids(tmp_path) == IDS and "GBK" in err
    upper = _features(tmp_path / "u.csv", header=["ID", "PHONE_NO_M", *(n.upper() for n in FEATURE_NAMES)])
    code, err = _score(tmp_path, capsys, upper)
    assert code == 0 and _ids(tmp_path) == IDS and "ID → node_id" in err
    lines = f.read_text(encoding="gbk").splitlines()
    lines[2] = ",".join(lines[2].split(",")[:-3])  # a row three values short
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = _score(tmp_path, capsys, f)
    assert code == 0 and _ids(tmp_path) == IDS and "宽松读取" in err


def test_it_scores_with_odd_edge_files_and_says_what_it_ignored(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = _features(tmp_path / "f.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    headerless = tmp_path / "bare.csv"
    headerless.write_text("7,3,2\n3,11,1\n", encoding="utf-8")
    bad = write_csv(tmp_path / "bad.csv", ["src", "dst", "weight"],
                    [[7, 3, "N/A"], ["x", 3, 1], [7, 7, 1], [100, 3, 1], [5, 0, -2]])  # fmt: skip
    other = write_csv(tmp_path / "o.csv", ["source", "target"], [[700, 300]])
    expected = {
        empty: ["边文件是空的"],
        headerless: ["边文件没有表头"],
        bad: ["1 行的 src/dst 不是整数", "2 条边的 weight", "1 条边的一端不在", "1 条自己到自己"],
        other: ["source → src", "两端都对不上"],
    }
    for edges, words in expected.items():
        code, err = _score(tmp_path, capsys, f, "--edges", str(edges))
        assert code == 0 and _ids(tmp_path) == IDS, err
        assert all(w in err for w in words), err
    code, err = _score(tmp_path, capsys, f)
    assert code == 0 and "没有给出边文件" in err


def test_it_creates_the_output_folder_and_explains_unwritable_outputs(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    deep = tmp_path / "a" / "b" / "s.csv"
    assert main(["score", "--features", str(f), "--edges", str(e), "--output", str(deep)]) == 0
    first = deep.read_text(encoding="utf-8")
    assert main(["score", "--features", str(f), "--edges", str(e), "--output", str(deep)]) == 0
    assert deep.read_text(encoding="utf-8") == first and len(first.splitlines()) == len(IDS) + 1
    capsys.readouterr()
    assert main(["score", "--features", str(f), "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "无法读写文件" in err and "目录" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.part"))


def test_it_scores_at_the_committed_models_threshold_and_explains_a_bad_model(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    code, err = _score(tmp_path, capsys, f, "--edges", str(e))
    threshold = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))["thresholds"]["no_labels"]
    with (tmp_path / "scores.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert code == 0 and f"阈值 {threshold:.2f}" in err
    assert all((float(r["score"]) >= threshold) == (r["is_fraud"] == "1") for r in rows)
    code, err = _score(tmp_path, capsys, f, "--model", str(e))
    assert code == 2 and "模型文件无法读取" in err


def test_it_scores_every_row_of_duplicated_node_ids_alike(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    lines = f.read_text(encoding="utf-8").splitlines()
    f.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # node 7 twice, the same row
    code, err = _score(tmp_path, capsys, f, "--edges", str(e))
    assert code == 0 and "node_id 有重复：1 个编号共 2 行（如 7）" in err
    with (tmp_path / "scores.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["node_id"] for r in rows] == [*IDS, "7"] and rows[0] == rows[-1]


def test_victims_match_scores_to_features_whose_ids_are_written_as_floats(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = write_csv(
        tmp_path / "f.csv", ["node_id", "phone_no_m"], [["0.0", "13900000001"], ["1.0", "13700000001"]]
    )
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13900000001", "13700000001", "2024-03-05 10:00:00", 400]])  # fmt: skip
    scores = write_csv(tmp_path / "s.csv", ["node_id", "score", "is_fraud"], [[0, 0.9, 1], [1, 0.1, 0]])
    out = tmp_path / "v.csv"
    argv = victims_argv(calls, scores, f, out)
    assert main(argv) == 0
    with out.open(encoding="utf-8") as fh:
        assert [r["phone"] for r in csv.DictReader(fh)] == ["13700000001"]
    write_csv(scores, ["node_id", "score"], [[0, 0.9]])
    capsys.readouterr()
    assert main(argv) == 2 and "打分文件缺少列：is_fraud" in capsys.readouterr().err


def test_it_reads_leniently_when_a_bad_line_is_far_down_the_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = tmp_path / "f.csv"
    row = ",".join(["1"] * len(FEATURE_NAMES))
    lines = [",".join(["node_id", *FEATURE_NAMES]), *(f"{i},{row}" for i in range(25_000))]
    lines[-1] = lines[-1][:-4]  # past DuckDB's sniffing sample: two values short
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = _score(tmp_path, capsys, f)
    assert code == 0 and "宽松读取" in err and len(_ids(tmp_path)) == 25_000


def test_train_reads_a_split_file_whose_ids_are_floats(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from fanzha.screening.numbers.cli import _apply_split
    from fanzha.screening.numbers.model import load_table

    f = _features(tmp_path / "f.csv")
    table = load_table(f)
    split = write_csv(tmp_path / "split.csv", ["node_id", "split"], [[f"{i}.0", "train"] for i in IDS[:2]])
    names = _apply_split(table, str(split))
    assert names is not None and list(names) == ["train", "train", "", "", "", ""]
    write_csv(split, ["id", "part"], [[1, "train"]])
    with pytest.raises(ValueError, match="划分文件需要列"):
        _apply_split(table, str(split))


# ---------------------------------------------------------------- encodings and value spellings


def _scores_text(tmp_path: Path) -> str:
    return (tmp_path / "scores.csv").read_text(encoding="utf-8")


def test_it_scores_utf16_features_and_edges_like_their_utf8_copies(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    assert _score(tmp_path, capsys, f, "--edges", str(e))[0] == 0
    expected = _scores_text(tmp_path)
    tabbed = f.read_text(encoding="utf-8").replace(",", "\t").replace("\n", "\r\n")
    edges = e.read_text(encoding="utf-8").replace(",", "\t")
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        (tmp_path / "f16.txt").write_bytes(bom + tabbed.encode(codec))
        (tmp_path / "e16.txt").write_bytes(bom + edges.encode(codec))
        code, err = _score(tmp_path, capsys, tmp_path / "f16.txt", "--edges", str(tmp_path / "e16.txt"))
        assert code == 0 and _scores_text(tmp_path) == expected, err
        assert "特征文件：是 UTF-16 编码" in err and "边文件：是 UTF-16 编码" in err
    (tmp_path / "f8.csv").write_bytes(f.read_text(encoding="utf-8").encode("utf-8-sig"))  # BOM as before
    code, err = _score(tmp_path, capsys, tmp_path / "f8.csv", "--edges", str(e))
    assert code == 0 and _scores_text(tmp_path) == expected and "UTF-16" not in err
    (tmp_path / "cut.txt").write_bytes(tabbed.encode("utf-16")[:-1])  # an odd number of bytes
    code, err = _score(tmp_path, capsys, tmp_path / "cut.txt")
    assert code == 2 and "不是有效的 UTF-16" in err


def _cells(f: Path, row: int, values: dict[str, str]) -> None:
    """Replace values of feature columns in data row ``row`` (0-based) of a features CSV."""
    with f.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for name, value in values.items():
        rows[row + 1][rows[0].index(name)] = value
    write_csv(f, rows[0], rows[1:])  # quoted by the csv module where a value holds a comma


def test_it_reads_thousands_separators_and_full_width_digits_as_numbers(tmp_path: Path) -> None:
    from fanzha.screening.numbers.model import load_table

    f = _features(tmp_path / "f.csv")
    spelled = {
        "opposite_count": "1,234",
        "flow_sum": "12,345,678.5",
        "arpu_sum": "１，２３４",
        "sms_count": "１２３",
    }
    _cells(f, 0, spelled)
    _cells(
        f, 1, {"opposite_count": "12,34", "flow_sum": "1,2345", "arpu_sum": "1.234,5", "sms_count": "1,234."}
    )
    assert '"1,234"' in f.read_text(encoding="utf-8")  # inside CSV quotes
    table = load_table(f)
    expected = {"opposite_count": 1234.0, "flow_sum": 12345678.5, "arpu_sum": 1234.0, "sms_count": 123.0}
    assert {name: table.column(name)[0] for name in spelled} == expected
    assert all(np.isnan(table.column(name)[1]) for name in spelled)  # not the strict pattern: missing
    note = next(n for n in table.notes if "千位分隔符" in n)
    assert all(f"{name} 1 个" in note for name in spelled)
    text = next(n for n in table.notes if "不是数字" in n)
    assert "opposite_count 1 个（如 “12,34”）" in text and "sms_count 1 个（如 “1,234.”）" in text


def test_it_reads_negative_values_of_features_that_cannot_be_negative_as_missing(tmp_path: Path) -> None:
    from fanzha.screening.numbers.model import load_table

    f = _features(tmp_path / "f.csv")
    _cells(
        f, 0, {"opposite_count": "-3", "call_dur_mean": "-1,200", "arpu_sum": "-25.08", "arpu_skew": "-1.5"}
    )
    _cells(f, 1, {"opposite_count": "-0.5", "flow_var": "-2", "arpu_min": "-54.74", "voc_hour_mode": "0"})
    table = load_table(f)
    assert np.isnan(table.column("opposite_count")[:2]).all() and np.isnan(table.column("flow_var")[1])
    assert table.column("arpu_sum")[0] == -25.08 and table.column("arpu_skew")[0] == -1.5
    assert table.column("arpu_min")[1] == -54.74 and table.column("voc_hour_mode")[1] == 0
    note = next(n for n in table.notes if "不可能为负数" in n)
    assert "opposite_count 2 个" in note and "flow_var 1 个" in note and "arpu" not in note
    assert "call_dur_mean" not in note  # "-1,200" is not a number at all (the strict pattern has no sign)
    assert any("call_dur_mean 1 个（如 “-1,200”）" in n for n in table.notes)


def test_every_feature_is_either_never_negative_or_allowed_to_be_negative() -> None:
    from fanzha.screening.numbers.feature_values import NON_NEGATIVE, SIGNED
    from fanzha.screening.numbers.features import EXTRA_NAMES

    every = {*FEATURE_NAMES, *EXTRA_NAMES}
    assert every == NON_NEGATIVE | SIGNED and not NON_NEGATIVE & SIGNED
    # spending amounts can be negative (refund or credit months; 7 of them in the Sichuan file), and skewness
    assert {n for n in every if n.startswith("arpu_") and n not in ("arpu_var", "arpu_sem")} == SIGNED


# ---------------------------------------------------------------- text node ids

# hashed numbers in hex, in another order than IDS; one of them reads as a number in exponent notation
HEX = dict(
    zip(
        IDS,
        ["c3a9f01e77b2", "1234e5678901", "08af33d1c0e4", "ffe0a1b2c3d4", "a3f9e2d1b0c7", "5d0c9b8a7f6e"],
        strict=True,
    )
)


def _rekey(path: Path, columns: tuple[str, ...], ids: dict[str, str], out: Path) -> Path:
    """A copy of a CSV with the values of ``columns`` renamed through ``ids`` (others kept)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    at = [rows[0].index(c) for c in columns]
    for row in rows[1:]:
        for j in at:
            row[j] = ids.get(row[j], row[j])
    return write_csv(out, rows[0], rows[1:])


def _rows(tmp_path: Path) -> list[dict[str, str]]:
    with (tmp_path / "scores.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _same_scores(text_rows: list[dict[str, str]], int_rows: list[dict[str, str]], ids: list[str]) -> None:
    assert [r["node_id"] for r in text_rows] == ids
    assert [(r["score"], r["is_fraud"]) for r in text_rows] == [(r["score"], r["is_fraud"]) for r in int_rows]


def test_it_scores_text_ids_like_the_same_rows_with_integer_ids(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    assert _score(tmp_path, capsys, f)[0] == 0
    no_graph = _rows(tmp_path)
    assert _score(tmp_path, capsys, f, "--edges", str(e))[0] == 0
    by_int = _rows(tmp_path)
    assert [r["score"] for r in by_int] != [r["score"] for r in no_graph]  # the edges count
    hf = _rekey(f, ("node_id",), HEX, tmp_path / "hf.csv")
    he = _rekey(e, ("src", "dst"), HEX, tmp_path / "he.csv")
    explain = tmp_path / "x.jsonl"
    code, err = _score(tmp_path, capsys, hf, "--edges", str(he), "--explain", str(explain))
    assert code == 0 and "对不上" not in err and "不在特征文件" not in err, err
    _same_scores(_rows(tmp_path), by_int, [HEX[i] for i in IDS])
    docs = [json.loads(line) for line in explain.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["node_id"] for d in docs) == sorted(HEX.values())
    assert not any(h in err for h in HEX.values())


def test_it_ignores_edges_naming_text_ids_the_features_file_lacks(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    assert _score(tmp_path, capsys, f, "--edges", str(e))[0] == 0
    by_int = _rows(tmp_path)
    hf = _rekey(f, ("node_id",), HEX, tmp_path / "hf.csv")
    he = _rekey(e, ("src", "dst"), HEX, tmp_path / "he.csv")
    with he.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[HEX["7"], "deadbeef0000", 5], ["N000123", HEX["3"], 1], ["", HEX["5"], 1]])
    code, err = _score(tmp_path, capsys, hf, "--edges", str(he))
    assert code == 0 and "2 条边的一端不在特征文件中" in err and "1 行的 src/dst 为空" in err, err
    _same_scores(_rows(tmp_path), by_int, [HEX[i] for i in IDS])
    strangers = write_csv(tmp_path / "s.csv", ["src", "dst"], [["N000001", "N000002"]])
    code, err = _score(tmp_path, capsys, hf, "--edges", str(strangers))
    assert code == 0 and "两端都对不上" in err and "N000001" not in err


def test_it_scores_a_file_mixing_integer_and_text_ids(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f, e = _features(tmp_path / "f.csv"), _edges(tmp_path / "e.csv")
    assert _score(tmp_path, capsys, f, "--edges", str(e))[0] == 0
    by_int = _rows(tmp_path)
    mixed = {"7": "+8613800138000", "3": "N000003", "5": "5.0", "0": " 0"}  # 11 and 9 stay as they are
    mf = _rekey(f, ("node_id",), mixed, tmp_path / "mf.csv")
    me = _rekey(e, ("src", "dst"), {"7": "+8613800138000", "3": "N000003", "0": "0"}, tmp_path / "me.csv")
    code, err = _score(tmp_path, capsys, mf, "--edges", str(me))
    assert code == 0 and "不在特征文件" not in err, err
    _same_scores(_rows(tmp_path), by_int, [mixed.get(i, i) for i in IDS])
    lines = mf.read_text(encoding="utf-8").splitlines()
    mf.write_text("\n".join([*lines, lines[1], lines[4].replace("5.0,", "5,", 1)]) + "\n", encoding="utf-8")
    code, err = _score(tmp_path, capsys, mf, "--edges", str(me))
    assert code == 0 and "node_id 有重复：2 个编号共 4 行" in err and "+86" not in err, err
    rows = _rows(tmp_path)
    assert [r["node_id"] for r in rows[-2:]] == ["+8613800138000", "5"] and rows[0] == rows[-2]
    for bad in (",", "11.5,"):  # an empty id, a fractional number: refused as in an integer file
        mf.write_text("\n".join([*lines, bad + lines[2].split(",", 1)[1]]) + "\n", encoding="utf-8")
        code, err = _score(tmp_path, capsys, mf)
        assert code == 2 and "1 行的 node_id 为空或是带小数的数字" in err and "N000003" not in err, err


def test_train_split_and_victims_follow_text_ids(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from fanzha.screening.numbers.cli import _apply_split
    from fanzha.screening.numbers.model import load_table

    hf = _rekey(_features(tmp_path / "f.csv"), ("node_id",), HEX, tmp_path / "hf.csv")
    table = load_table(hf)
    split = write_csv(tmp_path / "split.csv", ["node_id", "split"], [[HEX["3"], "train"], [HEX["9"], "val"]])
    names = _apply_split(table, str(split))
    assert names is not None and list(names) == ["", "train", "", "", "", "val"]
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13800000003", "13700000001", "2024-03-05 10:00:00", 400]])  # fmt: skip
    assert _score(tmp_path, capsys, hf)[0] == 0
    rows = _rows(tmp_path)
    for r in rows:  # 13800000003 (the row of id 3) the only high-risk number
        r["score"], r["is_fraud"] = ("0.9", "1") if r["node_id"] == HEX["3"] else ("0.1", "0")
    scores = write_csv(
        tmp_path / "scores.csv", ["node_id", "score", "is_fraud"], [list(r.values()) for r in rows]
    )
    out = tmp_path / "v.csv"
    assert main(victims_argv(calls, scores, hf, out)) == 0
    with out.open(encoding="utf-8") as fh:
        assert [r["phone"] for r in csv.DictReader(fh)] == ["13700000001"]
