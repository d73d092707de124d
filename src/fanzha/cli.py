"""The ``fanzha`` command: the project's own commands plus Django's."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["fanzha", *argv])
    args[0] = "fanzha"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
