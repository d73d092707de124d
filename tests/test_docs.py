"""The documentation is tested: every setting, role, permission, audit event type and domain label the code
knows is written down, and the documents name nothing the code no longer has.

When one of these fails, update the document (the message names it), not the test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core.management import get_commands

import fanzha.settings
from fanzha.audit.events import EVENT_TYPES
from fanzha.cli import ENGINE_COMMANDS
from fanzha.core.models.areas import AreaLevel
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.models.persons import KeyGroup
from fanzha.core.roles import PERMISSIONS, ROLES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SETTINGS_SOURCE = Path(fanzha.settings.__file__).read_text(encoding="utf-8")
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list", "local_secret"}
TICKED = "✓"


def read(relative: str) -> str:
    path = ROOT / relative
    assert path.exists(), f"{relative} is missing"
    return path.read_text(encoding="utf-8")


def _is_environ_get(func: ast.expr) -> bool:
    """``os.environ.get`` or ``os.getenv``."""
    if isinstance(func, ast.Attribute) and func.attr == "get":
        return isinstance(func.value, ast.Attribute) and func.value.attr == "environ"
    return isinstance(func, ast.Attribute) and func.attr == "getenv"


def _environ_subscript(node: ast.AST) -> str:
    """The name in ``os.environ["NAME"]``, else ``""``."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Attribute):
        return ""
    key = node.slice
    if node.value.attr == "environ" and isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return ""


def settings_variables() -> dict[str, object]:
    """Each environment variable settings.py reads, with its literal default (``None`` when computed)."""
    found: dict[str, object] = {}
    for node in ast.walk(ast.parse(SETTINGS_SOURCE)):
        subscripted = _environ_subscript(node)
        if subscripted:
            found.setdefault(subscripted, None)
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name not in ENV_HELPERS and not _is_environ_get(node.func):
            continue
        first = node.args[0]
        if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
            continue
        default = None
        if name in {"env_str", "env_int"} and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            default = node.args[1].value
        if found.get(first.value) is None:
            found[first.value] = default
    return found


SETTINGS_VARIABLES = settings_variables()
TABLE_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|(.*)$", re.MULTILINE)


def configuration_rows() -> dict[str, str]:
    return dict(TABLE_ROW.findall(read("docs/configuration.md")))


def env_example_names() -> set[str]:
    names = set()
    for line in read(".env.example").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


# ── settings ─────────────────────────────────────────────────────────────────


def test_it_finds_the_settings_variables_it_checks() -> None:
    """The parser itself must keep working, or every check below would pass on nothing."""
    for name in [
        "DATABASE_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "FANZHA_PII_KEY",
        "FANZHA_ENV",
        "FANZHA_AUDIT_RETENTION_DAYS",
        "FANZHA_VAR_DIR",
    ]:
        assert name in SETTINGS_VARIABLES
    assert SETTINGS_VARIABLES["FANZHA_LOGIN_FAILURE_LIMIT"] == 5


@pytest.mark.parametrize("name", sorted(SETTINGS_VARIABLES))
def test_it_documents_every_setting_in_configuration_md(name: str) -> None:
    rows = configuration_rows()
    assert name in rows, f"{name} is read by settings.py but has no row in docs/configuration.md"
    default = SETTINGS_VARIABLES[name]
    if default not in (None, ""):
        row = rows[name].replace(",", "").replace("_", "")
        assert str(default).replace("_", "") in row, (
            f"docs/configuration.md gives {name} another default than settings.py ({default!r})"
        )


@pytest.mark.parametrize("name", sorted(SETTINGS_VARIABLES))
def test_it_lists_every_setting_in_env_example(name: str) -> None:
    assert name in env_example_names(), f"{name} is read by settings.py but missing from .env.example"


def test_it_documents_no_setting_that_settings_py_does_not_read() -> None:
    stale = (set(configuration_rows()) | env_example_names()) - set(SETTINGS_VARIABLES)
    assert not stale, f"documented but not read by settings.py: {sorted(stale)}"


def test_it_keeps_real_secrets_out_of_env_example() -> None:
    values = dict(
        line.lstrip("# ").split("=", 1)
        for line in read(".env.example").splitlines()
        if re.match(r"^#?\s*[A-Z_]+=", line)
    )
    assert values["SECRET_KEY"].startswith("change-me")
    assert values["FANZHA_PII_KEY"].startswith("change-me")


# ── roles and permissions ────────────────────────────────────────────────────


def roles_md() -> str:
    return read("docs/roles.md")


@pytest.mark.parametrize("code", sorted(ROLES))
def test_it_documents_every_role(code: str) -> None:
    text = roles_md()
    role = ROLES[code]
    assert f"`{code}`" in text, f"role {code} is missing from docs/roles.md"
    assert role.name in text, f"the Chinese name {role.name} of role {code} is missing from docs/roles.md"
    row = next((line for line in text.splitlines() if line.startswith(f"| `{code}` |")), "")
    scope = "按辖区" if role.area_scope else "仅限"
    assert scope in row, f"docs/roles.md gives role {code} the wrong scope (expected {scope!r} in its row)"


def permission_rows() -> dict[str, set[str]]:
    """Permission code → role codes ticked in the matrix of docs/roles.md."""
    text = roles_md()
    header = next((line for line in text.splitlines() if line.startswith("| 权限 |")), "")
    assert header, "docs/roles.md has no permission matrix (a table whose header starts with '| 权限 |')"
    columns = [cell.strip().strip("`") for cell in header.strip("|").split("|")]
    rows: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|", line)
        if match is None:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == len(columns):
            rows[match.group(1)] = {columns[i] for i, cell in enumerate(cells) if cell == TICKED}
    return rows


def permission_matrix_markdown() -> str:
    """The matrix as docs/roles.md should have it (printed when the document is out of date)."""
    codes = list(ROLES)
    lines = [
        "| 权限 | 说明 | " + " | ".join(f"`{code}`" for code in codes) + " |",
        "| --- | --- | " + " | ".join(":-:" for _ in codes) + " |",
    ]
    for permission, description in PERMISSIONS.items():
        ticks = " | ".join(TICKED if permission in ROLES[code].permissions else "" for code in codes)
        lines.append(f"| `{permission}` | {description} | {ticks} |")
    return "\n".join(lines)


@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
def test_it_documents_every_permission_and_who_holds_it(permission: str) -> None:
    rows = permission_rows()
    expected = f"\nThe matrix from roles.py:\n{permission_matrix_markdown()}"
    assert permission in rows, f"permission {permission} is missing from docs/roles.md{expected}"
    holders = {code for code, role in ROLES.items() if permission in role.permissions}
    assert rows[permission] == holders, (
        f"docs/roles.md says {sorted(rows[permission])} hold {permission}; "
        f"roles.py says {sorted(holders)}{expected}"
    )


def test_it_prints_the_matrix_that_docs_roles_md_holds() -> None:
    """The generator behind the failure message agrees with the parser (so its advice is right)."""
    assert permission_matrix_markdown() in roles_md()


def test_it_documents_no_permission_that_roles_py_does_not_have() -> None:
    stale = set(permission_rows()) - set(PERMISSIONS)
    assert not stale, f"docs/roles.md lists permissions roles.py does not have: {sorted(stale)}"


# ── audit ────────────────────────────────────────────────────────────────────


def audit_rows() -> dict[str, str]:
    return dict(re.findall(r"^\|\s*`([a-z_]+(?:\.[a-z_]+)?)`\s*\|(.*)$", read("docs/audit.md"), re.MULTILINE))


@pytest.mark.parametrize("action", sorted(EVENT_TYPES))
def test_it_documents_every_audit_event_type(action: str) -> None:
    assert action in audit_rows(), f"audit event type {action} has no row in docs/audit.md"


def test_it_documents_no_audit_event_type_that_events_py_does_not_declare() -> None:
    stale = set(audit_rows()) - set(EVENT_TYPES)
    assert not stale, f"docs/audit.md lists event types events.py does not declare: {sorted(stale)}"


# ── README, glossary, commands, links ────────────────────────────────────────


def test_it_gives_the_two_commands_in_the_readme() -> None:
    text = read("README.md")
    assert "`make run`" in text
    assert "`make test`" in text
    assert "## 中文" in text and "## English" in text
    assert text.index("## 中文") < text.index("## English"), "README.md: Chinese section first"


@pytest.mark.parametrize(
    "choice",
    [*KeyGroup.choices, *OrganisationKind.choices, *AreaLevel.choices],
    ids=lambda choice: choice[0] if isinstance(choice, tuple) else str(choice),
)
def test_it_explains_every_domain_label_in_the_glossary(choice: tuple[str, str]) -> None:
    value, label = choice
    text = read("docs/glossary.md")
    assert label in text, f"{label} is missing from docs/glossary.md"
    assert f"`{value}`" in text, f"the identifier {value} is missing from docs/glossary.md"


def documents() -> list[Path]:
    names = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "SECURITY.md"]
    return [ROOT / name for name in names if (ROOT / name).exists()] + sorted(DOCS.glob("*.md"))


def test_it_names_only_fanzha_commands_that_exist() -> None:
    commands = set(get_commands()) | set(ENGINE_COMMANDS)
    unknown = []
    for path in documents():
        for command in re.findall(r"`fanzha ([a-z][a-z_]*)", path.read_text(encoding="utf-8")):
            if command not in commands:
                unknown.append(f"{path.name}: fanzha {command}")
    assert not unknown, f"documents name commands that do not exist: {unknown}"


def test_it_links_only_to_files_that_exist() -> None:
    broken = []
    for path in documents():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.relative_to(ROOT)} → {target}")
    assert not broken, f"broken links: {broken}"
