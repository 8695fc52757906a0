"""Uploaded photos and scans keep only their pixels: the place where a phone took the photo,
the device and the owner never reach our storage."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kintrace.intake.attachments import MAX_BYTES, AttachmentRefused, clean_image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
ARTIST = 0x013B


def _phone_photo(*, orientation: int = 1, size: tuple[int, int] = (40, 20)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ARTIST] = "Synthetic Owner"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"synthetic comment")
    return out.getvalue()


def test_a_phone_photo_loses_its_gps_position_and_owner_but_keeps_its_picture() -> None:
    raw = _phone_photo()
    assert b"Synthetic Owner" in raw
    clean = clean_image(raw)
    assert clean.content_type == "image/jpeg"
    assert b"Synthetic Owner" not in clean.data and b"synthetic comment" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as kept:
        assert not kept.getexif()
        assert kept.size == (40, 20)
        red, green, _blue = kept.convert("RGB").getpixel((5, 5))
        assert red > 150 and green < 80


def test_a_photo_taken_sideways_is_stored_upright_once_its_exif_is_gone() -> None:
    clean = clean_image(_phone_photo(orientation=6))
    assert (clean.width, clean.height) == (20, 40)


def test_a_transparent_png_stays_a_png_without_its_text_chunks() -> None:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Synthetic Owner")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    clean = clean_image(out.getvalue())
    assert clean.content_type == "image/png"
    assert b"Synthetic Owner" not in clean.data


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 not an image", "not_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not_image"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "not_image"),
        (b"x" * (MAX_BYTES + 1), "too_large"),
    ],
)
def test_anything_but_a_readable_image_is_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(AttachmentRefused) as refused:
        clean_image(raw)
    assert refused.value.reason == reason


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    with pytest.raises(AttachmentRefused) as refused:
        clean_image(out.getvalue())
    assert refused.value.reason == "too_large"
