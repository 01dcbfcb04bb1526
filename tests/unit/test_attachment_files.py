"""Attachments are judged by their bytes, and images leave with no camera metadata: generated files, no store."""

from __future__ import annotations

import io
import struct
import wave

import pytest
from PIL import Image

from services.contracts.attachments import AttachmentKind
from services.intake.attachment_files import (
    GPS_IFD,
    NotAccepted,
    UnreadableImage,
    prepare_image,
    sha256_hex,
    sniff,
    stored_file_name,
)

ORIENTATION = 0x0112
# Qingdao, Laixi: 36°52'30" N, 120°31'30" E.
GPS = {1: "N", 2: (36.0, 52.0, 30.0), 3: "E", 4: (120.0, 31.0, 30.0)}


def photo(fmt: str = "JPEG", *, size: tuple[int, int] = (800, 600), gps: dict[int, object] | None = None) -> bytes:
    """A generated photo with a camera's EXIF: GPS position, orientation 6 (turned 90°), a maker."""
    image = Image.new("RGB", size, (180, 40, 40))
    exif = image.getexif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update(GPS if gps is None else gps)
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def m4a() -> bytes:
    return struct.pack(">I", 24) + b"ftypM4A " + b"\x00\x00\x00\x00" + b"M4A isom" + b"\x00" * 64


SAMPLES = {
    "jpeg": (lambda: photo("JPEG"), "image/jpeg", AttachmentKind.IMAGE),
    "png": (lambda: photo("PNG"), "image/png", AttachmentKind.IMAGE),
    "heic": (lambda: photo("HEIF"), "image/heic", AttachmentKind.IMAGE),
    "pdf": (
        lambda: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "application/pdf",
        AttachmentKind.DOCUMENT,
    ),
    "mp3": (
        lambda: b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400,
        "audio/mpeg",
        AttachmentKind.AUDIO,
    ),
    "m4a": (m4a, "audio/mp4", AttachmentKind.AUDIO),
    "amr": (lambda: b"#!AMR\n" + b"\x3c" * 64, "audio/amr", AttachmentKind.AUDIO),
    "wav": (wav, "audio/wav", AttachmentKind.AUDIO),
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_accepted_types_are_known_by_their_bytes(name: str) -> None:
    make, media_type, kind = SAMPLES[name]
    accepted = sniff(make())
    assert (accepted.media_type, accepted.kind) == (media_type, kind)


@pytest.mark.parametrize(
    ("data", "looked_like"),
    [
        ("报修：路灯不亮，请尽快处理。\n".encode() * 20, "no known file type"),  # a text file named photo.jpg
        (b"PK\x03\x04" + b"\x00" * 100, "application/zip"),
        (b"MZ" + b"\x00" * 100, "application/x-msdownload"),
        (b"GIF89a" + b"\x00" * 100, "image/gif"),
        (b"", "no known file type"),
    ],
)
def test_other_bytes_are_refused_saying_what_they_looked_like(data: bytes, looked_like: str) -> None:
    with pytest.raises(NotAccepted, match=looked_like):
        sniff(data)


def test_a_photo_keeps_its_position_but_loses_its_exif_and_stays_upright() -> None:
    original = photo("JPEG")
    prepared = prepare_image(original, sniff(original), max_pixels=10**8)

    assert prepared.location is not None
    assert (prepared.location.latitude, prepared.location.longitude) == pytest.approx((36.875, 120.525))
    stored = Image.open(io.BytesIO(prepared.content))
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    assert b"Exif" not in prepared.content[:4096] and b"PhoneMaker" not in prepared.content
    assert stored.size == (600, 800)  # orientation 6 applied before the tag went
    thumbnail = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) == 320
    assert dict(thumbnail.getexif()) == {}


def test_heic_is_kept_as_jpeg_without_exif() -> None:
    original = photo("HEIF")
    prepared = prepare_image(original, sniff(original), max_pixels=10**8)
    assert prepared.media_type == "image/jpeg"
    assert prepared.location is not None and prepared.location.latitude == pytest.approx(36.875)
    stored = Image.open(io.BytesIO(prepared.content))
    assert stored.format == "JPEG" and dict(stored.getexif()) == {}


def test_a_png_stays_png_without_exif() -> None:
    original = photo("PNG")
    prepared = prepare_image(original, sniff(original), max_pixels=10**8)
    assert prepared.media_type == "image/png"
    assert dict(Image.open(io.BytesIO(prepared.content)).getexif()) == {}


@pytest.mark.parametrize(
    ("gps", "located"),
    [
        ({}, False),
        ({1: "S", 2: (33.0, 30.0, 0.0), 3: "W", 4: (70.0, 15.0, 0.0)}, (-33.5, -70.25)),
        ({1: "N", 2: (0.0, 0.0, 0.0)}, False),  # a latitude with no longitude is no position
        ({1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (1.0, 0.0, 0.0)}, False),  # not on Earth
    ],
)
def test_exif_positions(gps: dict[int, object], located: tuple[float, float] | bool) -> None:
    original = photo("JPEG", gps=gps)
    location = prepare_image(original, sniff(original), max_pixels=10**8).location
    if located is False:
        assert location is None
    else:
        assert location is not None and (location.latitude, location.longitude) == pytest.approx(located)


def test_too_many_pixels_and_broken_images_are_unreadable() -> None:
    big = photo("JPEG", size=(400, 300))
    with pytest.raises(UnreadableImage, match="more than 100000 pixels"):
        prepare_image(big, sniff(big), max_pixels=100_000)
    broken = photo("JPEG")[:300]
    with pytest.raises(UnreadableImage, match="not a readable image"):
        prepare_image(broken, sniff(broken), max_pixels=10**8)


@pytest.mark.parametrize(
    ("uploaded", "media_type", "kept"),
    [
        ("IMG_0001.HEIC", "image/jpeg", "IMG_0001.jpg"),
        ("C:\\Users\\me\\现场照片.jpeg", "image/jpeg", "现场照片.jpg"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        (None, "application/pdf", "attachment.pdf"),
        ("录音", "audio/amr", "录音.amr"),
    ],
)
def test_stored_file_names(uploaded: str | None, media_type: str, kept: str) -> None:
    sample = {"image/jpeg": "jpeg", "image/png": "png", "application/pdf": "pdf", "audio/amr": "amr"}[media_type]
    accepted = sniff(SAMPLES[sample][0]())
    assert stored_file_name(uploaded, accepted, media_type) == kept


def test_checksum_is_sha256_hex() -> None:
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_jpeg_with_a_corrupt_exif_block_is_unreadable_not_an_error() -> None:
    original = photo("JPEG")
    start = original.index(b"Exif\x00\x00") + 6
    corrupt = original[:start] + b"\xff" * 64 + original[start + 64 :]  # the TIFF header and first IFD garbled
    try:
        prepared = prepare_image(corrupt, sniff(corrupt), max_pixels=10**8)
    except UnreadableImage:
        return  # refused with 422: fine
    assert prepared.location is None  # or kept without a position it could not read
