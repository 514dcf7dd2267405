"""Product thumbnails from the local image cache only (`<data>/images/<sku>.<png|jpg|webp>`).

Nothing is fetched from the internet here. An image is decoded with its format pinned and a small
allocation limit (docs/reliability.md, Untrusted input); anything missing or odd gets a placeholder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImageReader, QPainter, QPen, QPixmap

SIZE = 40
_FORMATS = {".png": b"png", ".jpg": b"jpeg", ".jpeg": b"jpeg", ".webp": b"webp"}
_MAX_BYTES = 5_000_000
_ALLOCATION_LIMIT_MB = 64


def find(images_dir: Path | None, sku: int) -> Path | None:
    if images_dir is None:
        return None
    for suffix in _FORMATS:
        candidate = images_dir / f"{sku}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def load(path: Path, size: int = SIZE) -> QPixmap | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
    except OSError:
        return None
    reader = QImageReader(str(path), _FORMATS.get(path.suffix.lower(), b""))
    reader.setAllocationLimit(_ALLOCATION_LIMIT_MB)
    reader.setDecideFormatFromContent(False)
    original = reader.size()
    if original.isValid() and not original.isEmpty():
        reader.setScaledSize(original.scaled(QSize(size, size), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None
    return QPixmap.fromImage(image)


def placeholder(size: int = SIZE) -> QPixmap:
    """A plain box: the product has no cached picture."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#9e9e9e"), 1.5))
    painter.setBrush(QColor("#eeeeee"))
    inset = size // 8
    painter.drawRoundedRect(inset, inset, size - 2 * inset, size - 2 * inset, 4, 4)
    painter.drawLine(inset, size // 2 - inset, size - inset, size // 2 - inset)  # the box's lid
    painter.end()
    return pixmap
