"""The lesson packs the ward hands out, and the lessons a record may name."""
import logging
from pathlib import Path

from fastapi import HTTPException

from lessons.pack import PackError
from sync.packs import encode_pack
from sync.server.catalog import LessonCatalog, builtin_catalog

log = logging.getLogger(__name__)


class PackSource:
    """The signed lesson pack the server hands out, re-read only when its signature changes, and the
    lessons a record may name: the built-in packs and the served folders' (signed yet or not).

    A pack published to one venue (from the dashboard) lives in ``venue_folder(venue_id)`` and
    is handed to that venue's kiosks instead of the served folder's."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._cached: dict[Path, tuple[float, str, bytes]] = {}
        self._catalog: tuple[tuple, LessonCatalog] | None = None

    def _mtime(self, path: Path) -> float | None:
        try:
            return path.stat().st_mtime
        except OSError:
            return None

    def venue_folder(self, venue_id: str) -> Path:
        return self.folder.with_name(self.folder.name + "-venues") / venue_id

    def _venue_folders(self) -> list[Path]:
        try:
            return sorted(self.folder.with_name(self.folder.name + "-venues").iterdir())
        except OSError:
            return []

    def current(self, venue_id: str | None = None) -> tuple[str, bytes]:
        """(ETag, body) of the venue's pack, else the served one; 404 when the server has no signed pack to give,
        503 when the one it has cannot be read safely (kiosks keep their last good pack and retry later)."""
        folder = self.folder
        if folder is not None and venue_id and self._mtime(self.venue_folder(venue_id) / "signature.json"):
            folder = self.venue_folder(venue_id)
        stamp = self._mtime(folder / "signature.json") if folder else None
        if stamp is None:
            raise HTTPException(404, "this ward server has no signed lesson pack")
        if folder not in self._cached or self._cached[folder][0] != stamp:
            try:
                self._cached[folder] = (stamp, *encode_pack(folder))
            except (PackError, ValueError, OSError) as exc:  # a link planted in the folder, a file gone…
                log.error("packs: the lesson pack in %s cannot be served: %s", folder, exc)
                raise HTTPException(503, "the ward's lesson pack cannot be served now") from None
        return self._cached[folder][1], self._cached[folder][2]

    def catalog(self) -> LessonCatalog:
        if self.folder is None:
            return builtin_catalog()
        folders = [self.folder, *self._venue_folders()]
        stamp = tuple((self._mtime(f), self._mtime(f / "signature.json")) for f in folders)
        if self._catalog is None or self._catalog[0] != stamp:
            self._catalog = (stamp, builtin_catalog().merged(LessonCatalog.from_folders(folders)))
        return self._catalog[1]
