"""Of several photos chosen at once, the one refused is named: the worker was told only that a photo
was damaged (a picture still downloading from the phone's cloud album) or was no photo (a document
among them) — not which of the six to leave out; they chose the same six again and were refused again."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.warnings.models import Outcome
from fanzha.warnings.photos import BROKEN
from tests.personas import World
from tests.warnings import images
from tests.warnings.helpers import acknowledged_by_grid_worker


def _sent(world: World, client: Any, chosen: list[tuple[str, bytes]]) -> Any:
    warning = acknowledged_by_grid_worker(world, client)
    data = {
        "kind": "call",
        "outcome": Outcome.DISSUADED,
        "version": warning.version,
        "photos": [SimpleUploadedFile(name, photo, "image/jpeg") for name, photo in chosen],
    }
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert response.status_code == 400
    assert not warning.contacts.exists()
    return response.context["form"].errors["photos"]


def test_a_damaged_photo_among_several_is_named(world: World, client: Any) -> None:
    whole = images.jpeg()
    chosen = [("IMG_0001.jpg", whole), ("IMG_0002.jpg", whole[: len(whole) // 2]), ("IMG_0003.jpg", whole)]
    assert _sent(world, client, chosen) == [f"所选 3 张中的 IMG_0002.jpg：{BROKEN}"]


def test_a_document_among_several_photos_is_named(world: World, client: Any) -> None:
    chosen = [("IMG_0001.jpg", images.jpeg()), ("通知.jpg", b"%PDF-1.7 a document")]
    assert _sent(world, client, chosen) == ["所选 2 张中的 通知.jpg：只能上传 JPEG、PNG 或 WebP 照片"]


def test_a_single_photo_refused_is_told_as_before(world: World, client: Any) -> None:
    whole = images.jpeg()
    assert _sent(world, client, [("IMG_0001.jpg", whole[:-40])]) == [BROKEN]
