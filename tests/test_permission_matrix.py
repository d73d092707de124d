"""Role × view × own area / another area. Every named URL must be listed in a tests/*/matrix.py."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import PERSONAS, Case

IGNORED_PREFIXES = ("api:openapi", "api:docs", "api:api-root")


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def all_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    root = Path(__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "matrix.py").exists():
            module = importlib.import_module(f"tests.{info.name}.matrix")
            overlap = set(cases) & set(module.CASES)
            assert not overlap, f"listed twice: {overlap}"
            cases.update(module.CASES)
    return cases


CASES = all_cases()


def test_it_lists_every_named_view() -> None:
    named = {n for n in _names(get_resolver()) if not n.startswith(IGNORED_PREFIXES)}
    missing = sorted(named - set(CASES))
    assert not missing, f"views missing from the permission matrix: {missing}"
    stale = sorted(set(CASES) - named)
    assert not stale, f"matrix lists views that do not exist: {stale}"


def _request(client, case: Case, world):  # type: ignore[no-untyped-def]
    url = reverse(CASES_NAME[id(case)], kwargs=case.kwargs(world) if case.kwargs else None)
    data = case.data(world) if callable(case.data) else case.data
    if case.method == "POST":
        return client.post(url, data)
    return client.get(url, data)


CASES_NAME = {id(case): name for name, case in CASES.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_answers_each_persona_as_listed(name: str, world, client) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    got = {}
    for persona in PERSONAS:
        client.force_login(world.users[persona])
        got[persona] = _request(client, case, world).status_code
        client.logout()
    assert got == case.statuses()


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not c.public))
def test_it_sends_anonymous_visitors_to_login(name: str, world, client) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    response = _request(client, case, world)
    if name.startswith("api:"):
        assert response.status_code == 401
    else:
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
