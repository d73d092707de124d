"""Core views in the permission matrix. Personas: see tests/matrix.py; the record is in 城东社区."""

from tests.matrix import Case, everyone


def chengdong(world):  # type: ignore[no-untyped-def]
    return {"pk": world.people["chengdong"].pk}


def chengdong_area(world):  # type: ignore[no-untyped-def]
    return {"pk": world.area("城东社区").pk}


def police_org(world):  # type: ignore[no-untyped-def]
    return {"pk": world.orgs["城关派出所"].pk}


#                        leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
PEOPLE_READ = "200 200 200 404 200 404 403 403 403 403 200"
PEOPLE_WRITE = "200 200 200 404 200 404 403 403 403 403 403"  # the unit head reads, never edits or reveals
CASES = {
    "home": Case(everyone(200)),
    "health": Case(everyone(200), public=True),
    "login": Case(everyone(302), public=True),
    "logout": Case(everyone(405)),
    "person_list": Case("200 200 200 200 200 200 403 403 403 403 200"),
    "person_create": Case("200 200 200 200 200 200 403 403 403 403 403"),
    "person_export": Case("200 200 200 200 403 403 403 403 403 403 200"),
    "person_detail": Case(PEOPLE_READ, kwargs=chengdong),
    "person_edit": Case(PEOPLE_WRITE, kwargs=chengdong),
    "person_reveal": Case(
        PEOPLE_WRITE, kwargs=chengdong, method="POST", data={"field": "id_number", "purpose": "visit"}
    ),
    "area_list": Case("200 200 200 200 200 200 403 403 403 200 200"),
    "area_detail": Case("200 200 200 404 200 404 403 403 403 200 200", kwargs=chengdong_area),
    "organisation_list": Case("200 200 200 200 200 200 200 200 403 200 200"),
    "organisation_detail": Case("200 200 200 200 200 200 200 200 403 200 200", kwargs=police_org),
    "organisation_create": Case("403 403 403 403 403 403 403 403 403 200 403"),
    "organisation_edit": Case("403 403 403 403 403 403 403 403 403 200 403", kwargs=police_org),
    "api:list_people": Case("200 200 200 200 200 200 403 403 403 403 200"),
    "api:get_person": Case(PEOPLE_READ, kwargs=lambda w: {"person_id": w.people["chengdong"].pk}),
    "api:list_areas": Case("200 200 200 200 200 200 403 403 403 200 200"),
}
