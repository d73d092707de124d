"""The list's source and type filters take the names lists are written in (?source=上级推送,
?fraud_type=刷单返利), not only the codes: a link typed or shared with the name found nothing."""

from __future__ import annotations

from fanzha.warnings import selectors
from tests.warnings.helpers import make_warning


def test_a_source_or_type_named_filters_as_its_code(world) -> None:  # type: ignore[no-untyped-def]
    pushed = make_warning(source="上级推送", source_id="N1", fraud_type="刷单返利")
    make_warning(source="银行", source_id="N2", phone="13600000002", fraud_type="冒充客服")
    leader = world.users["leader"]
    for params in ({"source": "上级推送"}, {"source": "superior"}, {"fraud_type": "刷单返利"}):
        qs, applied = selectors.filtered(leader, params)
        assert list(qs) == [pushed], params
    assert selectors.filtered(leader, {"source": "上级推送"})[1] == {"source": "superior"}


def test_a_source_kept_as_written_is_found_by_that_name(world) -> None:  # type: ignore[no-untyped-def]
    odd = make_warning(source="某某协查平台", source_id="N3")
    qs, _ = selectors.filtered(world.users["leader"], {"source": "某某协查平台"})
    assert list(qs) == [odd]
