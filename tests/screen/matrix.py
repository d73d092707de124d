"""Screening views in the permission matrix. Personas: see tests/matrix.py.

Screening reads no record, so there is no scope column: a role either may screen or not.
"""

from fanzha.screen.services import api_key_issue
from tests.matrix import Case, everyone


def a_key(world):  # type: ignore[no-untyped-def]
    key, _ = api_key_issue(
        actor=world.users["admin"],
        organisation=world.orgs["工商银行青溪支行"],
        name="矩阵测试",
        rate_per_minute=5,
    )
    return {"pk": key.pk}


#                 leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
SCREENERS = "200 200 200 200 200 200 200 200 403 403 403"
ADMIN_ONLY = "403 403 403 403 403 403 403 403 403 200 403"
CASES = {
    "screen": Case(SCREENERS),
    "screen_typology": Case(everyone(200)),
    "apikey_list": Case(ADMIN_ONLY),
    "apikey_issue": Case(ADMIN_ONLY),
    "apikey_revoke": Case("403 403 403 403 403 403 403 403 403 302 403", kwargs=a_key, method="POST"),
    # A form post (text=…) is accepted besides JSON, so the matrix can send a real item.
    "api:screen": Case(SCREENERS, method="POST", data={"text": "今晚一起吃饭吗"}),
}
