"""The pipeline's pause of the cyclic garbage collector: on again afterwards, nothing left to traverse."""

from __future__ import annotations

import gc

from fanzha.imports.pipeline import gc_paused


def test_what_the_pause_made_is_not_traversed_when_it_ends() -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(seen)
    try:
        with gc_paused():
            assert not gc.isenabled()
            kept = [[n] for n in range(5000)]  # a file's rows, still held by the caller afterwards
        after = [[n] for n in range(10)]  # the caller goes on
    finally:
        gc.callbacks.remove(seen)
    assert gc.isenabled() and kept and after
    # No collection right after the pause (a young one would traverse everything the pause made): what
    # it made joined the oldest generation, for the next full collection.
    assert collections == []
    assert any(found is kept for found in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0


def test_objects_frozen_on_purpose_stay_frozen() -> None:
    """Checked on one object held here: the frozen count itself falls whenever any frozen object is
    freed meanwhile (another thread's, an earlier test's)."""
    held = [["frozen on purpose"]]
    gc.freeze()  # as a pre-forking server does
    try:
        assert not any(found is held for found in gc.get_objects())  # frozen: in no generation
        with gc_paused():
            made = [[n] for n in range(10)]
        assert gc.isenabled() and made
        assert not any(found is held for found in gc.get_objects())  # still frozen
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
