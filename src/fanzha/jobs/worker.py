"""The worker loop behind ``fanzha worker``: schedules, reclaim, claim one job, run it, repeat."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from fanzha.core import conflicts
from fanzha.jobs.models import Job
from fanzha.jobs.queue import RunContext, job_claim, job_execute, jobs_reclaim_stale
from fanzha.jobs.schedules import schedule_seed_defaults, schedules_run_due

logger = logging.getLogger("fanzha.jobs.worker")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Heartbeat:
    """Beats for the running job from a side thread, so a long task without progress calls stays alive."""

    def __init__(self, job: Job, worker_id: str, interval: float) -> None:
        self._context = RunContext(job, worker_id)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    self._context.heartbeat()
                except Exception:
                    logger.warning("heartbeat failed", extra={"job_id": self._context.job_id})
        finally:
            connection.close()


class Worker:
    def __init__(
        self, worker_id: str | None = None, poll_seconds: float | None = None, parent_pid: int | None = None
    ) -> None:
        self.id = worker_id or new_worker_id()
        self.parent_pid = parent_pid
        self.poll_seconds = poll_seconds if poll_seconds is not None else settings.WORKER_POLL_SECONDS
        self.heartbeat_seconds = max(settings.WORKER_STALE_SECONDS / 3, 1)
        self._stopping = threading.Event()

    def stop(self, *_: object) -> None:
        """Finish the current job, then leave the loop (SIGTERM, SIGINT)."""
        if not self._stopping.is_set():
            logger.info("worker stopping", extra={"worker": self.id})
        self._stopping.set()

    def _orphaned(self) -> bool:
        """True when started by ``fanzha run`` (``--parent-pid``) and that process has gone."""
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def tick(self) -> bool:
        """One round; True when a job ran."""
        schedules_run_due()
        jobs_reclaim_stale()
        job = job_claim(self.id)
        if job is None:
            return False
        with Heartbeat(job, self.id, self.heartbeat_seconds):
            job_execute(job, self.id)
        return True

    def run(self, once: bool = False) -> int:
        """Loop until stopped (or, with ``once``, until no job is due); returns the number of jobs run."""
        schedule_seed_defaults()
        logger.info("worker started", extra={"worker": self.id, "once": once})
        ran = 0
        while not self._stopping.is_set():
            if self._orphaned():
                logger.info("worker stopping: the process that started it is gone", extra={"worker": self.id})
                break
            try:
                if self.tick():
                    ran += 1
                    continue
            except Exception as exc:
                if not conflicts.is_conflict(exc):
                    raise
                # A step of this round met another writer (SQLite's busy timeout, a deadlock): its
                # transaction was rolled back (a job left running is reclaimed once its heartbeat
                # stops). Try again after the pause instead of ending the worker.
                conflicts.log_conflict(conflicts.conflict_kind(exc), "worker", worker=self.id)
            if once:
                break
            if not connection.in_atomic_block:
                close_old_connections()
            self._stopping.wait(self.poll_seconds)
        logger.info("worker stopped", extra={"worker": self.id, "jobs": ran})
        return ran


def run_with_signals(worker: Worker, once: bool = False) -> int:
    """Run with SIGTERM and SIGINT bound to a graceful stop; the previous handlers come back afterwards."""
    previous: dict[int, Callable[..., Any] | int | None] = {}
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, worker.stop)
    try:
        return worker.run(once=once)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
