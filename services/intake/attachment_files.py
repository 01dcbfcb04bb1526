"""What an uploaded file is, judged from its bytes (never its name), and images made fit to keep: the EXIF GPS
position read, then every EXIF/XMP block dropped (orientation applied first), HEIC converted to JPEG, a thumbnail.

Pure functions (CPU-bound: the routes run them in a thread); unit-tested on generated files.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import filetype
import pillow_heif
from PIL import Image, ImageOps

from services.contracts.attachments import AttachmentKind, AttachmentLocation

pillow_heif.register_heif_opener()

THUMBNAIL_PIXELS = 320
JPEG_QUALITY = 90
THUMBNAIL_QUALITY = 80
SNIFF_BYTES = 8192  # what `filetype` needs is 261; MP3s may start with an ID3 tag, still within this
GPS_IFD = 0x8825
# EXIF GPS tags: latitude reference ('N'/'S'), latitude (d, m, s), longitude reference ('E'/'W'), longitude.
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


@dataclass(frozen=True)
class AcceptedType:
    media_type: str
    kind: AttachmentKind
    extension: str


# `filetype`'s MIME names → what we store and answer. Anything else is refused.
ACCEPTED: dict[str, AcceptedType] = {
    "image/jpeg": AcceptedType("image/jpeg", AttachmentKind.IMAGE, "jpg"),
    "image/png": AcceptedType("image/png", AttachmentKind.IMAGE, "png"),
    "image/heic": AcceptedType("image/heic", AttachmentKind.IMAGE, "heic"),
    "image/heif": AcceptedType("image/heic", AttachmentKind.IMAGE, "heic"),
    "application/pdf": AcceptedType("application/pdf", AttachmentKind.DOCUMENT, "pdf"),
    "audio/mpeg": AcceptedType("audio/mpeg", AttachmentKind.AUDIO, "mp3"),
    "audio/mp4": AcceptedType("audio/mp4", AttachmentKind.AUDIO, "m4a"),
    "audio/aac": AcceptedType("audio/aac", AttachmentKind.AUDIO, "aac"),
    "audio/amr": AcceptedType("audio/amr", AttachmentKind.AUDIO, "amr"),
    "audio/x-wav": AcceptedType("audio/wav", AttachmentKind.AUDIO, "wav"),
}
ACCEPTED_NAMES = "JPEG, PNG, HEIC, PDF, MP3, M4A, AAC, AMR, WAV"


class NotAccepted(ValueError):
    """Bytes of a type we do not keep (or of no type we know)."""


class UnreadableImage(ValueError):
    """Bytes that start like an image but are not one we can open, or too many pixels."""


def sniff(head: bytes) -> AcceptedType:
    """The accepted type of a file from its first bytes; raises NotAccepted with what it looked like."""
    found = filetype.guess(head[:SNIFF_BYTES])
    accepted = ACCEPTED.get(found.mime) if found is not None else None
    if accepted is None:
        looked_like = found.mime if found is not None else "no known file type"
        raise NotAccepted(f"its bytes are {looked_like}; accepted: {ACCEPTED_NAMES}")
    return accepted


@dataclass(frozen=True)
class PreparedImage:
    content: bytes
    media_type: str
    thumbnail: bytes
    width: int
    height: int
    location: AttachmentLocation | None


def prepare_image(data: bytes, accepted: AcceptedType, *, max_pixels: int) -> PreparedImage:
    """The image as we keep it: EXIF location read, metadata stripped, HEIC as JPEG; and its thumbnail."""
    try:
        opened = Image.open(io.BytesIO(data))
        if opened.width * opened.height > max_pixels:
            raise UnreadableImage(f"{opened.width}×{opened.height} is more than {max_pixels} pixels")
        location = exif_location(opened.getexif())
        image = ImageOps.exif_transpose(opened)  # the picture stays upright once its orientation tag is gone
        image.load()
    except UnreadableImage:
        raise
    except Exception:  # untrusted bytes: Pillow's decoders raise many kinds of error on a malformed file
        raise UnreadableImage(f"the bytes look like {accepted.media_type} but are not a readable image") from None
    icc_profile = image.info.get("icc_profile")
    image.info = {}  # EXIF, XMP, comments: nothing of the camera's goes out
    as_png = accepted.media_type == "image/png"
    content = _encode(image, "PNG" if as_png else "JPEG", icc_profile=icc_profile)
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    return PreparedImage(
        content=content,
        media_type="image/png" if as_png else "image/jpeg",
        thumbnail=_encode(thumbnail, "JPEG", quality=THUMBNAIL_QUALITY),
        width=image.width,
        height=image.height,
        location=location,
    )


def _encode(image: Image.Image, fmt: str, *, icc_profile: bytes | None = None, quality: int = JPEG_QUALITY) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options["quality"] = quality
    image.save(out, format=fmt, **options)
    return out.getvalue()


def exif_location(exif: Image.Exif) -> AttachmentLocation | None:
    """The GPS position in an image's EXIF, or None when there is none or it is not a position on Earth."""
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF, "N"), negative="S")
        longitude = _degrees(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF, "E"), negative="W")
        return AttachmentLocation(latitude=latitude, longitude=longitude)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _degrees(value: tuple[float, float, float], reference: object, *, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    sign = -1 if str(reference).strip().upper().startswith(negative) else 1
    return round(sign * (degrees + minutes / 60 + seconds / 3600), 7)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_file_name(uploaded: str | None, accepted: AcceptedType, media_type: str) -> str:
    """The name shown and offered on download: the client's own (no path, at most 200 characters), its extension
    made to fit what the bytes are now (`IMG_1.HEIC` converted → `IMG_1.jpg`)."""
    name = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(char for char in name if char.isprintable())[:200] or "attachment"
    stem, dot, _extension = name.rpartition(".")
    stem = stem if dot else name
    extension = "jpg" if media_type == "image/jpeg" else "png" if media_type == "image/png" else accepted.extension
    return f"{stem}.{extension}"
