"""Visit photos: checked by decoding them (:func:`problem`), and stored without their metadata — GPS
position, time, camera serial, comments (:func:`strip_metadata`).

A phone writes where it stood (the person's home) and which device it is into every photo; the
visit record already says where and when, so the copy kept needs none of it (data minimisation).
What is kept is listed, not what is dropped: the picture and what shows it as taken (a JPEG's JFIF
header, colour profile and Adobe colour marker; a PNG's or WebP's colour, transparency and animation
chunks) — anything else, a Content Credentials (C2PA) manifest that can name the place, a maker's own
segment, goes with the Exif, XMP and comments. Only the JPEG orientation survives, so a portrait photo
still shows upright. A JPEG is kept up to the
end of its picture: what a phone appends after it — the second picture of a Multi-Picture file (an
Ultra HDR gain map, a depth map) with an Exif of its own, a maker's trailer — is dropped, with the index
(APP2 ``MPF``) that pointed to it. A file whose structure cannot be followed (fill bytes before a marker,
bytes between segments, a PNG short of its last checksum: all decoded by Pillow) is drawn again by
Pillow without any metadata (:func:`_redrawn`) — it was kept as it came, GPS position and all.
"""

from __future__ import annotations

import io
import re
import struct
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 6
PHOTO_MAX_PIXELS = 60_000_000  # beyond any phone camera: a "decompression bomb"
# MPO: a JPEG with more pictures after its own (Multi-Picture Format; Ultra HDR, dual cameras)
FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# what Pillow raises for a file it cannot read as an image (truncated, corrupt, a bomb)
_UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombWarning,
)
BROKEN = "照片文件已损坏或不完整（无法作为图片打开），请重新选择原图"
TOO_MANY_PIXELS = f"照片像素过多（超过 {PHOTO_MAX_PIXELS // 1_000_000} 百万像素）"
# JPEG application segments (APP0-APP15) and comments (COM) are dropped but for these, by the start of
# their payload: the JFIF header, the colour profile, Adobe's colour transform. Exif and XMP (APP1),
# the Multi-Picture index (APP2 ``MPF``), Photoshop/IPTC (APP13), C2PA (APP11), makers' own all go.
_JPEG_KEEP = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_APP0, _APP15, _COM = 0xE0, 0xEF, 0xFE
# The next marker after entropy-coded data: 0xFF (after any fill 0xFFs) not followed by a stuffed 0x00
# or a restart marker (0xD0-0xD7), which belong to the data.
_NEXT_MARKER = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")
# The PNG chunks kept: the picture, its colour and transparency, its animation (APNG). Text, Exif, time,
# C2PA (``caBX``) and any private chunk are not.
_PNG_KEEP = {
    *(b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB"),
    *(b"cICP", b"mDCv", b"cLLi", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT"),
}
# The WebP chunks kept: the picture, its alpha, colour profile, animation. Not EXIF, XMP, C2PA, others.
_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP", b"ANIM", b"ANMF"}
_ORIENTATION = 0x0112


def problem(data: bytes) -> str:
    """Why ``data`` is no photo to keep, in Chinese ("" when it decodes as a JPEG, PNG or WebP image).

    The whole image is decoded (a JPEG at an eighth of its size: every byte of its scan is still read),
    so a file with an image's first bytes and anything else after them is refused.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns of a damaged Exif ("Corrupt EXIF data") and still shows the picture: no reason
            # to refuse it (the Exif is not kept). A decompression bomb is one.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS:
                    return "只能上传 JPEG、PNG 或 WebP 照片"
                if image.width * image.height > PHOTO_MAX_PIXELS:
                    return TOO_MANY_PIXELS
                if FORMATS[image.format] == "image/jpeg":
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except Image.DecompressionBombError:  # twice Pillow's limit: refused by Image.open itself
        return TOO_MANY_PIXELS
    except _UNREADABLE:
        return BROKEN
    return ""


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """The photo without its metadata (``content_type`` as found by its magic bytes)."""
    strip = {"image/jpeg": _jpeg, "image/png": _png, "image/webp": _webp}.get(content_type)
    if strip is None:
        return data
    try:
        return strip(data)
    except (IndexError, ValueError, struct.error):
        pass
    try:
        return _redrawn(data)
    except (*_UNREADABLE, Image.DecompressionBombError, KeyError):
        return data  # no picture at all: :func:`problem` refuses it, nothing of it is stored


def _redrawn(data: bytes) -> bytes:
    """The picture of ``data`` saved anew in its format with no metadata at all; a JPEG turned upright
    first (its orientation is not kept) and saved at a quality that shows no loss on a phone — without
    its comment, which Pillow otherwise writes back from the photo read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as image:
            kind = "JPEG" if FORMATS[image.format] == "image/jpeg" else image.format
            upright = ImageOps.exif_transpose(image) if kind == "JPEG" else image
            out = io.BytesIO()
            upright.save(out, kind, **({"quality": 92, "comment": b""} if kind == "JPEG" else {}))
    return out.getvalue()


def _orientation(exif: bytes) -> int:
    """The Orientation tag of an APP1 Exif payload (1 when absent, or when the Exif cannot be read: an
    editing app's damaged Exif is dropped like any other, not a reason to keep the file as it came)."""
    if not exif.startswith(b"Exif\x00\x00"):
        return 1
    try:
        return _orientation_tag(exif[6:])
    except (IndexError, ValueError, struct.error):
        return 1


def _orientation_tag(tiff: bytes) -> int:
    """The Orientation tag of the first IFD of an Exif's TIFF structure (1 when absent)."""
    order = "<" if tiff[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for i in range(count):
        tag, kind, _n, value = struct.unpack(order + "HHI4s", tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i])
        if tag == _ORIENTATION and kind == 3:
            return int(struct.unpack(order + "H", value[:2])[0])
    return 1


def _orientation_segment(orientation: int) -> bytes:
    """An APP1 segment holding nothing but the orientation."""
    ifd = struct.pack(">H", 1) + struct.pack(">HHIH2x", _ORIENTATION, 3, 1, orientation) + b"\0\0\0\0"
    payload = b"Exif\x00\x00" + b"MM\x00*" + struct.pack(">I", 8) + ifd
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _jpeg(data: bytes) -> bytes:
    out, pos, orientation = [data[:2]], 2, 1
    while True:
        if data[pos] != 0xFF:
            raise ValueError("not a marker")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the image data follows, to the end
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos : pos + 2 + length]
        if len(segment) != 2 + length:
            raise ValueError("truncated")
        if marker == 0xE1:
            orientation = max(orientation, _orientation(segment[4:]))
        if _jpeg_kept(marker, segment[4:]):
            out.append(segment)
        pos += 2 + length
    if orientation != 1:  # after the JFIF header, which must come first
        out.insert(2 if out[1:2] and out[1].startswith(b"\xff\xe0") else 1, _orientation_segment(orientation))
    return b"".join(out) + data[pos : _end_of_picture(data, pos)]


def _jpeg_kept(marker: int, payload: bytes) -> bool:
    """Whether a JPEG segment before the first scan is kept: any but an application segment or comment,
    and of those only what :data:`_JPEG_KEEP` names."""
    if marker == _COM:
        return False
    if not _APP0 <= marker <= _APP15:
        return True
    return marker in _JPEG_KEEP and payload.startswith(_JPEG_KEEP[marker])


def _end_of_picture(data: bytes, pos: int) -> int:
    """Where the picture whose first scan starts at ``pos`` ends (after its EOI marker): each scan's
    entropy-coded data runs to the next marker; a progressive JPEG has tables and scans after it."""
    while (marker := data[pos + 1]) != 0xD9:
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
        if marker == 0xDA:  # a scan: its data follows its header, up to the next marker
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                raise ValueError("no end of image")
            pos = found.end() - 2
        elif data[pos] != 0xFF:
            raise ValueError("not a marker")
    return pos + 2


def _png(data: bytes) -> bytes:
    out, pos = [data[:8]], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos : pos + 12 + length]
        if len(chunk) != 12 + length:
            raise ValueError("truncated")
        if kind in _PNG_KEEP:
            out.append(chunk)
        pos += 12 + length
        if kind == b"IEND":
            break
    return b"".join(out)


def _webp(data: bytes) -> bytes:
    out, pos = [], 12
    while pos < len(data):
        kind = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunk = data[pos : pos + 8 + size + (size & 1)]
        if len(chunk) < 8 + size:
            raise ValueError("truncated")
        if kind == b"VP8X":  # the flags say which metadata chunks follow: none now
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]
        if kind in _WEBP_KEEP:
            out.append(chunk)
        pos += len(chunk)
    body = b"WEBP" + b"".join(out)
    return b"RIFF" + struct.pack("<I", len(body)) + body
