"""The ``fanzha`` command: the project's own commands plus Django's.

`fanzha screen …` and `fanzha numbers …` belong to the Django-free screening engine: they run
without settings or a database, so an analyst can screen a file on any machine.

A command stopped by a database conflict (another operation changed the same records at the same
moment) prints one line and exits with 75 (EX_TEMPFAIL: run it again), not a traceback. So does a
setting the platform refuses (a misspelt value, an unreadable key file): one line naming it, exit 78
(EX_CONFIG).
"""

from __future__ import annotations

import os
import sys

from fanzha.core import conflicts

EXIT_CONFIG = 78  # EX_CONFIG: fix the setting, then run again

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
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        print(f"fanzha: 配置错误：{exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    except Exception as exc:
        kind = conflicts.conflict_kind(exc)
        if not kind:
            raise
        conflicts.log_conflict(kind, "cli", command=args[1] if len(args) > 1 else "")
        print(f"fanzha: {conflicts.COMMAND_MESSAGE}（{kind}）", file=sys.stderr)
        sys.exit(conflicts.EXIT_CODE)


def _run_engine_command(name: str, rest: list[str]) -> int:
    from importlib import import_module

    module = import_module(ENGINE_COMMANDS[name])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    main()
