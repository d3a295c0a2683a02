"""Text normalisation shared by every place that stores, compares or hashes lesson text.

Vietnamese can be written with precomposed letters (NFC) or with combining marks (NFD); they look
the same on screen but compare and hash differently, so everything is normalised to NFC on the way in.
"""
import unicodedata


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C."""
    return unicodedata.normalize("NFC", text)
