"""The engines are Django-free: importing every module of one loads no Django and no other part of
the platform (DESIGN.md §3), so the CLI, batch jobs and other machines can use them on their own."""

import subprocess
import sys

import pytest

SCRIPT = """
import importlib, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
outside = sorted(
    m for m in sys.modules
    if m.startswith("fanzha.") and not m.startswith(sys.argv[1]) or m == "fanzha.settings"
)
print(len(names), leaked, outside)
"""


@pytest.mark.parametrize(("package", "modules"), [("fanzha.screening", 20), ("fanzha.tracing", 7)])
def test_it_imports_no_django_and_nothing_else_of_the_platform(package, modules):
    done = subprocess.run([sys.executable, "-c", SCRIPT, package], capture_output=True, text=True, check=True)
    count, leaked, outside = done.stdout.strip().split(" ", 2)
    assert int(count) >= modules
    assert leaked == "[]", leaked
    assert outside.strip() == "[]", outside
