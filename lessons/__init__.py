"""Lesson content, its schema and the engine that plays it.

Plain Python (pydantic and yaml; cryptography for pack signatures): the kiosk renders what this
package decides, and the ward server reads the same schema to serve packs. Never imports Kivy,
sync or the network.
"""
from pathlib import Path

BUILTIN_PACKS = Path(__file__).parent / "packs"
PICTURES = Path(__file__).parent / "pictures"  # illustrations shared by every pack (lessons/pictures/SOURCES.md)
