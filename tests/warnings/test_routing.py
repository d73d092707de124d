"""Locating the area and choosing who acts: address names, remembered placements, phone, load."""

from __future__ import annotations

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.warnings import routing
from fanzha.warnings.models import AddressPlacement, Grade, Status, Warning
from fanzha.warnings.routing import Locator, short_township, split_prefix
from fanzha.warnings.workflow import warning_place
from tests.personas import PASSWORD
from tests.warnings.helpers import make_warning


def test_it_strips_the_province_city_county_prefix() -> None:
    names, rest = split_prefix("浙江省江州市青溪县城关镇城东社区幸福路8号")
    assert names == ["浙江省", "江州市", "青溪县"] and rest.startswith("城关镇")
    names, rest = split_prefix("龙泉乡石桥村3组")
    assert names == [] and rest == "龙泉乡石桥村3组"


def test_it_places_addresses_by_the_area_trees_own_names(world) -> None:  # type: ignore[no-untyped-def]
    locator = Locator()
    assert locator.match_address("江州市青溪县龙泉乡石桥村3组12号").area.name == "石桥村"
    assert locator.match_address("城西社区幸福里5栋").area.name == "城西社区"
    township = locator.match_address("青溪县城关镇某某路")
    assert township.area.name == "城关镇" and not township.placed
    outside = locator.match_address("北京市海淀区中关村")
    assert outside is not None and outside.outside == "北京市" and not outside.placed


def test_it_never_places_another_countys_address_in_our_village_of_that_name(world) -> None:  # type: ignore[no-untyped-def]
    locator = Locator()
    for address, named in [
        ("浙江省杭州市西湖区文新街道城东社区", "杭州市"),
        ("江州市江北区城东社区12幢", "江北区"),
        ("上海市浦东新区城东社区", "上海市"),
    ]:
        place = locator.locate(address=address, number="", person_area=None)
        assert place.outside == named and not place.placed and place.area.name == "青溪县", address
    for address in ("江州市青溪县城关镇城东社区3号", "青溪县城东社区幸福里", "城东社区人民医院宿舍区"):
        assert locator.locate(address=address, number="", person_area=None).area.name == "城东社区"
    warning = make_warning(1, address="浙江省杭州市西湖区城东社区1号")
    assert warning.needs_placement and warning.status == Status.NEW
    assert warning.quality_flags == ["address_unplaced"]


def test_a_county_centres_tree_does_not_take_its_own_city_for_another(world) -> None:  # type: ignore[no-untyped-def]
    Area.objects.filter(level="city").update(is_active=False)  # the tree starts at the county
    locator = Locator()
    assert locator.locate(address="江州市青溪县城关镇城东社区3号", number="", person_area=None).placed
    elsewhere = locator.locate(address="上海市浦东新区城东社区", number="", person_area=None)
    assert elsewhere.outside == "浦东新区" and not elsewhere.placed


def test_it_tells_same_named_villages_apart_by_a_township_written_short(world) -> None:  # type: ignore[no-untyped-def]
    county = Area.objects.get(name="青溪县")
    other = area_services.area_create(
        actor=None, code="331199300000", name="石门镇", level="township", parent=county
    )
    area_services.area_create(actor=None, code="331199300301", name="城东社区", level="village", parent=other)
    locator = Locator()
    assert locator.match_address("石门城东社区5号").area.parent == other
    assert locator.match_address("城关城东社区5号").area.parent.name == "城关镇"
    assert locator.match_address("石门镇城东社区5号").area.parent.name == "石门镇"  # the full name, as before
    ambiguous = locator.match_address("城东社区5号")  # two 城东社区 and no township: not placed
    assert ambiguous is None or not ambiguous.placed
    assert (
        short_township("溪口街道") == "溪口"
        and short_township("杨柳乡") == "杨柳"
        and short_township("镇") == ""
    )


def test_it_routes_urgent_to_police_and_medium_to_the_grid_worker(world) -> None:  # type: ignore[no-untyped-def]
    urgent = make_warning(1, transfer_in_progress=True)
    assert (urgent.grade, urgent.assignee.username) == ("urgent", "police_cg")
    medium = make_warning(2)
    assert (medium.grade, medium.assignee.username) == ("medium", "grid_cd")
    shiqiao = make_warning(3, address="龙泉乡石桥村3组")
    assert shiqiao.area.name == "石桥村" and shiqiao.assignee.username == "grid_sq"
    chengxi = make_warning(4, address="城关镇城西社区1号")  # no committee there: the station takes it
    assert chengxi.organisation.name == "城关派出所" and chengxi.status == Status.ASSIGNED


def test_it_spreads_warnings_over_the_least_loaded_users(world) -> None:  # type: ignore[no-untyped-def]
    org_services.user_create(
        actor=None,
        username="grid_cd2",
        password=PASSWORD,
        organisation=world.orgs["城东社区居委会"],
        roles=["grid_worker"],
    )
    assignees = [make_warning(n).assignee.username for n in range(1, 5)]
    assert sorted(assignees) == ["grid_cd", "grid_cd", "grid_cd2", "grid_cd2"]


def test_it_queues_the_unplaceable_and_remembers_the_centres_placement(world) -> None:  # type: ignore[no-untyped-def]
    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    assert lost.needs_placement and lost.status == Status.NEW and lost.assignee is None
    assert "address_unplaced" in lost.quality_flags
    assert lost.area.name == "青溪县"  # the centre's own queue: the county centre sees it, stations do not
    assert Warning.objects.visible_to(world.users["analyst"]).filter(pk=lost.pk).exists()
    assert not Warning.objects.visible_to(world.users["police_cg"]).filter(pk=lost.pk).exists()
    placed = warning_place(actor=world.users["analyst"], warning=lost, area=world.area("城东社区"))
    assert placed.assignee.username == "grid_cd" and not placed.needs_placement
    assert AddressPlacement.objects.count() == 1
    assert AuditEvent.objects.filter(action="warning.place", object_id=str(lost.pk)).exists()
    lost.person.refresh_from_db()
    assert lost.person.area.name == "城东社区"
    again = make_warning(2, address="青溪县 某某新村7号", phone="")
    assert again.area.name == "城东社区" and again.assignee.username == "grid_cd"


def test_it_reroutes_a_merged_warning_that_became_urgent(world) -> None:  # type: ignore[no-untyped-def]
    first = make_warning(1)
    assert first.assignee.username == "grid_cd"
    merged = make_warning(2, id_number=first.person.id_number, transfer_in_progress=True)
    assert merged.pk == first.pk
    assert (merged.grade, merged.assignee.username) == ("urgent", "police_cg")
    assert merged.events.filter(kind="routed").count() == 1  # the re-routing; the first is in "created"
    created = merged.events.get(kind="created")  # received, graded and routed: one line
    assert (created.to_status, created.data["organisation"]) == ("assigned", first.organisation_id)
    assert created.message.startswith("来源 ") and "，编号 " in created.message and "派给" in created.message
    assert f"；定级 {Grade(first.grade).label}：" in created.message


def test_it_takes_turns_in_round_robin(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_ASSIGNMENT = "round_robin"
    org_services.user_create(
        actor=None,
        username="grid_cd2",
        password=PASSWORD,
        organisation=world.orgs["城东社区居委会"],
        roles=["grid_worker"],
    )
    assignees = [make_warning(n).assignee.username for n in range(1, 5)]
    assert assignees == ["grid_cd", "grid_cd2", "grid_cd", "grid_cd2"]


def test_it_sends_medium_warnings_to_the_police_when_configured(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_POLICE_GRADES = ["urgent", "high", "medium"]
    assert make_warning(1).assignee.username == "police_cg"


def test_it_ranks_by_open_warnings_in_one_query_of_the_assignee_index(
    world, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    closed = make_warning(1)
    Warning.objects.filter(pk=closed.pk).update(status=Status.CLOSED)  # history does not weigh
    make_warning(2)
    grid_cd, grid_sq = world.users["grid_cd"], world.users["grid_sq"]
    assigner = routing.Assigner()
    with django_assert_num_queries(1) as queries:  # no "last assignment" read outside round robin
        rank = assigner._rank([grid_cd, grid_sq])
    assert rank[grid_cd.pk][0] == 1 and rank[grid_sq.pk][0] == 0
    assert "COUNT(*)" in queries.captured_queries[0]["sql"]
    assert any(index.name == "warnings_assignee" for index in Warning._meta.indexes)
