"""Account and user-management views in the permission matrix. Personas: see tests/matrix.py."""

from tests.matrix import Case, everyone

VALID_PASSWORD = "Linshi#2026pass"


def grid_sq(world):  # type: ignore[no-untyped-def]
    return {"pk": world.users["grid_sq"].pk}


def users_batch(world):  # type: ignore[no-untyped-def]
    """A committed users import that created no account: the administrator is told there is nothing."""
    from fanzha.imports.models import ImportBatch

    batch = ImportBatch.objects.create(
        importer="users",
        file_name="用户.csv",
        sha256="0" * 64,
        status="committed",
        actor=world.users["admin"],
    )
    return {"pk": batch.pk}


#                leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
ADMIN_ONLY = "403 403 403 403 403 403 403 403 403 200 403"
ADMIN_ACTS = "403 403 403 403 403 403 403 403 403 302 403"
TOTP_PAGE = "200 200 403 403 403 403 403 403 403 200 403"
TOTP_OFF = "302 302 403 403 403 403 403 403 403 302 403"

CASES = {
    "login_totp": Case(everyone(302), public=True),
    "password_change": Case(everyone(200)),
    "totp_setup": Case(TOTP_PAGE),
    "totp_disable": Case(TOTP_OFF, method="POST", data={"code": "123456"}),
    "user_list": Case(ADMIN_ONLY),
    "user_create": Case(ADMIN_ONLY),
    "user_edit_roles": Case(ADMIN_ONLY, kwargs=grid_sq),
    "user_edit": Case(ADMIN_ONLY, kwargs=grid_sq),
    "user_deactivate": Case(ADMIN_ACTS, kwargs=grid_sq, method="POST"),
    "user_reset_password": Case(
        ADMIN_ACTS,
        kwargs=grid_sq,
        method="POST",
        data={"password": VALID_PASSWORD, "password2": VALID_PASSWORD},
    ),
    "user_unlock": Case(ADMIN_ACTS, kwargs=grid_sq, method="POST"),
    "user_totp_reset": Case(ADMIN_ACTS, kwargs=grid_sq, method="POST"),
    "user_reactivate": Case(ADMIN_ACTS, kwargs=grid_sq, method="POST"),
    "user_import_passwords": Case(ADMIN_ACTS, kwargs=users_batch, method="POST"),
}
