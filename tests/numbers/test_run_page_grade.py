"""号码研判: the run page names a potential victim's grade 研判等级, as the warning it is sent to names it in
its notes — the warning is graded by the centre's rules, and the run page beside the 已发送 link must not
call the engine's grade 预警等级 when the warning's may differ."""

from __future__ import annotations

from django.urls import reverse

from tests.numbers.test_probe_s23_victims import _base_run


def test_the_run_page_names_the_engine_grade_the_finding_it_is(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "<th>研判等级</th>" in page
    assert "研判等级：高" in page and "研判等级：中" in page
    assert "预警等级" not in page
