"""The ``fanzha`` command: the project's own commands plus Django's.

`fanzha screen …` and `fanzha numbers …` belong to the Django-free screening engine: they run
without settings or a database, so an analyst can screen a file on any machine.
"""

from __future__ import annotations

import os
import sys

ENGINE_COMMANDS = {
    "screen": "fanzha.screening.cli",
    "numbers": "fanzha.screening.numbers.cli",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else ["fanzha", *argv])
    args[0] = "fanzha"
    if len(args) > 1 and args[1] in ENGINE_COMMANDS:
        sys.exit(_run_engine_command(args[1], args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


def _run_engine_command(name: str, rest: list[str]) -> int:
    from importlib import import_module

    module = import_module(ENGINE_COMMANDS[name])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    main()
