"""Task registry: ``@task("name")`` registers ``fn(job_context, **args)`` under a kind name.

Apps put their tasks in a ``tasks.py`` module; the jobs app imports every installed app's ``tasks``
module when Django starts, so a kind is known to the web process and to the worker alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

TaskFunction = Callable[..., Any]


class JobContext(Protocol):
    """What a running task may use: report progress (and so prove it is alive)."""

    job_id: int

    def progress(self, pct: int, message: str = "") -> None: ...


class JobFailed(Exception):  # noqa: N818 - reads as a sentence: raise JobFailed("...")
    """Raised by a task for a failure that retrying cannot fix; the job fails at once with this message."""


@dataclass(frozen=True)
class Task:
    name: str
    fn: TaskFunction
    label: str


_TASKS: dict[str, Task] = {}


def task(name: str, *, label: str = "") -> Callable[[TaskFunction], TaskFunction]:
    """Register the decorated function as the task ``name`` (with a Chinese ``label`` for the pages)."""

    def register(fn: TaskFunction) -> TaskFunction:
        existing = _TASKS.get(name)
        if existing is not None and existing.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"task {name!r} is already registered by {existing.fn.__module__}")
        _TASKS[name] = Task(name=name, fn=fn, label=label or name)
        return fn

    return register


def get_task(name: str) -> Task | None:
    return _TASKS.get(name)


def is_registered(name: str) -> bool:
    return name in _TASKS


def task_label(name: str) -> str:
    found = _TASKS.get(name)
    return found.label if found else name


def registered_names() -> list[str]:
    return sorted(_TASKS)
