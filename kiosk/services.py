"""Everything the kiosk's screens need, behind one plain-Python object.

Screens call these methods and read these values; they never touch TinyDB or HTTP. That keeps the
Kivy layer thin and lets tests play a whole visit without a window.
"""
import logging
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from kiosk.config import KioskConfig
from kiosk.i18n import N_, _
from kiosk.pin_gate import PinGate
from kiosk.session import IdleWatch, LearnerSession
from kiosk.volunteer_class import VolunteerClass
from kiosk.sync_problems import problem_text
from sync.credentials import Credentials
from sync.device import DeviceIdentity, Fingerprint, hardware_fingerprint, start_device
from sync.outbox import Outbox, OutboxFull
from sync.problems import Kind, Problem
from sync.status import SyncStatus

# Imported where first needed, not on the way to the first screen (bench/startup.py keeps the start
# within 1.5× a bare Kivy window): the lessons, the records' and cards' models, speech, sync's HTTP.
if TYPE_CHECKING:
    from kiosk.card_progress import CardProgressStore
    from kiosk.narration import Narrator
    from kiosk.staff import StaffDesk
    from lessons.engine import LessonEvent, LessonRun
    from lessons.pack import Pack
    from lessons.schema import Lesson
    from sync.client import SyncClient
    from sync.packs import PackInstaller
    from sync.worker import SyncWorker

log = logging.getLogger(__name__)

VOLUNTEER_LOCKOUT_FILE = "volunteer-lockout.json"
NOTICE_SETTINGS = N_("The kiosk's settings have a problem; default settings are in use. Please tell a technician.")
NOTICE_PACK = N_("The new lessons are damaged; the previous lessons are shown. Please tell a technician.")
NOTICE_NO_PACK = N_("No lessons can be shown. Please tell a technician.")
NOTICE_DISK_FULL = N_("Storage is full: results are not being saved. Please tell a technician.")
NOTICE_STORAGE = N_("Results cannot be saved right now. Please tell a technician.")


class KioskServices:
    """The kiosk's state for one run: lessons, the current learner session, records and sync."""

    def __init__(self, config: KioskConfig, config_problems: list[str] = (),
                 fingerprint: Fingerprint = hardware_fingerprint) -> None:
        self.config = config
        self.notices: list[str] = []
        for problem in config_problems:
            log.error("config: %s", problem)
        if config_problems:
            self._notice(NOTICE_SETTINGS)
        self._pack: "Pack | None" = None
        self._pack_chosen = False
        # Before the outbox opens: a cloned memory card sets the copied outbox aside.
        self.device: DeviceIdentity = start_device(config.data_dir, config.outbox_dir, config.credentials_file,
                                                   fingerprint)
        self.outbox = Outbox(config.outbox_dir)
        self.credentials = Credentials.load(config.credentials_file)
        self.sync_problem: Problem | None = Problem(Kind.COPIED_CARD) if self.device.copied_from else None
        self.sync: "SyncWorker | None" = None
        self.idle = IdleWatch(config.idle_prompt_s, config.idle_countdown_s, enabled=not config.volunteer_mode)
        self.session: LearnerSession | None = None
        self.narration_ready = False
        self.volunteer_class: VolunteerClass | None = None
        # The volunteer's own PIN and lockout: a volunteer never learns the technician's PIN.
        self.volunteer_gate = PinGate(config.volunteer_pin, config.data_dir / VOLUNTEER_LOCKOUT_FILE)

    @cached_property
    def narrator(self) -> "Narrator | None":
        """The speech engine's front (None when narration is off), made when ``start`` first asks for it."""
        if not self.config.narration:
            return None
        from kiosk.narration import Narrator

        return Narrator.from_config(self.config)

    @cached_property
    def cards(self) -> "CardProgressStore":
        """The learner cards' progress on this kiosk, read when a card is first presented or synced."""
        from kiosk.card_progress import CardProgressStore

        return CardProgressStore.in_data_dir(self.config.data_dir)

    @cached_property
    def staff(self) -> "StaffDesk":
        """The staff actions, made when a staff screen first needs them: not on the learner's way to the first screen."""
        from kiosk.staff import StaffDesk

        return StaffDesk(self)

    def _notice(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)

    @property
    def pack(self) -> "Pack | None":
        """The lesson pack, read on first use: the welcome screen does not need it, so it is not on
        the start-up path (``start`` reads it right after the first frame)."""
        if not self._pack_chosen:
            from lessons.store import choose_pack

            choice = choose_pack(self.config.lesson_pack, self.config.data_dir / "packs")
            self._pack, self._pack_chosen = choice.pack, True
            if choice.problems:
                self._notice(NOTICE_PACK if choice.pack else NOTICE_NO_PACK)
        return self._pack

    @property
    def lessons(self) -> "tuple[Lesson, ...]":
        return self.pack.lessons if self.pack else ()

    def start(self, on_sync_change: "Callable[[SyncStatus], None]" = lambda status: None) -> None:
        """Start syncing and check the speech engine. Called once the first screen is up: neither
        the HTTP stack nor espeak-ng is needed to draw it. ``on_sync_change`` is called from the
        sync thread whenever its status changes."""
        from sync.worker import SyncWorker

        _ = self.pack
        client = self.sync_client()
        self.sync = SyncWorker(self.outbox, client, interval_s=self.config.sync_interval_s,
                               backoff_max_s=self.config.sync_backoff_max_s, on_change=on_sync_change,
                               packs=self._pack_installer(), cards=self.cards,
                               problem=None if client else self.sync_problem,
                               health_dir=self.config.data_dir).start()
        self.narration_ready = self.narrator is not None and self.narrator.available()

    def sync_client(self) -> "SyncClient | None":
        """A client for the saved enrollment, verifying the ward's certificate (its own CA if set).

        None when not enrolled, or when the saved server address is plain http to another machine
        (``sync_problem`` then says so, and the kiosk asks to be enrolled again).
        """
        from sync.client import SetupProblem, SyncClient

        if self.credentials is None:
            return None
        try:
            return SyncClient(self.credentials, ca_bundle=self.config.server_ca_bundle)
        except SetupProblem as exc:
            log.error("sync: the saved enrollment cannot be used: %s", exc)
            self.sync_problem = exc.problem
            return None

    def _pack_installer(self) -> "PackInstaller | None":
        """Lesson packs come from the ward only when the kiosk knows the ward's signing key; a new
        pack is shown from the next start (a learner's lesson never changes under them)."""
        if self.config.pack_public_key is None:
            return None
        from lessons.signing import load_public_key
        from sync.packs import PackInstaller

        try:
            key = load_public_key(self.config.pack_public_key)
        except (OSError, ValueError) as exc:
            log.error("packs: the ward's public key %s cannot be read (%s); no pack downloads", self.config.pack_public_key, exc)
            return None
        return PackInstaller(self.config.downloaded_pack, [key])

    def stop(self) -> None:
        """Stop syncing and speaking, and release the outbox folder (``kiosk-sync`` may use it then)."""
        if self.sync is not None:
            self.sync.stop()
        self.outbox.close()
        narrator = self.__dict__.get("narrator")  # never made: nothing to close
        if narrator is not None:
            narrator.close()

    def begin_session(self, demo: bool = False) -> LearnerSession:
        """A learner touched the welcome screen: open an anonymous session (``demo``: a volunteer showing how)."""
        self.session = LearnerSession(demo=demo)
        self.idle.touch()
        self._record("session_started", None, {"demo": True} if demo else {})
        if self.volunteer_class is not None:
            self.volunteer_class.join(self.session.learner, demo)
        return self.session

    def begin_card_session(self, scanned_or_typed: str) -> LearnerSession | None:
        """A learner card was scanned (its QR code holds the id) or its short code typed: open a session
        that continues the card's progress. None when it is not a card or the card was reported lost."""
        from kiosk.card_entry import card_id_in

        card_id = card_id_in(scanned_or_typed)
        progress = self.cards.progress(card_id) if card_id else None
        if progress is None:
            return None
        stopped = (progress.stopped.lesson, progress.stopped.step) if progress.stopped else None
        self.session = LearnerSession(learner=card_id, done_before=progress.done, stopped=stopped)
        self.idle.touch()
        self._record("session_started", None, {})
        if self.volunteer_class is not None:
            self.volunteer_class.join(card_id)
        return self.session

    def start_class(self) -> VolunteerClass:
        """A volunteer opens a class: no inactivity reset while it lasts, narration at full volume."""
        self.volunteer_class = VolunteerClass(idle_end_s=self.config.class_idle_end_s)
        self.idle.enabled = False
        if self.narrator is not None:
            self.narrator.volume = 1.0
        return self.volunteer_class

    def touched(self) -> None:
        """Someone touched the screen: the learner's inactivity watch and an open class start counting again."""
        self.idle.touch()
        if self.volunteer_class is not None:
            self.volunteer_class.touch()

    def end_forgotten_class(self) -> bool:
        """End a class nobody has touched for ``class_idle_end_s`` (back to walk-up mode); True when it did."""
        if self.volunteer_class is None or not self.volunteer_class.forgotten():
            return False
        log.info("class: no touch for %d s, the class ends by itself", self.config.class_idle_end_s)
        self.end_class()
        return True

    def end_class(self) -> dict | None:
        """Close the class: its summary becomes a record, walk-up mode comes back; returns the summary."""
        found, self.volunteer_class = self.volunteer_class, None
        if found is None:
            return None
        self.end_session("left")
        summary = found.summary()
        self._record("class_summary", None, summary)
        self.idle.enabled = not self.config.volunteer_mode
        self.idle.touch()
        if self.narrator is not None:
            self.narrator.volume = self.config.narration_volume
        return summary

    def end_session(self, reason: str) -> None:
        """Wipe the learner's session (finished, left, or idle) so the next person sees nothing of it."""
        if self.session is not None:
            self._record("session_ended", None, {"reason": reason})
        self.session = None

    def start_lesson(self, lesson_id: str) -> "LessonRun":
        """Play ``lesson_id``; its answers and completion become records. Its steps' narration is
        rendered in the background so "Đọc to" answers at once."""
        from lessons.engine import LessonRun

        lesson = self.pack.lesson(lesson_id)
        if self.narration_ready:
            self.narrator.prepare(step.text for step in lesson.steps)
        start_at = self.session.resume_step(lesson_id, [step.id for step in lesson.steps]) if self.session else 0
        if self.volunteer_class is not None and self.session is not None:
            self.volunteer_class.lesson_started(self.session.learner, lesson_id)
        return LessonRun(lesson, on_event=self._on_lesson_event, start_at=start_at)

    def _on_lesson_event(self, event: "LessonEvent") -> None:
        session = self.session
        if event.kind == "lesson_completed" and session is not None:
            session.completed.append(event.lesson_id)
        if session is not None and session.is_card:
            self._keep_card_progress(session, event)
        if session is not None and self.volunteer_class is not None:
            self._follow_in_class(self.volunteer_class, session.learner, event)
        self._record(event.kind, event.lesson_id, event.data)

    @staticmethod
    def _follow_in_class(found: VolunteerClass, learner: str, event: "LessonEvent") -> None:
        if event.kind == "lesson_completed":
            found.completed(learner, event.lesson_id)
        elif isinstance(event.data.get("step_id"), str):
            found.answered(learner, event.lesson_id, event.data["step_id"], event.data.get("correct") is True)

    def _keep_card_progress(self, session: LearnerSession, event: "LessonEvent") -> None:
        """A card's progress is saved on the kiosk as it happens, so the next visit (here) continues there."""
        if event.kind == "lesson_completed":
            self.cards.lesson_done(session.learner, event.lesson_id)
            session.stopped = None
            return
        if isinstance(event.data.get("step_id"), str):
            session.stopped = (event.lesson_id, event.data["step_id"])
            self.cards.stopped_at(session.learner, *session.stopped)

    def record_qr_scan(self, card: str, trusted: bool, correct: bool) -> None:
        """A QR drill was answered: which practice card, the learner's verdict, and if it was right.

        The scanned payload itself is never recorded.
        """
        self._record("qr_scanned", None, {"card": card, "trusted": trusted, "correct": correct})

    def _record(self, kind: str, lesson_id: str | None, payload: dict) -> None:
        """Queue a record; a storage failure is shown to staff but never stops the lesson."""
        from sync.records import RecordDraft

        draft = RecordDraft(type=kind, lesson_id=lesson_id, payload=payload,
                            learner=self.session.learner if self.session else None,
                            device_id=self.device.device_id, venue_id=self.device.venue_id)
        try:
            self.outbox.append(draft)
        except OutboxFull:
            log.error("outbox: disk full, a %s record was not stored", kind)
            self._notice(NOTICE_DISK_FULL)
            return
        except OSError as exc:
            log.error("outbox: a %s record was not stored (%s)", kind, exc)
            self._notice(NOTICE_STORAGE)
            return
        if self.sync is not None:
            self.sync.wake()

    def sync_status(self) -> SyncStatus:
        """The worker's status, or before sync starts what the saved files say."""
        if self.sync is not None:
            return self.sync.status
        state = "needs_enrollment" if self.sync_problem else ("waiting" if self.credentials else "not_enrolled")
        return SyncStatus(state, self.outbox.stats().pending, problem=self.sync_problem)

    def sync_problem_text(self, status: SyncStatus | None = None) -> str:
        """What is wrong with sync in the kiosk's language (for the staff screen), or "" when nothing is.

        Refused records are left out: the staff screen says them with the outbox's other counts.
        """
        problem = (status or self.sync_status()).problem
        return problem_text(problem) if problem and problem.kind != Kind.RECORDS_REFUSED else ""

    def sync_text(self, status: SyncStatus | None = None) -> str:
        """The calm one-line sync status, for example "Đã gửi lúc 14:05 · 0 chờ gửi"."""
        status = status or self.sync_status()
        waiting = _("{count} waiting").format(count=status.pending)
        if status.state == "needs_enrollment":
            return _("Needs enrolling again") + " · " + waiting
        if status.state == "refused":
            waiting += " · " + _("{count} refused by the ward").format(count=status.refused)
        if status.state == "not_enrolled":
            return _("Not enrolled yet") + " · " + waiting
        if status.last_sync is None:
            return (_("Not sent yet") + " · " + waiting) if status.pending else _("Nothing waiting to be sent")
        return _("Sent at {time}").format(time=status.last_sync.strftime("%H:%M")) + " · " + waiting
