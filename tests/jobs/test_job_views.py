"""Job pages: own jobs, a leader's jurisdiction's, all with "job.view_all", progress polled while running,
404 for others."""

from __future__ import annotations

from django.urls import reverse

from fanzha.jobs import queue
from fanzha.jobs.services import job_enqueue
from tests.jobs import sample_tasks  # noqa: F401
from tests.personas import login


def test_it_shows_progress_to_the_owner_and_polls_while_running(world, client) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=world.users["analyst"], kind="tests.add", args={"a": 1, "b": 2})
    claimed = queue.job_claim("w1")
    assert claimed is not None
    queue.RunContext(claimed, "w1").progress(42, "正在处理第 2 批")
    url = reverse("job_detail", kwargs={"pk": job.pk})
    page = login(client, world.users["analyst"]).get(url).content.decode()
    assert "42%" in page and "正在处理第 2 批" in page and "运行中" in page
    assert 'hx-trigger="every 2s"' in page and f'hx-get="{url}"' in page


def test_it_answers_htmx_polls_with_the_status_fragment_and_stops_when_done(world, client) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=world.users["analyst"], kind="tests.add", args={"a": 1, "b": 2})
    claimed = queue.job_claim("w1")
    assert claimed is not None
    queue.job_execute(claimed, "w1")
    response = login(client, world.users["analyst"]).get(
        reverse("job_detail", kwargs={"pk": job.pk}), headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert "<html" not in fragment and 'id="job-status"' in fragment
    assert "已完成" in fragment and "hx-trigger" not in fragment


def test_it_shows_the_error_of_a_failed_job(world, client) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=world.users["grid_cd"], kind="tests.refuse")
    claimed = queue.job_claim("w1")
    assert claimed is not None
    queue.job_execute(claimed, "w1")
    page = login(client, world.users["grid_cd"]).get(reverse("job_detail", kwargs={"pk": job.pk}))
    assert "任务失败" in page.content.decode() and "参数指向的批次不存在" in page.content.decode()


def test_it_hides_other_users_jobs(world, client) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=world.users["analyst"], kind="jobs.ping")
    url = reverse("job_detail", kwargs={"pk": job.pk})
    assert login(client, world.users["grid_cd"]).get(url).status_code == 404
    assert login(client, world.users["police_cg"]).get(url).status_code == 404
    # job.view_jurisdiction: the analyst is in the leader's centre
    assert login(client, world.users["leader"]).get(url).status_code == 200


def test_it_lists_own_jobs_or_all_with_view_all(world, client) -> None:  # type: ignore[no-untyped-def]
    mine = job_enqueue(actor=world.users["grid_cd"], kind="jobs.ping")
    theirs = job_enqueue(actor=world.users["analyst"], kind="jobs.ping")
    system = job_enqueue(actor=None, kind="jobs.ping")
    own_page = login(client, world.users["grid_cd"]).get(reverse("job_list")).content.decode()
    assert (
        f"#{mine.pk}<" in own_page and f"#{theirs.pk}<" not in own_page and f"#{system.pk}<" not in own_page
    )
    all_page = login(client, world.users["admin"]).get(reverse("job_list")).content.decode()
    assert all(f"#{job.pk}<" in all_page for job in (mine, theirs, system))
    filtered = client.get(reverse("job_list"), {"status": "succeeded"}).content.decode()
    assert f"#{mine.pk}<" not in filtered
