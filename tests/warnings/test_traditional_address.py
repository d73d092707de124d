"""Addresses written in traditional or variant characters are placed as their simplified spelling is."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from fanzha.core.pii import crypto
from fanzha.warnings import routing
from fanzha.warnings.models import AddressPlacement, Status
from fanzha.warnings.routing import Locator, Placement
from fanzha.warnings.workflow import warning_place
from tests.warnings.helpers import make_warning


def place(address: str) -> Placement:
    return Locator().locate(address=address, number="", person_area=None)


def test_an_address_in_traditional_characters_is_placed_as_its_simplified_spelling(world) -> None:  # type: ignore[no-untyped-def]
    for written, simplified in [
        ("青溪縣城關鎮城東社區幸福路1號", "青溪县城关镇城东社区幸福路1号"),
        ("靑溪县城关镇城东社区幸福路1号", "青溪县城关镇城东社区幸福路1号"),  # 靑: a variant of 青
        ("江州市青溪縣龍泉鄉石橋村3組", "江州市青溪县龙泉乡石桥村3组"),
    ]:
        found = place(written)
        assert found == place(simplified) and found.placed and not found.outside, written


def test_an_address_outside_is_named_as_written(world) -> None:  # type: ignore[no-untyped-def]
    found = place("廣東省廣州市天河區城東社區")
    assert found.outside == "廣東省" and not found.placed and found.area.name == "青溪县"
    assert place("广东省广州市天河区城东社区").outside == "广东省"
    locator = Locator()  # one run: the spelling of the one before is not the next one's
    assert locator.match_address("广东省广州市城东社区").outside == "广东省"
    assert locator.match_address("廣東省廣州市城東社區").outside == "廣東省"
    warning = make_warning(1, address="廣東省廣州市天河區城東社區1號")
    assert warning.needs_placement and warning.quality_flags == ["address_unplaced"]


def test_the_stored_address_stays_as_written(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, address="青溪縣城關鎮城東社區幸福路1號")
    assert warning.area.name == "城东社区" and not warning.needs_placement
    assert warning.address == "青溪縣城關鎮城東社區幸福路1號"
    assert warning.address_hash == routing.address_hash("青溪县城关镇城东社区幸福路1号")


def test_the_centres_placement_is_found_in_either_script(world) -> None:  # type: ignore[no-untyped-def]
    assert routing.address_key("青溪縣 某某新村７號。") == "青溪县某某新村7号"
    lost = make_warning(1, address="青溪縣某某新村7號", phone="")
    assert lost.needs_placement and lost.status == Status.NEW
    warning_place(actor=world.users["analyst"], warning=lost, area=world.area("石桥村"))
    for n, written in ((2, "青溪县某某新村7号"), (3, "靑溪縣 某某新村7號")):
        again = make_warning(n, address=written, phone="")
        assert again.area.name == "石桥村" and not again.needs_placement, written


def _key_as_before(address: str, punctuation: bool) -> str:
    """The keys placements were stored under before traditional characters were read as simplified:
    NFKC, without spaces, and (``punctuation`` False) without punctuation."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", address))
    if not punctuation:
        value = "".join(c for c in value if not unicodedata.category(c).startswith("P"))
    return hmac.new(crypto._key("search"), f"address:{value}".encode(), hashlib.sha256).hexdigest()


def test_a_placement_stored_under_the_key_as_written_still_applies(world) -> None:  # type: ignore[no-untyped-def]
    for punctuation, address in ((False, "青溪縣某某新村7號，菜場對面"), (True, "青溪縣某某新村8號，菜場")):
        AddressPlacement.objects.create(
            address_hash=_key_as_before(address, punctuation), area=world.area("石桥村")
        )
        found = place(address)
        assert found.area.name == "石桥村" and found.placed, address
