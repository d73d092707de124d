"""Headless Chromium (Debian's, never a downloaded one) against pytest-django's live server.

Every request to a host other than the live server is aborted and recorded; a test that caused one
fails, which proves the pages make no outside requests (government intranets have no internet).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import FLUSH_ALL
from tests.personas import PASSWORD, World, build_world

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = "Chromium not installed: sudo apt-get install -y chromium"
LOCAL_SCHEMES = {"data", "blob", "about"}


def chromium_path() -> str | None:
    """FANZHA_CHROMIUM, else /usr/bin/chromium, else chromium on PATH; None when there is none."""
    for candidate in (os.environ.get("FANZHA_CHROMIUM", ""), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if chromium_path() is None:
                item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class OutsideRequests:
    """Requests the pages tried to send to any host but the live server."""

    origin: str
    blocked: list[str] = field(default_factory=list)

    def handle(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


def clear_audit_log() -> None:
    """Delete the audit records under a purge permit before the flush.

    On SQLite the flush deletes tables in an order that varies between runs (Django lists them
    from a set); when it reaches the permit table before the audit table, the triggers refuse.
    """
    from fanzha.audit.models import AuditEvent, AuditPurgePermit

    AuditPurgePermit.objects.create(upto_id=FLUSH_ALL)
    AuditEvent.objects.all().delete()


@pytest.fixture
def live_world(transactional_db: None, allow_audit_flush: None) -> Iterator[World]:
    """The personas and people, committed, so the live server's thread sees them."""
    yield build_world()
    clear_audit_log()


@pytest.fixture
def outside_requests(live_server: Any) -> OutsideRequests:
    parts = urlsplit(live_server.url)
    return OutsideRequests(origin=f"{parts.scheme}://{parts.netloc}")


def _new_context(browser: Any, guard: OutsideRequests, **options: Any) -> Any:
    context = browser.new_context(base_url=guard.origin, locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    context.route("**/*", guard.handle)
    return context


@pytest.fixture
def new_context(browser: Any, outside_requests: OutsideRequests) -> Iterator[Any]:
    """A factory of fresh browser contexts (own cookies), all closed and checked after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = _new_context(browser, outside_requests, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not outside_requests.blocked, f"pages tried to reach other hosts: {outside_requests.blocked}"


@pytest.fixture
def page(new_context: Any) -> Any:
    return new_context().new_page()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """From any page that redirected to the login form: fill it in and submit."""
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
