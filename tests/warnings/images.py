"""Real photos for the field-work tests, made with Pillow (the upload decodes every photo)."""

from __future__ import annotations

import io

from PIL import Image

SECRET = "GPS 30.2741N 120.1551E"


def png(size: tuple[int, int] = (16, 12), text: str = "") -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if text:
        info.add_text("Location", text)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg(orientation: int = 1, secret: str = "", comment: bytes = b"") -> bytes:
    """A JPEG whose Exif holds the orientation and (as its description) ``secret``, with a comment."""
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    if secret:
        exif[0x010E] = secret
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 90, 160)).save(out, "JPEG", exif=exif.tobytes(), comment=comment)
    return out.getvalue()
