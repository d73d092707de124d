"""号码研判 views in the permission matrix: only the centre (leader, analyst) holds numbers.analyse."""

from tests.matrix import Case
from tests.numbers.factories import stored_run


def run(world):  # type: ignore[no-untyped-def]
    return {"pk": stored_run(world).pk}


def proposal(world):  # type: ignore[no-untyped-def]
    return {"pk": stored_run(world).proposals.get().pk}


#              leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
CENTRE_ONLY = "200 200 403 403 403 403 403 403 403 403 403"
CENTRE_POST = "302 302 403 403 403 403 403 403 403 403 403"
CASES = {
    "numbers_run_list": Case(CENTRE_ONLY),
    "numbers_run_upload": Case(CENTRE_ONLY),
    "numbers_run_detail": Case(CENTRE_ONLY, kwargs=run),
    "numbers_send_warnings": Case(CENTRE_POST, kwargs=run, method="POST", data={"top": "1"}),
    "numbers_proposal_decide": Case(CENTRE_POST, kwargs=proposal, method="POST", data={"decision": "reject"}),
}
