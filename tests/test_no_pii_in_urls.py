"""Personal data never travels in a URL the UI makes, and pages show it masked by default.

As each persona, crawl what is reachable from "/" by links, form actions and htmx attributes
(GET only, no form is submitted), then check every URL met and every page fetched.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus, unquote_plus, urljoin, urlsplit

import pytest

from tests.matrix import PERSONAS
from tests.personas import World

MAX_PAGES = 200
MAX_PER_PATH = 8  # variants of one path by query string (the calendar links month to month for ever)
PLAIN_FIELDS = ("name", "id_number", "phone", "address")
SKIPPED_PREFIXES = ("/static/", "/media/")


class LinkParser(HTMLParser):
    """Every URL on a page: (url, fetch) where fetch says whether opening it is a plain GET."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v for k, v in attrs if v is not None}
        if tag == "a" and "href" in attr:
            self.found.append((attr["href"], True))
        if tag == "form" and "action" in attr:
            self.found.append((attr["action"], attr.get("method", "get").lower() == "get"))
        if "hx-get" in attr:
            self.found.append((attr["hx-get"], True))
        for verb in ("hx-post", "hx-put", "hx-patch", "hx-delete"):
            if verb in attr:
                self.found.append((attr[verb], False))


def page_links(base: str, html: str) -> list[tuple[str, bool]]:
    parser = LinkParser()
    parser.feed(html)
    links = []
    for raw, fetch in parser.found:
        url = urljoin(base, raw.strip())
        parts = urlsplit(url)
        if parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver"):
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            links.append((local, fetch))
    return links


def personal_values(world: World) -> list[str]:
    """Every plain personal value of the world's people, and the address parts that are not area names."""
    area_names = sorted((a.name for a in world.areas.values()), key=len, reverse=True)
    values: set[str] = set()
    for person in world.people.values():
        for name in PLAIN_FIELDS:
            value = str(getattr(person, name) or "")
            if value:
                values.add(value)
        rest = str(person.address)
        for area in area_names:
            rest = rest.replace(area, "\n")
        values |= {part for part in rest.split("\n") if len(part) >= 2}
    return sorted(values)


def leaks_in(url: str, values: list[str]) -> list[str]:
    forms = {url, unquote_plus(url), url.lower(), unquote_plus(url).lower()}
    found = []
    for value in values:
        encoded = {value, value.lower(), quote(value), quote_plus(value), quote(value).lower()}
        if any(e in f for e in encoded for f in forms):
            found.append(value)
    return found


@dataclass
class Crawl:
    seen_urls: set[str] = field(default_factory=set)
    pages: dict[str, str] = field(default_factory=dict)  # url -> text of each fetched page
    statuses: dict[str, int] = field(default_factory=dict)


def crawl(client, start: str = "/") -> Crawl:  # type: ignore[no-untyped-def]
    result = Crawl(seen_urls={start})
    queue: deque[str] = deque([start])
    per_path: Counter[str] = Counter()
    while queue and len(result.pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        result.statuses[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(("text/", "application/json")) or response.streaming:
            continue
        text = response.content.decode(response.charset or "utf-8", errors="replace")
        result.pages[url] = text
        if not content_type.startswith("text/html"):
            continue
        for link, fetch in page_links(url, text):
            if link in result.seen_urls:
                continue
            result.seen_urls.add(link)
            path = urlsplit(link).path
            if fetch and not link.startswith(SKIPPED_PREFIXES) and per_path[path] < MAX_PER_PATH:
                per_path[path] += 1
                queue.append(link)
    return result


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_keeps_personal_values_out_of_every_url(persona: str, world: World, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    result = crawl(client)
    assert len(result.pages) > 1, f"the crawl found nothing to open as {persona}: {result.statuses}"
    broken = {url: code for url, code in result.statuses.items() if code >= 500}
    assert not broken, f"pages failing as {persona}: {broken}"
    values = personal_values(world)
    leaking = {url: leaks_in(url, values) for url in result.seen_urls if leaks_in(url, values)}
    assert not leaking, f"personal values in URLs as {persona}: {leaking}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_no_full_id_number_or_phone_on_any_page(persona: str, world: World, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    result = crawl(client)
    secrets = [v for p in world.people.values() for v in (p.id_number, p.phone) if v]
    shown = {url: [s for s in secrets if s.lower() in page.lower()] for url, page in result.pages.items()}
    shown = {url: found for url, found in shown.items() if found}
    assert not shown, f"full ID numbers or phones shown unmasked as {persona}: {shown}"


def test_it_reaches_the_people_pages_of_its_own_scope(world: World, client) -> None:  # type: ignore[no-untyped-def]
    """The crawl is real: the grid worker reaches their own person, never the other village's."""
    client.force_login(world.users["grid_cd"])
    result = crawl(client)
    own, other = world.people["chengdong"].pk, world.people["shiqiao"].pk
    assert f"/people/{own}/" in result.pages
    assert f"/people/{other}/" not in result.seen_urls
    assert f"/people/{own}/reveal/" in result.seen_urls, "the reveal form is found but never fetched"
    assert f"/people/{own}/reveal/" not in result.statuses


def test_it_would_notice_a_leak() -> None:
    values = ["王秀英", "13905710001", "幸福路8号"]
    assert leaks_in("/people/?q=" + quote("王秀英"), values) == ["王秀英"]
    assert leaks_in("/people/?q=" + quote_plus("幸福路8号"), values) == ["幸福路8号"]
    assert leaks_in("/people/?phone=13905710001", values) == ["13905710001"]
    assert leaks_in("/people/?area=3&page=2", values) == []
