"""The case list imported again: the same 案件编号 however it is typed, and the statuses it has moved to."""

from fanzha.cases.models import Case, Payment, Status
from fanzha.imports.pipeline import import_run
from tests.cases.test_importer import ROWS, _xlsx


def _import(world, rows):
    return import_run(actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=_xlsx(rows))


def _with(row, **cells):
    columns = {"ref": 0, "status": 9, "paid_at": 10, "amount": 11}
    changed = row[:]
    for name, value in cells.items():
        changed[columns[name]] = value
    return changed


def test_a_case_number_with_spaces_or_full_width_characters_is_the_same_case(world):
    assert _import(world, [ROWS[0]]).ok
    again = [
        _with(ROWS[1], ref=" A3311990001 "),
        _with(ROWS[1], ref="Ａ３３１１９９０００１", paid_at="2026-11-01 21:00", amount="100"),
        _with(ROWS[1], ref="A 3311 9900 01", paid_at="2026-11-01 21:10", amount="200"),
    ]
    result = _import(world, again)
    assert result.ok, result.errors
    case = Case.objects.get()
    assert case.source_ref == "A3311990001"
    assert sorted(Payment.objects.values_list("amount_fen", flat=True)) == [10_000, 20_000, 480_000, 800_000]


def test_a_status_the_case_has_moved_on_to_is_walked_to(world):
    assert _import(world, [ROWS[0]]).ok  # 立案
    result = _import(world, [_with(ROWS[0], status="结案")])
    assert result.ok and result.batch.rows_updated == 1
    case = Case.objects.get()
    assert case.status == Status.CLOSED
    steps = list(case.events.filter(kind="status").values_list("message", flat=True))
    assert any("破案 → 结案" in step for step in steps)


def test_a_status_moved_back_is_not_taken_and_the_row_says_why(world):
    assert _import(world, [ROWS[0]]).ok  # 立案
    result = _import(world, [_with(ROWS[0], status="受理")])
    assert result.ok
    assert Case.objects.get().status == Status.FILED
    notices = [n["message"] for n in result.batch.notices]
    assert notices == ["案件当前为“立案”，不能变更为清单中的“受理”，状态未变更"]


def test_a_case_not_filed_that_the_list_later_shows_filed_says_why(world):
    assert _import(world, [_with(ROWS[2], status="不予立案")]).ok
    result = _import(world, [_with(ROWS[2], status="立案")])
    assert result.ok and Case.objects.get().status == Status.NOT_FILED
    assert [n["message"] for n in result.batch.notices] == [
        "案件当前为“不予立案”，不能变更为清单中的“立案”，状态未变更"
    ]


def test_the_same_list_again_still_changes_nothing_and_says_nothing(world):
    assert _import(world, ROWS).ok
    again = _import(world, ROWS)
    assert again.ok and again.batch.rows_new == again.batch.rows_updated == 0
    assert not again.batch.notices


def _loss(row, text):
    changed = row[:]
    changed[8] = text
    return changed


def test_a_later_row_with_another_loss_is_not_taken_silently(world):
    rows = [ROWS[0], _loss(ROWS[1], "15,000.00")]  # one case: 12,800 in its first row, 15,000 in its second
    result = _import(world, rows)
    assert result.ok and Case.objects.get().loss_fen == 1_280_000
    told = (
        "该行的损失金额（15,000.00 元）与本案损失（12,800.00 元）不同，未修改；请在案件页核实各受害人的损失"
    )
    assert [(n["row"], n["column"], n["message"]) for n in result.batch.notices] == [(3, "损失金额", told)]


def test_a_later_row_repeating_the_loss_says_nothing(world):
    result = _import(world, [ROWS[0], _loss(ROWS[1], "1.28万")])
    assert result.ok and not result.batch.notices
