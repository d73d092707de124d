"""Visit photos keep none of the phone's metadata: what lies outside the Exif — a Content Credentials
(C2PA) manifest, a maker's own segment or chunk, a JPEG comment on a photo drawn again — goes as well."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fanzha.warnings import workflow
from fanzha.warnings.models import Outcome, Warning
from tests.personas import World, login
from tests.warnings import images
from tests.warnings.helpers import make_warning

# What a Content Credentials manifest may say of where a photo was taken (its ``stds.exif`` assertion).
WHERE = b'{"label":"stds.exif","data":{"exif:GPSLatitude":"30,16.446N","exif:GPSLongitude":"120,9.306E"}}'


def _signed(world: World) -> Warning:
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    return workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)


def _stored(world: World, client: Any, name: str, photo: bytes) -> bytes:
    """``photo`` sent with a visit record as the phone sends it; the copy kept, decrypted."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    data = {
        "kind": "call",
        "outcome": Outcome.DISSUADED,
        "version": warning.version,
        "photos": [SimpleUploadedFile(name, photo, "application/octet-stream")],
    }
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return workflow.photo_bytes(warning.contacts.get().photos.get())


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_jpeg_loses_its_content_credentials_and_maker_segments(world: World, client: Any) -> None:
    """A phone that signs its photos (C2PA: JUMBF boxes in APP11) can write where it stood into the
    manifest; only the Exif, XMP, IPTC and comment segments were dropped — APP11, a maker's APP4 kept."""
    photo = images.jpeg()
    jumbf = b"JP\x00\x01\x00\x00\x00\x01jumb" + b"c2pa" + WHERE
    photo = photo[:2] + _segment(0xEB, jumbf) + _segment(0xE4, b"MAKER\x00" + WHERE) + photo[2:]
    stored = _stored(world, client, "IMG_0001.jpg", photo)
    assert WHERE not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG" and kept.size == (32, 24)
        kept.load()


def test_a_jpeg_keeps_its_colour_profile(world: World) -> None:
    """What the picture needs to show as taken stays: the ICC profile (APP2) and the JFIF header."""
    out = io.BytesIO()
    icc = b"\x00" * 128 + b"acsp-fake-profile"
    Image.new("RGB", (32, 24), (30, 90, 160)).save(out, "JPEG", icc_profile=icc)
    kept = workflow.photos.strip_metadata(out.getvalue(), "image/jpeg")
    with Image.open(io.BytesIO(kept)) as image:
        assert image.info.get("icc_profile") == icc
        assert "jfif" in image.info


def test_a_png_loses_its_content_credentials(world: World, client: Any) -> None:
    """A PNG's C2PA manifest is a ``caBX`` chunk; a maker's private chunk may carry anything."""
    photo = images.png()
    end = photo.rindex(b"IEND") - 4
    photo = photo[:end] + _chunk(b"caBX", WHERE) + _chunk(b"prVt", WHERE) + photo[end:]
    stored = _stored(world, client, "Screenshot.png", photo)
    assert WHERE not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "PNG" and kept.size == (16, 12)
        kept.load()


def test_a_webp_loses_its_content_credentials(world: World, client: Any) -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 90, 160)).save(out, "WEBP", exif=Image.Exif().tobytes())
    body = out.getvalue()[12:] + b"C2PA" + struct.pack("<I", len(WHERE)) + WHERE + b"\0" * (len(WHERE) & 1)
    photo = b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
    stored = _stored(world, client, "IMG_0002.webp", photo)
    assert WHERE not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "WEBP" and kept.size == (32, 24)
        kept.load()


def test_a_jpeg_drawn_again_loses_its_comment(world: World, client: Any) -> None:
    """A JPEG whose segments cannot be followed (a fill byte before a marker) is drawn again by Pillow,
    which wrote the photo's comment (COM) back into the copy kept."""
    photo = images.jpeg(secret=images.SECRET, comment=images.SECRET.encode())
    photo = photo[:2] + b"\xff" + photo[2:]
    stored = _stored(world, client, "IMG_0003.jpg", photo)
    assert images.SECRET.encode() not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG" and "comment" not in kept.info
