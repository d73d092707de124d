"""`fanzha screen eval` on labels as people hand them over: a stray value, blanks, none recognised."""

import csv

from fanzha.screening.cli import main

SCAM = "【公安局】您的身份证涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被冻结"
PHISH = "您的账户存在异常，请点击 icbc-vip.top 验证"
PLAIN = "妈，我周末回家吃饭，帮我留点饺子"
SHOP = "【京东】双11大促，满300减50，退订回T"


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["text", "label"], *rows])
    return path


def _eval(path, capsys):
    code = main(["eval", str(path), "--text-column", "text", "--label-column", "label"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_stray_label_in_a_file_of_ones_and_zeros_is_left_out_and_said(tmp_path, capsys):
    # a link broken over lines in a CSV leaves a piece of it in the label column
    rows = [
        [SCAM, "1"],
        [PHISH, "1"],
        [PLAIN, "0"],
        [SHOP, "0"],
        ["x", "X3Nzb191cmw9aHR0cCUz"],
        [PLAIN, "未知"],
    ]
    code, out, _ = _eval(_write(tmp_path / "in.csv", rows), capsys)
    assert code == 0
    assert "rows: 4 (risky 2, not risky 2" in out
    assert "recall: 1.0000" in out
    assert "left out of the figures: 2 rows whose label is not recognised" in out
    assert "未知 ×1" in out


def test_rows_without_a_label_are_left_out_not_counted_as_normal(tmp_path, capsys):
    rows = [[SCAM, "是"], [PLAIN, "否"], [SCAM, ""], [PHISH, "  "]]
    code, out, _ = _eval(_write(tmp_path / "in.csv", rows), capsys)
    assert code == 0
    assert "rows: 2 (risky 1, not risky 1" in out
    assert "precision: 1.0000" in out
    assert "2 rows without a label" in out


def test_labels_none_of_which_is_recognised_are_an_error_naming_them(tmp_path, capsys):
    rows = [[SCAM, "骗"], [PLAIN, "好"], [PHISH, "骗"]]
    code, out, err = _eval(_write(tmp_path / "in.csv", rows), capsys)
    assert code == 2
    assert out == ""
    assert "标签列“label”中没有可识别的标签（见到的值：骗、好）" in err
    assert "是/否" in err


def test_a_text_column_given_as_the_label_column_is_quoted_masked_and_short(tmp_path, capsys):
    rows = [["1", "请回电 13812345678 办理退款，否则账户将被冻结并影响征信"]]
    code, _, err = _eval(_write(tmp_path / "in.csv", rows), capsys)
    assert code == 2
    assert "13812345678" not in err
    assert "138******78" in err


def test_a_file_without_data_rows_cannot_be_evaluated(tmp_path, capsys):
    code, out, err = _eval(_write(tmp_path / "in.csv", []), capsys)
    assert code == 2
    assert "文件没有数据行，无法评估" in err


def test_shi_and_bu_shi_are_binary_labels(tmp_path, capsys):
    rows = [[SCAM, "是"], [PLAIN, "不是"]]
    code, out, _ = _eval(_write(tmp_path / "in.csv", rows), capsys)
    assert "rows: 2 (risky 1, not risky 1" in out
    assert "per category" not in out


def test_the_macro_f1_is_the_mean_of_the_categories_shown(tmp_path, capsys):
    # the phishing text is predicted as another type than its label, the shop text as advertising
    rows = [
        [SCAM, "impersonate_authority"],
        [PHISH, "impersonate_authority"],
        [PLAIN, "normal"],
        [SHOP, "normal"],
    ]
    code, out, _ = _eval(_write(tmp_path / "in.csv", rows), capsys)
    lines = [line for line in out.splitlines() if line.startswith("  ") and " f1=" in line]
    f1s = [float(line.rsplit("f1=", 1)[1]) for line in lines]
    macro = float(out.rsplit("macro f1 over categories: ", 1)[1].split()[0])
    assert f1s and max(f1s) < 1.0
    assert abs(macro - sum(f1s) / len(f1s)) < 1e-3
