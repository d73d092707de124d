"""Warning views in the permission matrix. The warning lives in 城东社区, assigned to grid_cd's committee."""

from __future__ import annotations

from fanzha.warnings.models import Contact, ContactPhoto, FraudTypeAlias, GradingRule
from fanzha.warnings.workflow import PHOTO_CONTEXT
from tests.matrix import Case, everyone
from tests.warnings.helpers import chengdong_warning

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def warning(world):  # type: ignore[no-untyped-def]
    return {"pk": chengdong_warning(world).pk}


def photo(world):  # type: ignore[no-untyped-def]
    from fanzha.core.pii import crypto

    w = chengdong_warning(world)
    found = ContactPhoto.objects.filter(contact__warning=w).first()
    if found is None:
        contact = Contact.objects.create(
            warning=w,
            kind="call",
            actor=world.users["grid_cd"],
            contacted_at=w.received_at,
            outcome="refused",
        )
        found = ContactPhoto.objects.create(
            contact=contact,
            content_type="image/png",
            size=len(PNG),
            data=crypto.encrypt_bytes(PNG, context=PHOTO_CONTEXT),
        )
    return {"pk": found.pk}


def export(world):  # type: ignore[no-untyped-def]
    """The analyst's export, made by the worker's code and ready to download."""
    from fanzha.warnings import export_jobs
    from fanzha.warnings.models import WarningExport

    analyst = world.users["analyst"]
    found = WarningExport.objects.filter(requested_by=analyst).first()
    if found is None:
        chengdong_warning(world)
        found = export_jobs.export_enqueue(actor=analyst, kind="list", params={}, rows=1)
        export_jobs.export_run_queued(export_id=found.pk, report=lambda pct, message: None)
    return {"pk": found.pk}


def rule(world):  # type: ignore[no-untyped-def]
    return {"pk": GradingRule.objects.order_by("id").first().pk}


def type_alias(world):  # type: ignore[no-untyped-def]
    """An entry of the type table (made again for each persona: a permitted POST deletes it)."""
    alias, _ = FraudTypeAlias.objects.get_or_create(
        key="0103", defaults={"text": "0103", "fraud_type": "impersonate_authority"}
    )
    return {"pk": alias.pk}


def api_body(world):  # type: ignore[no-untyped-def]
    return {
        "source": "上级推送",
        "source_id": "API-1",
        "name": "接口测试",
        "phone": "13905719999",
        "address": "青溪县城关镇城东社区幸福路2号",
        "fraud_type": "冒充公检法",
    }


#                     leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
VIEW = "200 200 200 200 200 200 403 403 403 403 200"
CENTRE = "200 200 403 403 403 403 403 403 403 403 403"
# The centre and the unit head (单位负责人): placing, exporting, the feedback list, in their jurisdiction.
DISPATCH = "200 200 403 403 403 403 403 403 403 403 200"
READ_ONE = "200 200 200 404 200 404 403 403 403 403 200"
CASES = {
    "warning_list": Case(VIEW),
    "warning_board": Case(VIEW),
    "warning_stats": Case(VIEW),
    "warning_mine": Case(VIEW),
    "warning_create": Case(CENTRE),
    "warning_export": Case(DISPATCH),
    "warning_feedback": Case(DISPATCH),
    "warning_exports": Case(DISPATCH),
    # the requester's own file: any other user who may export gets 404, one who may not 403
    "warning_export_download": Case("404 200 403 403 403 403 403 403 403 403 404", kwargs=export),
    "warning_detail": Case(READ_ONE, kwargs=warning),
    "warning_acknowledge": Case("403 403 403 404 302 404 403 403 403 403 403", kwargs=warning, method="POST"),
    "warning_contact": Case("403 403 403 404 200 404 403 403 403 403 403", kwargs=warning),
    "warning_handover": Case("200 200 403 404 200 404 403 403 403 403 200", kwargs=warning),
    "warning_close": Case("200 200 403 404 200 404 403 403 403 403 200", kwargs=warning),
    "warning_place": Case(DISPATCH, kwargs=warning),
    # the person page's rule (person.reveal): the unit head places and reads, never reveals
    "warning_reveal": Case(
        "200 200 200 404 200 404 403 403 403 403 403",
        kwargs=warning,
        method="POST",
        data={"field": "phone", "purpose": "contact"},
    ),
    "warning_note": Case(
        "302 302 403 404 302 404 403 403 403 403 302",
        kwargs=warning,
        method="POST",
        data={"text": "已电话联系家属"},
    ),
    "warning_photo": Case(READ_ONE, kwargs=photo),
    "warning_rule_list": Case(CENTRE),
    "warning_rule_create": Case(CENTRE),
    "warning_rule_edit": Case(CENTRE, kwargs=rule),
    "warning_type_alias_list": Case(CENTRE),
    "warning_type_alias_delete": Case(
        "302 302 403 403 403 403 403 403 403 403 403", kwargs=type_alias, method="POST"
    ),
    "api:create_warning": Case("201 200 403 403 403 403 403 403 403 403 403", method="POST", data=api_body),
    "api:list_warnings": Case(VIEW),
    # form fields, not the JSON list it takes: those allowed get as far as the 400
    "api:push_batch": Case("400 400 403 403 403 403 403 403 403 403 403", method="POST", data=api_body),
    # a partner's door: only an API key of scope "warnings" (tests/warnings/test_api_feedback.py)
    "api:pushed_feedback": Case(everyone(401)),
}
