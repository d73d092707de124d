"""更换承办民警 on the case page: a form limited to eligible officers, refused outside scope."""

from django.urls import reverse

from fanzha.cases.models import Case
from tests.cases.helpers import make_case
from tests.cases.test_s20_case_reassign import colleague


def url(case):
    return reverse("case_reassign", kwargs={"pk": case.pk})


def test_the_case_page_offers_it_to_those_who_work_the_case(world, client):
    case = make_case(world)
    client.force_login(world.users["police_cg"])
    page = client.get(reverse("case_detail", kwargs={"pk": case.pk})).content.decode()
    assert url(case) in page and "更换承办民警" in page


def test_the_form_offers_only_eligible_officers_and_not_the_current_one(world, client):
    case = make_case(world)
    new = colleague(world)
    client.force_login(world.users["leader"])
    page = client.get(url(case))
    assert page.status_code == 200
    offered = {u.pk for u in page.context["form"].fields["officer"].queryset}
    assert new.pk in offered and world.users["leader"].pk in offered
    assert world.users["police_cg"].pk not in offered
    for who in ("police_lq", "grid_cd", "bank", "admin"):
        assert world.users[who].pk not in offered


def test_it_reassigns_and_returns_to_the_case(world, client):
    case = make_case(world)
    new = colleague(world)
    client.force_login(world.users["police_cg"])
    response = client.post(url(case), {"officer": new.pk, "reason": "调往龙泉派出所"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert Case.objects.get(pk=case.pk).officer == new


def test_a_missing_reason_is_shown_on_the_form(world, client):
    case = make_case(world)
    new = colleague(world)
    client.force_login(world.users["police_cg"])
    page = client.post(url(case), {"officer": new.pk, "reason": ""})
    assert page.status_code == 200 and "form" in page.context and page.context["form"].errors
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]


def test_an_ineligible_officer_cannot_be_posted(world, client):
    case = make_case(world)
    client.force_login(world.users["police_cg"])
    page = client.post(url(case), {"officer": world.users["police_lq"].pk, "reason": "x"})
    assert page.status_code == 200
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]


def test_outside_scope_is_404_and_without_the_role_403(world, client):
    case = make_case(world)
    client.force_login(world.users["police_lq"])
    assert client.get(url(case)).status_code == 404
    client.force_login(world.users["grid_cd"])
    assert client.get(url(case)).status_code == 403
