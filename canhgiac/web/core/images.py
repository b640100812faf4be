"""Photos from citizens: check they are images, drop their metadata, keep them small.

Re-encoding is what strips EXIF (camera, time and GPS position): the file stored is a
new JPEG made from the pixels alone. A place is kept only when the reporter chooses to
share it, separately from the photo.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


class ImageRejected(ValueError):
    """A clear reason, in Vietnamese, why a photo was refused."""


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    width: int
    height: int


def clean_image(raw: bytes, max_bytes: int) -> CleanImage:
    if len(raw) > max_bytes:
        raise ImageRejected(f"Ảnh quá lớn (tối đa {max_bytes // 1_000_000} MB).")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ImageRejected("Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ImageRejected("Ảnh có kích thước quá lớn.")
                probe.verify()
            with Image.open(io.BytesIO(raw)) as image:
                image.load()
                picture = image.convert("RGB")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("Ảnh có kích thước quá lớn.") from exc
        except ImageRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ImageRejected("Tệp không phải là ảnh hợp lệ.") from exc
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)
    return CleanImage(out.getvalue(), picture.width, picture.height)
