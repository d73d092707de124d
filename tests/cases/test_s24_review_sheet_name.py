"""A 说明 sheet left out of a statement is named in the case's history with the account numbers in its
name masked: a bank's export names its sheets after the account (6217…说明), and the history line
showed the number in clear."""

from fanzha.cases.models import CaseEvent, EventKind
from tests.cases.helpers import make_case, upload
from tests.cases.test_s24_statement_notes import statement_with_notes_sheet

ACCOUNT = "6217000000000000019"


def test_the_history_line_masks_an_account_in_the_sheet_name(world):
    case = make_case(world)
    upload(case, world.users["police_cg"], statement_with_notes_sheet(f"{ACCOUNT}说明"), name="payee.xlsx")
    event = CaseEvent.objects.filter(case=case, kind=EventKind.STATEMENT).latest("id")
    assert "已跳过" in event.message
    assert ACCOUNT not in event.message
    assert ACCOUNT[:4] in event.message  # the sheet is still recognisable by its masked number


def test_a_row_error_masks_an_account_in_the_sheet_name():
    from fanzha.cases.common import masked_row_error

    shown = masked_row_error(f"工作表“{ACCOUNT}”时间无法识别：2026-13-45")
    assert ACCOUNT not in shown and shown.startswith("工作表“6217") and shown.endswith("：2026-13-45")
