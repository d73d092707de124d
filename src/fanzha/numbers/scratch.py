"""A run's scratch folder: its files decrypted, DuckDB's database and spill files, features and edges.

Named by the run (``fanzha-numbers-run-<run>-…``) so that what a killed worker left behind — the
extract in clear, out of its encrypted store — is found and removed: by the run's next attempt before
it starts, and when the run is failed (its job ended without it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

PREFIX = "fanzha-numbers-run-"


def scratch_dir(run_id: int) -> tempfile.TemporaryDirectory[str]:
    """A new scratch folder for the run (removed when the ``with`` block ends, whatever the outcome)."""
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{run_id}-")


def remove_leftovers(run_id: int) -> int:
    """Remove the scratch folders an earlier attempt of the run left (its worker was killed before it
    could); returns how many. Never another run's: the run's id ends where the ``-`` follows."""
    found = list(Path(tempfile.gettempdir()).glob(f"{PREFIX}{run_id}-*"))
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
    return len(found)
