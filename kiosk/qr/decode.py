"""Read QR codes from a grey camera frame: the cheapest try first, more only on a miss.

A kiosk camera sees a printed card held by a shaking hand: tilted, out of focus, in a dim café or
under a lamp's glare. One library call misses many such frames, so on a miss the frame is tried
again in other forms, cheapest first, and the first form that reads wins:

1. zxing-cpp on the frame as it is, when installed (about 1 ms; it rotates, inverts and downscales
   by itself);
2. zbar on the frame halved (a quarter of the pixels: faster, and halving averages away noise and
   blur), then on a local-mean threshold of it (glare and low light), then at full size (dense
   codes), then inverted (light-on-dark codes);
3. a small frame doubled, for both engines (codes whose modules are one or two pixels wide).

``bench/qr.py`` measures the order: on the shared samples plus synthetic camera frames it reads
more than either library alone, at a median time below plain pyzbar's.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image, ImageFilter

from kiosk.qr.engines import Engine, Symbol, available_engines

HALVE_FROM = 400     # px, shorter side: halving smaller frames loses codes
DOUBLE_UP_TO = 640   # px, longer side: doubling bigger frames costs too much for a live camera
THRESHOLD_OFFSET = 4  # grey levels below the local mean that count as dark
MAX_PIXELS = 4096 * 4096  # larger images are refused rather than stalling the worker


@dataclass(frozen=True)
class Code:
    """One QR code read from a frame, with the engine and the form of the frame that read it."""

    text: str
    raw: bytes
    engine: str
    step: str


def _halved(grey: np.ndarray) -> np.ndarray | None:
    if min(grey.shape) < HALVE_FROM:
        return None
    return np.asarray(Image.fromarray(grey).reduce(2))


def _doubled(grey: np.ndarray) -> np.ndarray | None:
    if max(grey.shape) > DOUBLE_UP_TO:
        return None
    height, width = grey.shape
    return np.asarray(Image.fromarray(grey).resize((width * 2, height * 2), Image.BILINEAR))


def _thresholded(grey: np.ndarray) -> np.ndarray:
    """Black where a pixel is darker than its neighbourhood's mean: evens out glare and dim light.

    The neighbourhood is about a sixteenth of the frame's shorter side, wider than a module of any
    code that fills a good part of the frame; Pillow's box blur costs the same at any radius.
    """
    radius = max(2, min(grey.shape) // 16)
    mean = np.asarray(Image.fromarray(grey).filter(ImageFilter.BoxBlur(radius)), dtype=np.int16)
    return np.where(grey.astype(np.int16) < mean - THRESHOLD_OFFSET, 0, 255).astype(np.uint8)


class _Forms:
    """The forms of one frame, each made once and only when a step asks for it."""

    def __init__(self, grey: np.ndarray) -> None:
        self._made: dict[str, np.ndarray | None] = {"plain": grey}

    def get(self, name: str) -> np.ndarray | None:
        if name not in self._made:
            self._made[name] = _MAKERS[name](self)
        return self._made[name]


_MAKERS: dict[str, Callable[[_Forms], np.ndarray | None]] = {
    "half": lambda forms: _halved(forms.get("plain")),
    "threshold": lambda forms: _thresholded(forms.get("half") if forms.get("half") is not None else forms.get("plain")),
    "inverted": lambda forms: 255 - forms.get("plain"),
    "double": lambda forms: _doubled(forms.get("plain")),
}

# (engine name, form) in the order tried; steps for an engine that is not installed are skipped.
CASCADE = (
    ("zxing", "plain"),
    ("zbar", "half"),
    ("zbar", "threshold"),
    ("zbar", "plain"),
    ("zbar", "inverted"),
    ("zxing", "double"),
    ("zbar", "double"),
)


def as_grey(image: np.ndarray) -> np.ndarray:
    """A C-contiguous uint8 (height, width) array from a grey, RGB or RGBA array.

    Raises ``ValueError`` for anything else (wrong rank, empty, absurdly large).
    """
    if image.ndim == 3 and image.shape[2] in (3, 4):
        rgb = image[..., :3].astype(np.uint16)
        image = ((rgb[..., 0] * 77 + rgb[..., 1] * 150 + rgb[..., 2] * 29) >> 8)  # ITU-R BT.601 luma
    if image.ndim != 2 or min(image.shape) < 1:
        raise ValueError(f"not an image: shape {image.shape}")
    if image.size > MAX_PIXELS:
        raise ValueError(f"image too large: {image.shape[1]}×{image.shape[0]}")
    return np.ascontiguousarray(image, dtype=np.uint8)


def decode(image: np.ndarray, engines: tuple[Engine, ...] | None = None) -> list[Code]:
    """Every QR code the first successful step reads in ``image`` (grey or colour); [] if none."""
    grey = as_grey(image)
    engines = engines if engines is not None else _default_engines()
    by_name = {engine.name: engine for engine in engines}
    forms = _Forms(grey)
    for engine_name, form in CASCADE:
        engine = by_name.get(engine_name)
        frame = forms.get(form) if engine is not None else None
        if frame is None:
            continue
        symbols: list[Symbol] = engine.read(frame)
        if symbols:
            return _unique([Code(s.text, s.raw, engine_name, form) for s in symbols])
    return []


def _unique(codes: list[Code]) -> list[Code]:
    seen: set[str] = set()
    return [c for c in codes if not (c.text in seen or seen.add(c.text))]


_ENGINES: tuple[Engine, ...] | None = None


def _default_engines() -> tuple[Engine, ...]:
    global _ENGINES
    if _ENGINES is None:
        _ENGINES = available_engines()
    return _ENGINES

