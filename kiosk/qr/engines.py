"""The QR reading libraries behind one call: ``engine.read(grey) -> list[bytes | str]``.

zbar (through pyzbar's ctypes bindings, Debian ``libzbar0``) is always there. It is asked for QR
only and in binary mode (``ZBAR_CFG_BINARY``, zbar ≥ 0.22): left to itself zbar guesses the
character set of a QR code without an ECI marker and turns UTF-8 Vietnamese such as "Bác hãy quét
mã" into "B獺c h瓊y qu矇t m瓊", so the raw bytes are taken and decoded here (``bytes_to_text``).
pyzbar's own ``decode()`` cannot set that option and builds a new scanner per call, so the scanner
is made once per thread (zbar scanners are not thread-safe).

zxing-cpp is optional (``pip install zxing-cpp``): when importable it is used too; it reads
inverted, small and damaged codes that zbar misses, and it handles ECI and Shift-JIS itself.
"""
import ctypes
import logging
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from pyzbar import wrapper as zbar

log = logging.getLogger(__name__)

# zbar.h, enum zbar_config_e (zbar 0.23): pyzbar 0.1.9 predates ZBAR_CFG_BINARY.
_CFG_ENABLE = 0
_CFG_BINARY = 4
_Y800 = int.from_bytes(b"Y800", "little")  # zbar's fourcc for one grey byte per pixel
_CHARSETS = ("utf-8", "shift_jis", "big5", "cp1252", "latin-1")


def bytes_to_text(raw: bytes) -> str:
    """The text of a QR payload: UTF-8 when it is valid UTF-8, else the common QR charsets in turn.

    Shift-JIS comes next because Japanese phones write it without an ECI marker; latin-1 never
    fails, so this always returns.
    """
    for charset in _CHARSETS:
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


@dataclass(frozen=True)
class Symbol:
    """One code an engine found: its text and raw bytes."""

    text: str
    raw: bytes


class Engine(Protocol):
    name: str

    def read(self, grey: np.ndarray) -> list[Symbol]:
        """Every QR code in a C-contiguous uint8 image of shape (height, width)."""


class ZbarEngine:
    """zbar's QR reader, binary mode, one scanner per thread."""

    name = "zbar"

    def __init__(self) -> None:
        self._local = threading.local()

    def _scanner(self):
        scanner = getattr(self._local, "scanner", None)
        if scanner is None:
            scanner = zbar.zbar_image_scanner_create()
            if not scanner:
                raise MemoryError("zbar could not create a scanner")
            zbar.zbar_image_scanner_set_config(scanner, zbar.ZBarSymbol.NONE, _CFG_ENABLE, 0)
            zbar.zbar_image_scanner_set_config(scanner, zbar.ZBarSymbol.QRCODE, _CFG_ENABLE, 1)
            zbar.zbar_image_scanner_set_config(scanner, zbar.ZBarSymbol.QRCODE, _CFG_BINARY, 1)
            self._local.scanner = scanner
        return scanner

    def read(self, grey: np.ndarray) -> list[Symbol]:
        height, width = grey.shape
        pixels = grey.tobytes()
        image = zbar.zbar_image_create()
        try:
            zbar.zbar_image_set_format(image, _Y800)
            zbar.zbar_image_set_size(image, width, height)
            zbar.zbar_image_set_data(image, ctypes.cast(pixels, ctypes.c_void_p), len(pixels), None)
            if zbar.zbar_scan_image(self._scanner(), image) <= 0:
                return []
            found = []
            symbol = zbar.zbar_image_first_symbol(image)
            while symbol:
                raw = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
                found.append(Symbol(bytes_to_text(raw), raw))
                symbol = zbar.zbar_symbol_next(symbol)
            return found
        finally:
            zbar.zbar_image_destroy(image)


class ZxingEngine:
    """zxing-cpp's QR reader with its own rotation, inversion and downscaling tries."""

    name = "zxing"

    def __init__(self, module) -> None:
        self._zxing = module

    def read(self, grey: np.ndarray) -> list[Symbol]:
        found = self._zxing.read_barcodes(grey, formats=self._zxing.BarcodeFormat.QRCode,
                                          text_mode=self._zxing.TextMode.Plain)
        return [Symbol(code.text, bytes(code.bytes)) for code in found]


def available_engines() -> tuple[Engine, ...]:
    """zxing-cpp first when installed (faster and more tolerant), then zbar."""
    engines: list[Engine] = []
    try:
        import zxingcpp
    except ImportError:
        log.info("zxing-cpp is not installed; reading QR codes with zbar only")
    else:
        engines.append(ZxingEngine(zxingcpp))
    engines.append(ZbarEngine())
    return tuple(engines)
