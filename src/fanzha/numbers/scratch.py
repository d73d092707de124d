"""A run's scratch folder: its files decrypted, DuckDB's database and spill files, features and edges.

Named by the run and the process that made it (``fanzha-numbers-run-<run>-<pid>-…``), so that what a
killed worker left behind — the extract in clear, out of its encrypted store — is found and removed:
a folder whose process is no longer alive is garbage (a process that ends normally removes its own).
They are removed before a run's attempt starts (the earlier attempt's), when a run is failed (its job
ended without it), and on the worker's schedule. A folder of a live process is never touched — another
worker, or another instance on the same host, may be using it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "fanzha-numbers-run-"
_OWNER = re.compile(re.escape(PREFIX) + r"\d+-(\d+)-")


def scratch_dir(run_id: int) -> tempfile.TemporaryDirectory[str]:
    """A new scratch folder for the run (removed when the ``with`` block ends, whatever the outcome)."""
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{run_id}-{os.getpid()}-")


def remove_leftovers() -> int:
    """Remove the scratch folders whose process is no longer alive (a worker killed mid-run); returns
    how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        owner = _OWNER.match(folder.name)
        if owner is not None and not _alive(int(owner.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
