"""Object-level access, probed with real requests on every URL that names a record.

Each URL pattern with an id (or key) in its path is listed in PROBES: the record it is probed with,
who must never reach it (``outsiders``: another station's officer, another village's grid worker,
another bank, another centre, the roles without the permission), and who normally does (``insider``).
For every outsider a GET and a POST must answer 403, 404 or 405 — never the record, never a redirect
after an action — and write nothing (no audit event). The insider reaches it, and loses it when their
unit or their account is deactivated. A new URL with an id that is neither probed nor in ALLOWED fails
:func:`test_it_probes_every_url_that_names_a_record`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Organisation, User
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from tests.audit.matrix import first_record
from tests.cases import matrix as cases
from tests.core.matrix import chengdong, chengdong_area, police_org
from tests.imports.matrix import leader_batch
from tests.jobs.matrix import analyst_job, analyst_notification
from tests.numbers.matrix import proposal, run
from tests.personas import PASSWORD, World
from tests.screen.matrix import a_key
from tests.security.matrix import grid_sq, users_batch
from tests.warnings import matrix as warnings

# What a POST carries: enough for any action form to get past its own checks had the scope let it.
POST_DATA = {
    "version": "1",
    "reason": "探测",
    "text": "探测",
    "field": "phone",
    "purpose": "contact",
    "decision": "confirm",
    "top": "1",
    "kind": "call",
    "outcome": "dissuaded",
    "action": "retire",
    "open": "1",
}
REFUSED = (403, 404, 405)

FIELD = ("police_cg", "police_lq", "grid_cd", "grid_sq", "head_cg")
NO_RECORDS = ("bank", "bank2", "telecom", "auditor", "admin")
CENTRE2 = ("analyst2", "leader2")  # 邻县反诈中心: a centre of another county
# Records of 城东社区 (城关派出所's jurisdiction): 龙泉派出所 and 石桥村 are outside it.
OTHER_AREA = ("police_lq", "grid_sq", *CENTRE2, *NO_RECORDS)
CASE_OUTSIDERS = ("police_lq", "grid_cd", "grid_sq", "head_cg", *CENTRE2, *NO_RECORDS)
NOT_ADMIN = ("leader", "analyst", *FIELD, "bank", "bank2", "telecom", "auditor", *CENTRE2)
NOT_AUDITOR = ("leader", "analyst", *FIELD, "bank", "bank2", "telecom", "admin", *CENTRE2)
NOT_CENTRE = (*FIELD, *CENTRE2, *NO_RECORDS)
# The platform's shared configuration (grading rules, the type table): the top centre's (江州市反诈中心,
# over every county centre) to change; the county centres read it.
NOT_TOP_CENTRE = ("leader", "analyst", *CENTRE2, *FIELD, *NO_RECORDS)


@dataclass(frozen=True)
class Probe:
    kwargs: Callable[[World], dict[str, Any]]
    insider: str
    outsiders: tuple[str, ...]


def warning(world: World) -> dict[str, Any]:
    return warnings.warning(world)


PROBES: dict[str, Probe] = {
    # people and areas
    "person_detail": Probe(chengdong, "police_cg", OTHER_AREA),
    "person_edit": Probe(chengdong, "police_cg", OTHER_AREA),
    "person_reveal": Probe(chengdong, "police_cg", OTHER_AREA),
    "api:get_person": Probe(lambda w: {"person_id": w.people["chengdong"].pk}, "police_cg", OTHER_AREA),
    "area_detail": Probe(chengdong_area, "police_cg", ("police_lq", "grid_sq", *CENTRE2, "bank", "auditor")),
    # the directory of units: every organisation.view holder reads it; only the administrator edits
    "organisation_detail": Probe(police_org, "police_cg", ("auditor",)),
    "organisation_edit": Probe(police_org, "admin", NOT_ADMIN),
    # users (the system administrator's pages)
    "user_edit_roles": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_edit": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_deactivate": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_reset_password": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_unlock": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_totp_reset": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_reactivate": Probe(grid_sq, "admin", NOT_ADMIN),
    "user_import_passwords": Probe(users_batch, "admin", NOT_ADMIN),
    # audit
    "audit_detail": Probe(first_record, "auditor", NOT_AUDITOR),
    # imports: the leader's batch of people
    "import_detail": Probe(leader_batch, "leader", (*FIELD, *CENTRE2, *NO_RECORDS)),
    "import_errors": Probe(leader_batch, "leader", (*FIELD, *CENTRE2, *NO_RECORDS)),
    # warnings of 城东社区
    "warning_detail": Probe(warning, "grid_cd", OTHER_AREA),
    "warning_acknowledge": Probe(warning, "grid_cd", OTHER_AREA),
    "warning_contact": Probe(warning, "grid_cd", OTHER_AREA),
    "warning_handover": Probe(warning, "grid_cd", OTHER_AREA),
    "warning_close": Probe(warning, "grid_cd", OTHER_AREA),
    "warning_place": Probe(warning, "analyst", OTHER_AREA),
    "warning_reveal": Probe(warning, "grid_cd", OTHER_AREA),
    "warning_note": Probe(warning, "analyst", OTHER_AREA),
    "warning_photo": Probe(warnings.photo, "grid_cd", OTHER_AREA),
    # an export the worker made: its requester's (the analyst's) only — not the leader of their centre
    "warning_export_download": Probe(
        warnings.export, "analyst", ("leader", "head_cg", *FIELD, *CENTRE2, *NO_RECORDS)
    ),
    # the centre's configuration: grading rules and the type table
    "warning_rule_edit": Probe(warnings.rule, "analyst_city", NOT_TOP_CENTRE),
    "warning_type_alias_delete": Probe(warnings.type_alias, "analyst_city", NOT_TOP_CENTRE),
    # 号码研判: the runs of the centre that made them
    "numbers_run_detail": Probe(run, "analyst", NOT_CENTRE),
    "numbers_send_warnings": Probe(run, "analyst", NOT_CENTRE),
    "numbers_proposal_decide": Probe(proposal, "analyst", NOT_CENTRE),
    # cases of 城东社区 and their payments, measures (to 工商银行), statements, attachments, returns
    "case_detail": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_edit": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_status": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_victim_add": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_payment_add": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_suspect_add": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_result": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_reassign": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_attachment_add": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_statement_upload": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_return_add": Probe(cases.case, "police_cg", CASE_OUTSIDERS),
    "case_attachment": Probe(cases.attachment, "police_cg", CASE_OUTSIDERS),
    "case_statement_map": Probe(cases.pending_statement, "police_cg", CASE_OUTSIDERS),
    "case_payment_stop": Probe(cases.payment, "police_cg", CASE_OUTSIDERS),
    "case_trace": Probe(cases.payment, "police_cg", CASE_OUTSIDERS),
    "case_trace_export": Probe(cases.payment, "police_cg", CASE_OUTSIDERS),
    "case_stop_downstream": Probe(cases.payment, "police_cg", CASE_OUTSIDERS),
    "case_measure_follow_up": Probe(cases.measure, "police_cg", CASE_OUTSIDERS),
    "case_measure_follow_money": Probe(cases.measure, "police_cg", CASE_OUTSIDERS),
    "case_measure_redirect": Probe(cases.measure, "police_cg", CASE_OUTSIDERS),
    "case_measure_release": Probe(cases.measure, "police_cg", CASE_OUTSIDERS),
    # the bank it is addressed to reads the account to answer it (tests/cases: the bank's reveal)
    "case_measure_reveal": Probe(cases.measure, "police_cg", tuple(p for p in CASE_OUTSIDERS if p != "bank")),
    "case_return_done": Probe(cases.decision, "police_cg", CASE_OUTSIDERS),
    # a stop-payment request addressed to 工商银行: no other bank, no station answers it there
    "case_bank_measure": Probe(
        cases.measure, "bank", ("leader", "analyst", *FIELD, "bank2", "telecom", "auditor", "admin", *CENTRE2)
    ),
    # one's own jobs and notifications (the analyst's); the leaders of 青溪县's centre and of the city
    # centre over it see the jobs of its users, the administrator every job — not another county's leader
    "job_detail": Probe(analyst_job, "analyst", (*FIELD, *CENTRE2, "bank", "bank2", "telecom", "auditor")),
    "notification_read": Probe(analyst_notification, "analyst", ("leader", *FIELD, *CENTRE2, *NO_RECORDS)),
    # partner keys: the system administrator's
    "apikey_revoke": Probe(a_key, "admin", NOT_ADMIN),
}

# Patterns whose path value names no record.
ALLOWED = {
    "import_upload": "the importer's kind (people, warnings…), checked against the user's permissions",
    "import_template": "the importer's kind: a blank template, checked as the upload page",
}


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            found.append((namespace + (pattern.name or str(pattern.pattern)), pattern))
    return found


def _naming_a_record() -> set[str]:
    """URL names whose path takes a value (``<int:pk>``, ``<slug:importer>``, ``{person_id}``)."""
    return {name for name, pattern in _patterns(get_resolver()) if pattern.pattern.regex.groupindex}


def test_it_probes_every_url_that_names_a_record() -> None:
    named = _naming_a_record()
    missing = sorted(named - set(PROBES) - set(ALLOWED))
    assert not missing, f"URLs with a record id and no access probe (add to PROBES): {missing}"
    stale = sorted((set(PROBES) | set(ALLOWED)) - named)
    assert not stale, f"probed URLs that do not exist: {stale}"


def add_outsiders(world: World, city_centre: bool = True) -> None:
    """Another bank (建设银行), the centre of another county (邻县) with its analyst and leader, and (unless
    ``city_centre`` is False) the city's centre over both counties (江州市反诈中心), with its own."""
    city = world.area("江州市")
    county = area_services.area_create(
        actor=None, code="331198000000", name="邻县", level="district", parent=city, residents=1, households=1
    )
    bank2 = org_services.organisation_create(
        actor=None, name="建设银行青溪支行", kind="bank", area=world.area("城关镇")
    )
    centre2 = org_services.organisation_create(actor=None, name="邻县反诈中心", kind="centre", area=county)
    accounts = [
        ("bank2", bank2, "bank_staff"),
        ("analyst2", centre2, "centre_analyst"),
        ("leader2", centre2, "centre_leader"),
    ]
    if city_centre:
        top = org_services.organisation_create(actor=None, name="江州市反诈中心", kind="centre", area=city)
        accounts += [("analyst_city", top, "centre_analyst"), ("leader_city", top, "centre_leader")]
    for username, organisation, role in accounts:
        world.users[username] = org_services.user_create(
            actor=None, username=username, password=PASSWORD, organisation=organisation, roles=[role]
        )


@pytest.fixture
def probed(world: World) -> World:
    add_outsiders(world)
    return world


def _send(client: Any, method: str, url: str) -> Any:
    if method == "POST":
        return client.post(url, POST_DATA)
    return client.get(url)


def _answers(client: Any, user: User, url: str) -> dict[str, int]:
    client.force_login(user)
    try:
        return {method: _send(client, method, url).status_code for method in ("GET", "POST")}
    finally:
        client.logout()


@pytest.mark.parametrize("name", sorted(PROBES))
def test_it_refuses_outsiders(name: str, probed: World, client: Any) -> None:
    probe = PROBES[name]
    url = reverse(name, kwargs=probe.kwargs(probed))
    audited = AuditEvent.objects.count()
    reached = {}
    for persona in probe.outsiders:
        got = _answers(client, probed.users[persona], url)
        if any(status not in REFUSED for status in got.values()):
            reached[persona] = got
    assert not reached, f"{name}: outsiders reached the record: {reached}"
    assert AuditEvent.objects.count() == audited, f"{name}: an outsider's request wrote something"


def _shut_out(client: Any, method: str, url: str) -> str | None:
    """None when the request is refused or sent to the login page; else what it got."""
    response = _send(client, method, url)
    if response.status_code in (*REFUSED, 401):
        return None
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return None
    return f"{method} {response.status_code} {response.get('Location', '')}"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_it_lets_the_insider_in_until_their_unit_is_deactivated(
    name: str, probed: World, client: Any
) -> None:
    probe = PROBES[name]
    url = reverse(name, kwargs=probe.kwargs(probed))
    insider = probed.users[probe.insider]
    client.force_login(insider)
    assert client.get(url).status_code not in (403, 404), f"{name}: the insider is refused (probe is wrong)"
    Organisation.objects.filter(pk=insider.organisation_id).update(is_active=False)
    got = [answer for method in ("GET", "POST") if (answer := _shut_out(client, method, url))]
    assert not got, f"{name}: a deactivated unit's user got {got}"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_it_shuts_out_a_deactivated_user(name: str, probed: World, client: Any) -> None:
    probe = PROBES[name]
    url = reverse(name, kwargs=probe.kwargs(probed))
    insider = probed.users[probe.insider]
    client.force_login(insider)
    User.objects.filter(pk=insider.pk).update(is_active=False)
    got = [answer for method in ("GET", "POST") if (answer := _shut_out(client, method, url))]
    assert not got, f"{name}: a deactivated account got {got}"


# Beyond the id in the path: a record of another area named in a filter, a village's warnings, a
# bank's queue, another user's import batch.


def test_it_keeps_a_grid_worker_to_their_village(world: World, client: Any) -> None:
    from tests.warnings.helpers import make_warning

    chengxi = make_warning(7001, source_id="CHENGXI", address="青溪县城关镇城西社区和平路5号")
    assert chengxi.area.name == "城西社区"
    url = reverse("warning_detail", kwargs={"pk": chengxi.pk})
    client.force_login(world.users["grid_cd"])
    assert client.get(url).status_code == 404
    assert "CHENGXI" not in client.get(reverse("warning_list")).content.decode()
    assert chengxi.pk not in [row["id"] for row in client.get("/api/warnings").json()]
    client.force_login(world.users["police_cg"])
    assert client.get(url).status_code == 200


def test_it_shows_a_bank_only_the_requests_addressed_to_it(probed: World, client: Any) -> None:
    measure = cases.measure(probed)["pk"]
    number = cases._case(probed).number
    client.force_login(probed.users["bank2"])
    assert number not in client.get(reverse("case_bank_queue")).content.decode()
    assert client.get(reverse("case_bank_measure", kwargs={"pk": measure})).status_code == 404
    client.force_login(probed.users["bank"])
    assert number in client.get(reverse("case_bank_queue")).content.decode()


def test_it_ignores_a_filter_naming_another_area(world: World, client: Any) -> None:
    """?area= of 石桥村 (龙泉派出所's) on 城关派出所's lists and exports: none of 石桥村's records."""
    from tests.warnings.helpers import make_warning

    warning = make_warning(7002, source_id="SHIQIAO", address="青溪县龙泉乡石桥村3组8号")
    assert warning.area.name == "石桥村"
    person = world.people["shiqiao"]
    shiqiao = world.area("石桥村")
    client.force_login(world.users["police_cg"])
    warnings_page = client.get(reverse("warning_list"), {"area": shiqiao.pk}).content.decode()
    assert reverse("warning_detail", kwargs={"pk": warning.pk}) not in warnings_page
    people_page = client.get(reverse("person_list"), {"area": shiqiao.pk}).content.decode()
    assert reverse("person_detail", kwargs={"pk": person.pk}) not in people_page
    assert client.get("/api/people", {"area": shiqiao.code}).json() == []
    client.force_login(world.users["head_cg"])
    exported = client.get(reverse("person_export"), {"area": shiqiao.pk})
    assert shiqiao.code not in b"".join(exported.streaming_content).decode("utf-8-sig")
    exported = client.get(reverse("warning_export"), {"area": shiqiao.pk})
    assert exported.status_code in (200, 302)
    if exported.status_code == 200:
        assert "石桥村" not in _text_of(exported)


def _text_of(response: Any) -> str:
    """A CSV's text, or an XLSX's cells, of a download."""
    import io

    from openpyxl import load_workbook

    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] != b"PK":
        return data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    )


def users_import(world: World) -> int:
    from fanzha.imports.pipeline import import_run
    from tests.imports.files import csv_bytes

    header = ["用户名", "姓名", "单位名称", "角色", "工作电话", "状态"]
    rows = [
        ["wangfang", "王芳", "城东社区居委会", "网格员", "0571-5550001", ""],
        ["bad", "坏行", "无此单位", "网格员", "", ""],
    ]
    result = import_run(
        actor=world.users["admin"], importer="users", file_name="用户.csv", data=csv_bytes(header, rows)
    )
    return int(result.batch.pk)


@pytest.mark.parametrize("name", ["import_detail", "import_errors"])
def test_it_keeps_an_import_batch_from_a_colleague_who_may_not_run_its_importer(
    name: str, world: World, client: Any
) -> None:
    """The administrator's users import, in the same unit as the centre's analyst: its rows name staff
    accounts the analyst may not manage."""
    url = reverse(name, kwargs={"pk": users_import(world)})
    client.force_login(world.users["analyst"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["admin"])
    assert client.get(url).status_code == 200


# The platform's shared configuration: the grading rules and the type table grade every county's
# warnings, so only the centre over every other centre (the city's) changes them.

NEW_RULE = {
    "name": "游戏交易",
    "enabled": "on",
    "position": 5,
    "grade": "high",
    "reason": "类型：{type}",
    "fraud_types": ["game_trade"],
    "transfer_in_progress": "unknown",
}
NEW_ALIAS = {"text": "0199", "fraud_type": "impersonate_authority"}


def test_it_leaves_the_shared_rules_to_the_centre_over_every_county(probed: World, client: Any) -> None:
    from fanzha.warnings.models import FraudTypeAlias, GradingRule

    rules = GradingRule.objects.count()
    audited = AuditEvent.objects.count()
    for persona in ("analyst", "leader", "analyst2", "leader2"):
        client.force_login(probed.users[persona])
        listing = client.get(reverse("warning_rule_list"))
        assert listing.status_code == 200, f"{persona}: a county centre reads the rules"
        assert reverse("warning_rule_create") not in listing.content.decode()
        assert "江州市反诈中心" in listing.content.decode()
        assert client.get(reverse("warning_rule_create")).status_code == 403
        assert client.post(reverse("warning_rule_create"), {**NEW_RULE, "save": "1"}).status_code == 403
        types = client.get(reverse("warning_type_alias_list"))
        assert types.status_code == 200 and 'name="fraud_type"' not in types.content.decode()
        assert client.post(reverse("warning_type_alias_list"), NEW_ALIAS).status_code == 403
    assert GradingRule.objects.count() == rules and not FraudTypeAlias.objects.exists()
    assert AuditEvent.objects.count() == audited
    client.force_login(probed.users["analyst_city"])
    assert reverse("warning_rule_create") in client.get(reverse("warning_rule_list")).content.decode()
    assert client.post(reverse("warning_rule_create"), {**NEW_RULE, "save": "1"}).status_code == 302
    assert client.post(reverse("warning_type_alias_list"), NEW_ALIAS).status_code == 302
    assert GradingRule.objects.count() == rules + 1 and FraudTypeAlias.objects.count() == 1
    assert AuditEvent.objects.filter(action__in=["warning.grading_rule", "warning.type_alias"]).count() == 2


def test_it_refuses_a_county_centre_the_shared_rules_in_the_services(probed: World) -> None:
    from django.core.exceptions import PermissionDenied

    from fanzha.warnings import rules, type_aliases
    from fanzha.warnings.models import GradingRule

    rule = GradingRule.objects.order_by("id").first()
    assert rule is not None
    analyst2 = probed.users["analyst2"]
    saved = rule.grade
    rule.grade = "low" if saved != "low" else "urgent"
    for attempt in (
        lambda: rules.grading_rule_save(actor=analyst2, rule=rule),
        lambda: rules.grading_rule_delete(actor=analyst2, rule=rule),
        lambda: rules.preview(actor=analyst2, candidate=rule),
        lambda: type_aliases.fraud_type_alias_save(actor=analyst2, **NEW_ALIAS),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert GradingRule.objects.get(pk=rule.pk).grade == saved


def test_it_lets_no_county_centre_change_the_shared_rules_without_a_centre_over_both(
    world: World, client: Any
) -> None:
    """Two county centres and none over them: neither changes the rules that grade the other's warnings;
    the page says what to do."""
    from fanzha.warnings.models import FraudTypeAlias

    add_outsiders(world, city_centre=False)
    for persona in ("analyst", "analyst2"):
        client.force_login(world.users[persona])
        assert client.post(reverse("warning_type_alias_list"), NEW_ALIAS).status_code == 403
        assert "系统管理员" in client.get(reverse("warning_rule_list")).content.decode()
    assert not FraudTypeAlias.objects.exists()


def test_it_lets_the_only_centre_change_the_shared_rules(world: World, client: Any) -> None:
    client.force_login(world.users["analyst"])
    assert client.post(reverse("warning_type_alias_list"), NEW_ALIAS).status_code == 302


# Background jobs: a centre's leader sees those of the users of the units in its jurisdiction.


def _listed(client: Any, user: User, jobs: list[Any]) -> list[bool]:
    client.force_login(user)
    page = client.get(reverse("job_list")).content.decode()
    return [f"#{job.pk}<" in page for job in jobs]


def test_it_shows_a_centre_leader_the_jobs_of_its_jurisdiction_only(probed: World, client: Any) -> None:
    from fanzha.jobs.models import Job
    from fanzha.jobs.services import job_enqueue

    users = probed.users
    county = job_enqueue(actor=users["analyst"], kind="jobs.ping")  # 青溪县反诈中心
    station = job_enqueue(actor=users["police_cg"], kind="jobs.ping")  # 城关派出所, in 青溪县
    other = job_enqueue(actor=users["analyst2"], kind="jobs.ping")  # 邻县反诈中心
    system = job_enqueue(actor=None, kind="jobs.ping")  # a schedule's
    jobs = [county, station, other, system]
    assert _listed(client, users["leader"], jobs) == [True, True, False, False]
    assert _listed(client, users["leader2"], jobs) == [False, False, True, False]
    assert _listed(client, users["leader_city"], jobs) == [True, True, True, False]
    assert _listed(client, users["admin"], jobs) == [True, True, True, True]
    assert _listed(client, users["analyst"], jobs) == [True, False, False, False]
    assert list(Job.objects.visible_to(users["leader2"]).values_list("pk", flat=True)) == [other.pk]


def test_it_gives_a_deactivated_units_user_no_job_notification_or_area(world: World) -> None:
    """Refused by the access rules themselves, not only by the middleware's sign-out."""
    from fanzha.core import access
    from fanzha.jobs.models import Job, Notification
    from fanzha.jobs.services import job_enqueue, notify

    for username in ("analyst", "admin", "leader"):
        user = world.users[username]
        job_enqueue(actor=user, kind="jobs.ping")
        notify(recipients=[user], title="测试消息", body="")
        assert Job.objects.visible_to(user).exists() and Notification.objects.visible_to(user).exists()
        assert access.visible_areas(user).exists()
    Organisation.objects.filter(pk=world.users["analyst"].organisation_id).update(is_active=False)
    for username in ("analyst", "admin", "leader"):
        user = User.objects.get(username=username)
        assert not Job.objects.visible_to(user).exists(), username
        assert not Notification.objects.visible_to(user).exists(), username
        assert not access.visible_areas(user).exists(), username


# Pickers and filters: what the user may not read is not offered, and not read.


def test_it_offers_feedback_only_of_the_sources_of_the_users_warnings(world: World, client: Any) -> None:
    """城关派出所's head exports feedback: 石桥村's bank source is not among the sources offered."""
    from tests.warnings.helpers import make_warning

    make_warning(7101, source="上级推送", source_id="CD-1")
    shiqiao = make_warning(7102, source="工商银行", source_id="SQ-1", address="青溪县龙泉乡石桥村3组8号")
    assert shiqiao.area.name == "石桥村"
    assert shiqiao.source not in _sources_offered(client, world.users["head_cg"])
    assert "superior" in _sources_offered(client, world.users["head_cg"])
    assert shiqiao.source in _sources_offered(client, world.users["leader"])


def _sources_offered(client: Any, user: User) -> list[str]:
    client.force_login(user)
    form = client.get(reverse("warning_feedback")).context["form"]
    return [code for code, _ in form.fields["source"].choices]


def test_it_lists_no_case_for_an_area_outside_the_jurisdiction(world: World, client: Any) -> None:
    """?area= of 青溪县 on 城关派出所's case list: the county is above the station's jurisdiction, not in it
    — nothing, as for a missing area (the list matched every case under the county's path)."""
    cases._case(world)
    client.force_login(world.users["police_cg"])
    assert list(client.get(reverse("case_list")).context["page"])
    for area in ("青溪县", "石桥村", "江州市"):
        response = client.get(reverse("case_list"), {"area": world.area(area).pk})
        assert response.status_code == 200 and list(response.context["page"]) == [], area
    inside = client.get(reverse("case_list"), {"area": world.area("城东社区").pk})
    assert list(inside.context["page"])
    assert client.get(reverse("case_list"), {"area": "²"}).status_code == 200
