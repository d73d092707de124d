"""The demo county crawled as one login of every role (and both kinds of 单位负责人), the way a centre's
staff will meet it on their first day: no page fails, nobody opens what is outside their rights, no page
shows a full ID number or phone, no URL carries personal data.

The demo is loaded once for this module (real time, in a transaction rolled back at the end) and each
login is crawled once (tests/demo/crawl.py: links from "/", then every list's filter form and link
parameters with empty, unknown and malformed values, and every record page with an id that does not
exist). The small world's crawl (tests/test_no_pii_in_urls.py) and the permission matrix
(tests/test_permission_matrix.py) check the same rules on purpose-built records; this one checks them on
a year of realistic data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import pytest
from django.db import transaction
from django.test import Client

from fanzha.core.models import Person, User
from fanzha.demo.build import demo_load
from fanzha.warnings.models import Warning
from tests.demo.crawl import Crawl, crawl, url_name
from tests.test_no_pii_in_urls import leaks_in

# One login per role; ``head`` (a station's 所长) and ``town`` (a township's 分管领导) are both unit_leader.
LOGINS = ("leader", "analyst", "police", "head", "town", "grid", "bank", "telecom", "auditor", "admin")
# A login of the same role elsewhere: what the first one opens, the second must not (403 or 404).
STRANGERS = {"police": "police3", "grid": "grid2", "bank": "bank2", "head": "police4"}
# Record pages everyone of the role reads whatever their area: the organisation directory (roles.md).
SHARED_NAMES = {"organisation_detail"}
# They read no business record: the leader's record pages are closed to them.
NO_BUSINESS_READERS = ("auditor", "admin")

# What a URL must hold to carry a name (Chinese), an ID number or a phone: others need no closer look.
MAYBE_PERSONAL = re.compile(r"[^\x00-\x7f]|[0-9]{11}")
DIGITS = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def crawls(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Crawl]]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        yield {username: crawl_as(username) for username in LOGINS}
        transaction.set_rollback(True)


def crawl_as(username: str) -> Crawl:
    client = Client(raise_request_exception=False)  # a failing page is recorded as its 500, the crawl goes on
    client.force_login(User.objects.get(username=username))
    return crawl(client)


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def secrets() -> set[str]:
    """Every full ID number and phone of the demo's residents and warnings, from the decrypted fields."""
    found = {v for p in Person.objects.all() for v in (p.id_number, p.phone) if v}
    found |= {v for w in Warning.objects.all() for v in (w.id_number_raw, w.phone_raw) if v}
    return {v.upper() for v in found}


def personal_values() -> list[str]:
    """Names, ID numbers and phones of the residents (addresses share too much with area names)."""
    values = {v for p in Person.objects.all() for v in (p.name, p.id_number, p.phone) if v and len(v) >= 2}
    return sorted(values)


def record_pages(result: Crawl) -> dict[str, str]:
    """The pages opened with 200 whose path names a record by its id: url -> URL name."""
    pages = {}
    for url, status in result.statuses.items():
        found = url_name(url.split("?")[0])
        if status == 200 and found and found[1] and "?" not in url:
            pages[url] = found[0]
    return pages


def test_the_crawl_opens_records_and_probes_the_filters(crawls: dict[str, Crawl]) -> None:
    leader = crawls["leader"]
    opened = set(record_pages(leader).values())
    assert {"person_detail", "warning_detail", "case_detail", "case_trace"} <= opened
    assert "/warnings/?page=99999" in leader.statuses
    assert "/warnings/?start=2026-13-45" in leader.statuses
    assert "/audit/?start=0001-01-01T00%3A00" in crawls["auditor"].statuses
    assert any(name == "(other id)" and leader.statuses[url] == 404 for url, name in leader.names.items())


@pytest.mark.parametrize("username", LOGINS)
def test_no_page_fails(username: str, crawls: dict[str, Crawl]) -> None:
    result = crawls[username]
    assert len(result.statuses) > 20, f"the crawl found little to open as {username}: {result.statuses}"
    assert not result.broken(), f"pages failing as {username}: {result.broken()}"


@pytest.mark.parametrize("username", LOGINS)
def test_no_page_shows_a_full_id_number_or_phone(username: str, crawls: dict[str, Crawl]) -> None:
    known = secrets()
    shown = {}
    for url, page in crawls[username].pages.items():
        found = sorted({m.upper() for m in DIGITS.findall(page)} & known)
        if found:
            shown[url] = [f"{v[:3]}…{v[-2:]}" for v in found]
    assert not shown, f"full ID numbers or phones shown unmasked as {username}: {shown}"


@pytest.mark.parametrize("username", LOGINS)
def test_no_url_carries_personal_data(username: str, crawls: dict[str, Crawl]) -> None:
    values = personal_values()
    suspect = [url for url in crawls[username].seen_urls if MAYBE_PERSONAL.search(unquote_plus(url))]
    leaking = {url: len(found) for url in suspect if (found := leaks_in(url, values))}
    assert not leaking, f"personal values in URLs as {username} (url: how many): {leaking}"


@pytest.mark.parametrize("username", sorted(STRANGERS))
def test_a_login_of_the_same_role_elsewhere_cannot_open_the_records(
    username: str, crawls: dict[str, Crawl]
) -> None:
    stranger = STRANGERS[username]
    client = client_of(stranger)
    pages = {url: name for url, name in record_pages(crawls[username]).items() if name not in SHARED_NAMES}
    assert pages, f"{username} opened no record page"
    got = {url: client.get(url).status_code for url in pages}
    opened = {url: code for url, code in got.items() if code not in (403, 404)}
    assert not opened, f"{stranger} opens {username}'s records: {opened}"


@pytest.mark.parametrize("username", NO_BUSINESS_READERS)
def test_the_auditor_and_administrator_open_no_business_record(
    username: str, crawls: dict[str, Crawl]
) -> None:
    client = client_of(username)
    own = set(record_pages(crawls[username]).values()) | SHARED_NAMES
    pages = {url: name for url, name in record_pages(crawls["leader"]).items() if name not in own}
    got = {url: client.get(url).status_code for url in pages}
    opened = {url: code for url, code in got.items() if code not in (403, 404)}
    assert not opened, f"{username} opens business records: {opened}"
