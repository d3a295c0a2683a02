"""The overview's figures, kept so a page never waits for the sums once they exist.

The first request for a period computes its tables (the roll-ups refreshed first). Later requests
get the kept tables at once; when they may be behind (older than ``max_age_s``), one background
thread refreshes the roll-ups and, if they changed, computes the tables again for the next request.
So the figures are at most about ``max_age_s`` plus one computation behind the records, and the page
and its CSV exports read the same kept tables.
"""
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from sync.server import rollup, stats
from sync.server.db import utcnow

log = logging.getLogger(__name__)
MAX_PERIODS = 32


@dataclass(frozen=True)
class Figures:
    tables: dict[str, stats.Table]
    learners: int
    as_of: dt.datetime
    version: tuple


class FigureKeeper:
    def __init__(self, sessions: sessionmaker, max_age_s: float) -> None:
        self._sessions = sessions
        self._max_age_s = max_age_s
        self._kept: dict[tuple[dt.date, dt.date], tuple[float, Figures]] = {}  # with time.monotonic() checked
        self._lock = threading.Lock()
        self._updating = False

    def get(self, session: Session, period: stats.Period) -> Figures:
        key = (period.start, period.end)
        kept = self._kept.get(key)
        if kept is None:
            return self._compute(session, period)
        if time.monotonic() - kept[0] >= self._max_age_s:
            with self._lock:
                start, self._updating = not self._updating, True
            if start:
                threading.Thread(target=self._update, args=(period,), name="ward-figures", daemon=True).start()
        return kept[1]

    def _compute(self, session: Session, period: stats.Period) -> Figures:
        checked = time.monotonic()
        rollup.refresh(session)
        version = rollup.version(session)
        kept = self._kept.get((period.start, period.end))
        if kept is not None and kept[1].version == version:
            figures = kept[1]
        else:
            figures = Figures({name: query(session, period) for name, query in stats.TABLES.items()},
                              stats.learners_reached(session, period), utcnow(), version)
        if len(self._kept) >= MAX_PERIODS:
            self._kept.clear()
        self._kept[(period.start, period.end)] = (checked, figures)
        return figures

    def _update(self, period: stats.Period) -> None:
        try:
            with self._sessions() as session:
                self._compute(session, period)
        except Exception:  # the thread must not die silently; the next request tries again
            log.exception("the overview's figures could not be brought up to date")
        finally:
            self._updating = False
