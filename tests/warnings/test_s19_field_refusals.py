"""A repeated or stale field action (session 19): a second tap on 转交, an action on a warning another
unit now works, a form sent twice. Each answers like the other refused actions — back to the warning
with the reason in Chinese, or the contact form again with what was typed — never a bare 403 for a user
who sees the warning."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fanzha.warnings.models import Contact, Status, Warning
from fanzha.warnings.workflow import warning_handover
from tests.personas import login
from tests.warnings.helpers import make_warning
from tests.warnings.helpers import second_grid_worker as colleague


def shown(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


def handover(client, warning, to_user="centre", reason="当事人情绪激动，需民警上门", version=None):  # type: ignore[no-untyped-def]
    data = {"to_user": to_user, "reason": reason}
    if version is not None:
        data["version"] = version
    return client.post(reverse("warning_handover", args=[warning.pk]), data, follow=True)


def back_to_the_warning(response, warning) -> bool:  # type: ignore[no-untyped-def]
    detail = reverse("warning_detail", args=[warning.pk])
    return response.status_code == 200 and response.redirect_chain[-1] == (detail, 302)


def to_police(world, warning) -> None:  # type: ignore[no-untyped-def]
    """The centre hands the warning to the police station (while the grid worker's page is open)."""
    police = world.users["police_cg"]
    warning_handover(actor=world.users["leader"], warning=warning, reason="改派民警", to_user=police)


def test_a_second_tap_on_handover_to_another_unit_says_it_was_handed_over(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    police = world.users["police_cg"]
    login(client, world.users["grid_cd"])
    opened = warning.version
    first = handover(client, warning, police.pk, version=opened)
    assert back_to_the_warning(first, warning) and "已转交" in shown(first)
    second = handover(client, warning, police.pk, version=opened)
    assert back_to_the_warning(second, warning)
    assert "已由您于" in shown(second) and "转交给 城关派出所 police_cg" in shown(second)
    assert Warning.objects.get(pk=warning.pk).events.filter(kind="handed_over").count() == 1


def test_a_second_tap_without_the_form_version_is_no_bare_403_either(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    assert back_to_the_warning(handover(client, warning, world.users["police_cg"].pk), warning)
    second = handover(client, warning, world.users["police_cg"].pk)
    assert back_to_the_warning(second, warning)
    assert "城关派出所 police_cg" in shown(second) and "不再由您的单位承办" in shown(second)


def test_a_second_tap_on_handing_back_to_the_centre_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    assert back_to_the_warning(handover(client, warning, version=warning.version), warning)
    second = handover(client, warning, version=warning.version)
    assert back_to_the_warning(second, warning) and "反诈中心待分派队列" in shown(second)
    assert Warning.objects.get(pk=warning.pk).status == Status.NEW


def test_a_second_tap_on_handover_to_a_colleague_says_so_not_a_bad_choice(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    other = colleague(world)
    login(client, world.users["grid_cd"])
    assert back_to_the_warning(handover(client, warning, other.pk, version=warning.version), warning)
    second = handover(client, warning, other.pk, version=warning.version)
    assert back_to_the_warning(second, warning)
    assert "已由您于" in shown(second) and "grid_cd2" in shown(second)


def test_a_handover_someone_else_made_first_is_told_with_who(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    opened = warning.version  # the form is open on the worker's phone
    to_police(world, warning)
    late = handover(client, warning, world.users["police_cg"].pk, version=opened)
    assert back_to_the_warning(late, warning)
    assert "已由 leader 于" in shown(late) and "城关派出所 police_cg" in shown(late)
    assert client.get(reverse("warning_handover", args=[warning.pk])).status_code == 302


def test_acknowledging_a_warning_now_with_another_unit_goes_back_with_why(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    opened = warning.version
    to_police(world, warning)
    login(client, world.users["grid_cd"])
    url = reverse("warning_acknowledge", args=[warning.pk])
    response = client.post(url, {"version": opened}, follow=True)
    assert back_to_the_warning(response, warning)
    assert "城关派出所 police_cg" in shown(response) and "不再由您的单位承办" in shown(response)


def test_a_contact_form_on_a_warning_now_with_another_unit_keeps_what_was_typed(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    opened = warning.version
    to_police(world, warning)
    login(client, world.users["grid_cd"])
    url = reverse("warning_contact", args=[warning.pk])
    data = {"kind": "call", "outcome": "refused", "notes": "老人坚持要转账给“客服”", "version": opened}
    response = client.post(url, data)
    assert response.status_code == 403  # refused, but the form again with what was typed and why
    page = response.content.decode()
    assert "老人坚持要转账给“客服”" in page and "城关派出所 police_cg" in page
    assert "不再由您的单位承办" in page
    assert Contact.objects.count() == 0
    opened_later = client.get(url, follow=True)
    assert back_to_the_warning(opened_later, warning) and "不再由您的单位承办" in shown(opened_later)


def test_a_close_on_a_warning_now_with_another_unit_goes_back_with_why(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    opened = warning.version
    to_police(world, warning)
    login(client, world.users["grid_cd"])
    url = reverse("warning_close", args=[warning.pk])
    data = {"outcome": "invalid", "reason": "号码录入错误", "version": opened}
    response = client.post(url, data, follow=True)
    assert back_to_the_warning(response, warning) and "不再由您的单位承办" in shown(response)
    assert Warning.objects.get(pk=warning.pk).is_open


def test_a_second_tap_on_close_says_who_closed_it(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_close", args=[warning.pk])
    data = {"outcome": "invalid", "reason": "号码录入错误", "version": warning.version}
    assert back_to_the_warning(client.post(url, data, follow=True), warning)
    second = client.post(url, data, follow=True)
    assert back_to_the_warning(second, warning) and "已由您于" in shown(second) and "办结" in shown(second)
    assert Warning.objects.get(pk=warning.pk).events.filter(kind="closed").count() == 1


def test_a_follow_up_sent_twice_is_recorded_once_and_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_contact", args=[warning.pk])
    today = timezone.localdate().isoformat()
    close = {"kind": "call", "outcome": "dissuaded", "follow_up_on": today, "version": warning.version}
    assert client.post(url, close).status_code == 302
    closed = Warning.objects.get(pk=warning.pk)
    follow_up = {"kind": "call", "outcome": "dissuaded", "notes": "回访：已卸载", "version": closed.version}
    assert client.post(url, follow_up).status_code == 302
    again = client.post(url, follow_up)
    assert again.status_code == 400
    page = again.content.decode()
    assert "本表已提交过" in page and "回访：已卸载" in page
    assert Contact.objects.count() == 2
