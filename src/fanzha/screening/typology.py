"""The fraud typology as data: the stable codes the whole platform uses (warnings, cases, tips,
statistics and screening results).

The types live in ``data/typology.toml`` (reviewed data, not code). This module loads and checks that
file once and answers questions about it. It imports nothing outside the standard library.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

GROUPS = ("fraud", "illegal", "advertising", "normal")
RISKY_GROUPS = frozenset({"fraud", "illegal"})
TOP_CATEGORY = {"fraud": "FR", "illegal": "IL", "advertising": "AD", "normal": "Other"}
_REQUIRED_TEXT = ("code", "name", "group", "description", "advice")


class TypologyError(ValueError):
    """The typology file is not valid; the message names the type and the field."""


@dataclass(frozen=True, slots=True)
class FraudType:
    code: str
    name: str  # Chinese
    group: str  # fraud | illegal | advertising | normal
    description: str  # Chinese, how it works
    scripts: tuple[str, ...]  # typical lines a victim receives
    advice: str  # Chinese, what to do
    fbs_categories: tuple[str, ...] = ()  # FBS SMS fine classes that map to this type

    @property
    def risky(self) -> bool:
        return self.group in RISKY_GROUPS

    @property
    def top_category(self) -> str:
        return TOP_CATEGORY[self.group]


class Typology:
    """All types, in file order."""

    def __init__(self, types: list[FraudType]) -> None:
        self._types = {t.code: t for t in types}
        self._fbs = {fbs: t.code for t in types for fbs in t.fbs_categories}

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __len__(self) -> int:
        return len(self._types)

    def get(self, code: str) -> FraudType:
        try:
            return self._types[code]
        except KeyError:
            raise KeyError(f"未知的诈骗类型代码：{code!r}") from None

    def codes(self) -> list[str]:
        return list(self._types)

    def all(self) -> list[FraudType]:
        return list(self._types.values())

    def by_group(self, group: str) -> list[FraudType]:
        if group not in GROUPS:
            raise KeyError(f"未知的类型分组：{group!r}（可选：{'、'.join(GROUPS)}）")
        return [t for t in self._types.values() if t.group == group]

    def choices(self) -> list[tuple[str, str]]:
        """``(code, name)`` pairs for form fields."""
        return [(t.code, t.name) for t in self._types.values()]

    def from_fbs(self, fbs_category: str) -> str:
        """The typology code for an FBS SMS fine class (``AD:*`` → advertising, unknown → normal)."""
        if fbs_category in self._fbs:
            return self._fbs[fbs_category]
        if fbs_category.startswith("AD:"):
            return "advertising"
        return "normal"


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TypologyError(f"{where}：字段 {key} 必须是非空文字")
    return value.strip()


def _texts(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TypologyError(f"{where}：字段 {key} 必须是文字列表")
    return tuple(v.strip() for v in value)


def _parse_type(raw: object, index: int) -> FraudType:
    where = f"typology 第 {index + 1} 个类型"
    if not isinstance(raw, dict):
        raise TypologyError(f"{where} 不是表")
    where = f"typology 类型 {raw.get('code', index + 1)!s}"
    fields = {key: _text(raw, key, where) for key in _REQUIRED_TEXT}
    if fields["group"] not in GROUPS:
        raise TypologyError(f"{where}：未知分组 {fields['group']!r}（可选：{'、'.join(GROUPS)}）")
    return FraudType(
        code=fields["code"],
        name=fields["name"],
        group=fields["group"],
        description=fields["description"],
        scripts=_texts(raw, "scripts", where),
        advice=fields["advice"],
        fbs_categories=_texts(raw, "fbs_categories", where),
    )


def parse_typology(data: dict[str, Any]) -> Typology:
    raw_types = data.get("type")
    if not isinstance(raw_types, list) or not raw_types:
        raise TypologyError("typology 文件没有任何 [[type]]")
    types = [_parse_type(raw, i) for i, raw in enumerate(raw_types)]
    seen: set[str] = set()
    for t in types:
        if t.code in seen:
            raise TypologyError(f"typology 类型代码重复：{t.code}")
        seen.add(t.code)
    return Typology(types)


def read_typology(path: Path) -> Typology:
    with path.open("rb") as handle:
        return parse_typology(tomllib.load(handle))


@lru_cache(maxsize=1)
def load_typology() -> Typology:
    """The platform's typology (``data/typology.toml``), loaded once."""
    source = resources.files("fanzha.screening").joinpath("data/typology.toml")
    return parse_typology(tomllib.loads(source.read_text(encoding="utf-8")))


def is_risky(code: str) -> bool:
    """True for fraud and illegal promotion (the codes that make a result medium or high)."""
    return load_typology().get(code).risky


def top_category(code: str) -> str:
    """``FR``, ``IL``, ``AD`` or ``Other`` (the FBS top categories)."""
    return load_typology().get(code).top_category
