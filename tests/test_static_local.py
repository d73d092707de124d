"""Pages load their scripts, styles and images from this server's /static/, never from a CDN."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import fanzha
from tests.personas import World

STATIC_DIR = Path(fanzha.__file__).resolve().parent / "static"
RUN_VENDOR = (
    "run scripts/vendor-assets.sh (make test does) to copy the front-end assets into src/fanzha/static"
)
ASSET_ATTRS = {"script": "src", "link": "href", "img": "src"}


class AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.assets: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = ASSET_ATTRS.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.assets.append((tag, value))


def assets_of(html: str) -> list[tuple[str, str]]:
    parser = AssetParser()
    parser.feed(html)
    return parser.assets


def is_local_static(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/static/")


@pytest.fixture
def base_page(world: World, client) -> str:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_loads_every_asset_from_local_static(base_page: str) -> None:
    assets = assets_of(base_page)
    tags = {tag for tag, _ in assets}
    assert {"script", "link"} <= tags, f"the base page should load scripts and styles: {assets}"
    foreign = [(tag, url) for tag, url in assets if not is_local_static(url)]
    assert not foreign, f"assets not served from /static/ on this server: {foreign}"


def test_it_has_every_asset_file_in_the_source_tree(base_page: str) -> None:
    missing = []
    for _, url in assets_of(base_page):
        relative = urlsplit(url).path.removeprefix("/static/")
        if not (STATIC_DIR / relative).is_file():
            missing.append(relative)
    assert not missing, f"missing under {STATIC_DIR}: {missing}; {RUN_VENDOR}"


def test_it_serves_the_assets_it_links(base_page: str, client) -> None:  # type: ignore[no-untyped-def]
    for _, url in assets_of(base_page):
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}; {RUN_VENDOR}"
        if hasattr(response, "close"):
            response.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example/x.js",
        "https://cdn.example/x.css",
        "//cdn.example/x.js",
        "static/x.js",
        "/media/x.png",
    ],
)
def test_it_would_notice_a_foreign_asset(url: str) -> None:
    assert not is_local_static(url)


def test_it_links_no_outside_url_from_the_stylesheets(base_page: str) -> None:
    import re

    outside = []
    for tag, url in assets_of(base_page):
        path = STATIC_DIR / urlsplit(url).path.removeprefix("/static/")
        if tag == "link" and path.suffix == ".css" and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            outside += [(path.name, m) for m in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", text)]
            outside += [(path.name, m) for m in re.findall(r"@import\s+['\"]((?:https?:)?//[^'\"]+)", text)]
    assert not outside, f"stylesheets fetch from other hosts: {outside}"
