"""The staff PIN: which PINs are too easy to set, and the lockout that survives a restart.

The kiosk stands in public, so whoever walks up may try PINs at leisure. Five wrong tries lock the
keypad; each further lockout lasts longer (5 min, 15 min, 1 h, 4 h, then 24 h each time), and the
count of wrong tries, the lockout number and its end are kept in a small file in the data
directory, so pulling the plug gives no fresh tries. The end is wall-clock time, because a restart
resets the monotonic clock; a Pi has no clock battery, so when the clock jumps back the wait is
capped at that lockout's own length instead of lasting until the clock catches up.

A PIN anyone would try first (0000, 1234, 4321, 1212) is refused when the settings are
read: such a PIN would make the lockout pointless. Years (1975, 2024) are allowed.
"""
import hmac
import json
import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Literal

from sync.atomic_storage import write_atomically

log = logging.getLogger(__name__)

MAX_TRIES = 5
LOCKOUTS_S = (5 * 60, 15 * 60, 60 * 60, 4 * 60 * 60, 24 * 60 * 60)  # the last one repeats
STATE_FILE = "staff-lockout.json"
MAX_STATE_BYTES = 4096  # the state is about 60 bytes; more is damage

PinResult = Literal["open", "wrong", "locked", "no_pin"]


def weak_pin_reason(pin: str) -> str | None:
    """Why ``pin`` is too easy to guess, or None when it will do. Never repeats the PIN itself."""
    digits = [int(d) for d in pin]
    steps = {(b - a) % 10 for a, b in zip(digits, digits[1:])}
    if len(steps) == 1 and steps <= {0, 1, 9}:
        return "it is one digit repeated or a run of digits in order, the first PINs anyone tries"
    if any(len(pin) % period == 0 and pin == pin[:period] * (len(pin) // period) for period in range(1, len(pin) // 2 + 1)):
        return "it is a short group of digits repeated, easy to guess"
    return None


def lockout_s(number: int) -> int:
    """How long the ``number``-th lockout in a row lasts (1 is the first)."""
    return LOCKOUTS_S[min(number, len(LOCKOUTS_S)) - 1]


@dataclass
class LockoutState:
    wrong: int = 0  # wrong tries since the last lockout or the last right PIN
    lockouts: int = 0  # lockouts in a row since the last right PIN
    locked_until: float = 0.0  # wall-clock seconds

    @classmethod
    def load(cls, path: Path | None) -> "LockoutState":
        """The saved state; a missing file is a fresh start, a damaged one is read as locked once more."""
        if path is None:
            return cls()
        try:
            with open(path, "rb") as handle:
                data = json.loads(handle.read(MAX_STATE_BYTES))
            state = cls(int(data["wrong"]), int(data["lockouts"]), float(data["locked_until"]))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            log.error("staff: the PIN lockout file %s cannot be read (%s); the keypad is locked as after "
                      "%d wrong PINs", path, exc, MAX_TRIES)
            return cls(lockouts=-1)  # the caller locks at once
        if not (0 <= state.wrong < MAX_TRIES and state.lockouts >= 0 and math.isfinite(state.locked_until)):
            log.error("staff: the PIN lockout file %s holds impossible values; the keypad is locked", path)
            return cls(lockouts=-1)
        return state


class PinGate:
    """Checks the staff PIN; ``MAX_TRIES`` wrong ones in a row lock it for ever longer.

    ``state_file`` keeps the lockout across restarts (None keeps it in memory only); ``clock`` is
    wall-clock seconds, injectable for tests.
    """

    def __init__(self, pin: str | None, state_file: Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._pin = pin or None
        self._file = state_file
        self._clock = clock
        self._state = LockoutState.load(state_file)
        if self._state.lockouts < 0:
            self._state = LockoutState()
            self._lock()

    @property
    def configured(self) -> bool:
        return self._pin is not None

    @property
    def tries_left(self) -> int:
        return MAX_TRIES - self._state.wrong

    def seconds_left(self) -> float:
        """Seconds of the lockout still to run (0 when not locked), never more than the lockout's
        own length, whatever the wall clock did meanwhile."""
        state = self._state
        if not state.lockouts:
            return 0.0
        return max(0.0, min(state.locked_until - self._clock(), lockout_s(state.lockouts)))

    def minutes_left(self) -> int:
        """Whole minutes of the lockout still to run (0 when not locked), for the screen."""
        return math.ceil(self.seconds_left() / 60)

    def check(self, typed: str) -> PinResult:
        if self._pin is None:
            return "no_pin"
        if self.seconds_left() > 0:
            return "locked"
        if hmac.compare_digest(typed.encode(), self._pin.encode()):
            if self._state != LockoutState():
                self._state = LockoutState()
                self._save()
            return "open"
        self._state.wrong += 1
        if self._state.wrong >= MAX_TRIES:
            self._lock()
            return "locked"
        self._save()
        return "wrong"

    def _lock(self) -> None:
        state = self._state
        state.wrong, state.lockouts = 0, state.lockouts + 1
        state.locked_until = self._clock() + lockout_s(state.lockouts)
        log.warning("staff: %d wrong PINs, keypad locked for %d s (lockout %d in a row)",
                    MAX_TRIES, lockout_s(state.lockouts), state.lockouts)
        self._save()

    def _save(self) -> None:
        """Write the state before answering; a write that fails keeps it in memory and says so."""
        if self._file is None:
            return
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self._file, json.dumps(asdict(self._state)).encode())
        except OSError as exc:
            log.error("staff: the PIN lockout cannot be saved to %s (%s); it holds until the kiosk restarts",
                      self._file, exc)
