"""Field work on a phone (the contact form, its photos, handing over): what a grid worker or an officer
meets when a photo is no ordinary one or a choice is refused."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fanzha.warnings import workflow
from fanzha.warnings.models import Outcome, Warning
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def _signed(world: World) -> Warning:
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    return workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)


def _contact(client: Any, warning: Warning, **data: Any) -> Any:
    posted = {"kind": "call", "outcome": Outcome.DISSUADED, "version": warning.version, **data}
    return client.post(reverse("warning_contact", args=[warning.pk]), posted)


def _photo_errors(response: Any) -> list[str]:
    return list(response.context["form"].errors.get("photos", []))


def test_a_png_bomb_is_refused_for_its_pixels_not_a_server_error(world: World, client: Any) -> None:
    """A 48 KB PNG of 20000×20000 pixels: Pillow refuses to open it (DecompressionBombError, not one of
    the errors caught) and the worker got a server error."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, photos=[SimpleUploadedFile("bomb.png", out.getvalue(), "image/png")])
    assert response.status_code == 400
    assert _photo_errors(response) == ["照片像素过多（超过 60 百万像素）"]
    assert not warning.contacts.exists()
