"""Probe s19: a case list row with another victim of the same case is that victim's payment."""

import datetime as dt

from fanzha.cases.models import Case, Payment
from fanzha.imports.pipeline import import_run
from tests.cases.test_importer import ROWS, _xlsx
from tests.personas import id_number


def _rows():
    first = ROWS[0][:]
    other = first[:]  # the same case: a second victim, with a payment of her own
    other[5], other[6], other[7] = "周某", id_number("331102", "19800101", "051"), "13905710051"
    other[10], other[11] = dt.datetime(2026, 11, 1, 21, 0), 3000
    no_id = first[:]  # the first victim again, once without her ID number
    no_id[6], no_id[10], no_id[11] = "", "2026年11月01日 21:30:00", "1,000.00元"
    return [first, other, no_id]


def test_each_row_pays_from_its_own_victim_and_the_list_again_changes_nothing(world):
    analyst = world.users["analyst"]
    assert import_run(actor=analyst, importer="cases", file_name="a.xlsx", data=_xlsx(_rows())).ok
    case = Case.objects.get()
    paid_by = sorted(
        (p.victim.person.name, p.amount_fen) for p in Payment.objects.select_related("victim__person")
    )
    assert paid_by == [("周某", 300_000), ("钱某", 100_000), ("钱某", 800_000)]
    assert sorted(v.person.name for v in case.victims.select_related("person")) == ["周某", "钱某"]
    again = import_run(actor=analyst, importer="cases", file_name="b.xlsx", data=_xlsx(_rows()[::-1]))
    assert again.ok and Payment.objects.count() == 3 and case.victims.count() == 2
