"""A row of the case list with the 案件编号 of a case opened at the counter is that case, not a second one."""

from fanzha.cases.models import Case, Payment, Status
from fanzha.imports.pipeline import import_run
from tests.cases.helpers import make_case
from tests.cases.test_importer import ROWS, _xlsx


def test_a_row_with_the_number_of_a_counter_case_adds_to_that_case(world):
    case = make_case(world)  # 城东社区, 王秀英, 50,000.00 yuan
    row = ROWS[0][:]
    row[0] = case.number
    row[5], row[6] = world.people["chengdong"].name, world.people["chengdong"].id_number
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="a.xlsx", data=_xlsx([row]))
    assert result.ok, result.errors
    assert Case.objects.count() == 1 and result.batch.rows_updated == 1
    case.refresh_from_db()
    assert case.status == Status.FILED and case.loss_fen == 5_000_000 and case.victims.count() == 1
    assert Payment.objects.get().case == case
