"""Build src/fanzha/screening/data/t2s.txt: the traditional → simplified character table.

Source: TSCharacters.txt of the opencc-python-reimplemented package (Apache-2.0; the OpenCC
dictionaries). Only one-to-one character mappings are kept (the first candidate of each entry), so the
engine can fold with one str.translate call and needs no extra package at run time.

Usage: .venv/bin/python scripts/build_t2s_table.py
"""

from __future__ import annotations

import pathlib

import opencc

SRC = pathlib.Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
OUT = pathlib.Path(__file__).resolve().parents[1] / "src/fanzha/screening/data/t2s.txt"


def main() -> None:
    pairs: list[str] = []
    for line in SRC.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        trad, simp = parts[0], parts[1].split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            pairs.append(trad + simp)
    header = "# traditional→simplified pairs; built by scripts/build_t2s_table.py from OpenCC (Apache-2.0)\n"
    OUT.write_text(header + "\n".join(sorted(pairs)) + "\n", encoding="utf-8")
    print(f"{len(pairs)} pairs → {OUT}")


if __name__ == "__main__":
    main()
