"""The fund-tracing engine is Django-free: importing every module of it loads no Django."""

import subprocess
import sys

SCRIPT = """
import pkgutil, importlib, sys
import fanzha.tracing as pkg
names = [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
outside = sorted(
    m for m in sys.modules
    if m.startswith("fanzha.") and not m.startswith("fanzha.tracing") or m == "fanzha.settings"
)
print(len(names), leaked, outside)
"""


def test_it_imports_no_django_and_nothing_else_of_the_platform():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    count, leaked, outside = done.stdout.strip().split(" ", 2)
    assert int(count) >= 7
    assert leaked == "[]", leaked
    assert outside.strip() == "[]", outside
