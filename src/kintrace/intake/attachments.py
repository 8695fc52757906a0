"""Uploaded images (photos of remains, of tattoos and effects, scanned letters and capture
cards), made safe to keep: shared by the forensic pages, casework and the sources' importers.

A photo from a phone carries its EXIF: the GPS position where it was taken, the device, the
owner's name, a thumbnail of the uncropped original. Deleting tags one by one misses some, so
the image is decoded and encoded again from its pixels alone; nothing but the picture survives.
Orientation is applied to the pixels first, so the clean copy still stands upright.

Pure: Pillow only. The caller stores ``CleanImage.data`` in its own sealed column
(``EncryptedBytes``) and audits every opening.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["MAX_BYTES", "MAX_PIXELS", "AttachmentRefused", "CleanImage", "clean_image"]

# A scanned A4 page at 300 dpi in JPEG is 1-3 MB; a phone photo 3-8 MB.
MAX_BYTES = 10 * 1024 * 1024
# Refuse decompression bombs before decoding: 50 megapixels is beyond any phone camera sold.
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF", "MPO"})


class AttachmentRefused(Exception):
    """An upload we will not keep. ``reason`` is a stable code the adapters turn into a sentence
    in the reader's language; the message is an English sentence with no personal data."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def clean_image(raw: bytes) -> CleanImage:
    """Decode ``raw`` and re-encode its pixels (JPEG, or PNG when it has transparency),
    dropping EXIF, XMP, ICC profiles, comments and thumbnails."""
    if not raw:
        raise AttachmentRefused("empty", "The file is empty.")
    if len(raw) > MAX_BYTES:
        raise AttachmentRefused("too_large", "The file is larger than 10 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in ACCEPTED_FORMATS:
                    raise AttachmentRefused(
                        "not_image", "The file is not a JPEG, PNG, WebP or TIFF image."
                    )
                if width * height > MAX_PIXELS:
                    raise AttachmentRefused("too_large", "The image has too many pixels.")
                probe.load()
                upright = ImageOps.exif_transpose(probe)
    except AttachmentRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise AttachmentRefused(
            "not_image", "The file is not a JPEG, PNG, WebP or TIFF image."
        ) from None
    except Image.DecompressionBombWarning:
        raise AttachmentRefused("too_large", "The image has too many pixels.") from None

    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    # A fresh image from the pixels alone: no info dict, no EXIF, no ICC, no thumbnail.
    mode = "RGBA" if has_alpha else ("L" if upright.mode in {"1", "L", "I;16", "I"} else "RGB")
    pixels = upright.convert(mode)
    bare = Image.new(mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if has_alpha:
        bare.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        bare.save(out, format="JPEG", quality=90)
        content_type = "image/jpeg"
    data = out.getvalue()
    return CleanImage(
        data=data,
        content_type=content_type,
        width=bare.width,
        height=bare.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
