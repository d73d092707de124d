"""The traditional → simplified character table (data/t2s.txt, built from OpenCC by
scripts/build_t2s_table.py): read by the screening's normalisation and by the warnings' address
matching. Importing this module is cheap (no Django, nothing but the standard library)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

T2S_FILE = Path(__file__).resolve().parent / "data" / "t2s.txt"


@cache
def t2s_pairs() -> dict[str, str]:
    """Each traditional character of the table → its simplified form, one character to one (縣 → 县)."""
    pairs = {}
    for line in T2S_FILE.read_text(encoding="utf-8").splitlines():
        if len(line) == 2:
            pairs[line[0]] = line[1]
    return pairs
