"""Audit views in the permission matrix: the auditor alone may use them."""

from tests.matrix import Case

#               leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
AUDITOR_ONLY = "403 403 403 403 403 403 403 403 200 403 403"


def first_record(world):  # type: ignore[no-untyped-def]
    from fanzha.audit.models import AuditEvent

    return {"pk": AuditEvent.objects.order_by("id").values_list("id", flat=True).first()}


CASES = {
    "audit_list": Case(AUDITOR_ONLY),
    "audit_export": Case(AUDITOR_ONLY),
    "audit_detail": Case(AUDITOR_ONLY, kwargs=first_record),
    "audit_verify": Case(AUDITOR_ONLY, method="POST"),
}
