"""The QR drill: hold up a printed practice card, see what is inside, say whether to trust it.

Phases: ``scanning`` (live picture, "hold up a card") → ``question`` (what the code holds, in big
text, and "Tin được" / "Không nên tin") → ``feedback`` (kind, specific words; "Thử thẻ khác").
A code that is not a practice card is still explained (``other``), without a grade.

No learner is stuck for want of a card or a camera: "Không có thẻ" shows the practice card on the
screen (its code and its printed words) and asks the same question, and a kiosk without a working
camera says so kindly (``no_camera``) and offers that same path. The technical reason goes to the
log for the technician, never to the learner.

The camera reads and the decoder runs on their own threads (``kiosk.camera``); their results reach
this screen through one ``Clock`` trigger, so bursts of results cost one UI update. Only the card id
and the answer are recorded (``services.record_qr_scan``); the payload stays on screen until the
next card and is never stored, and the camera is released when the screen is left.

Opened on its own (``app.show("qr_practice")``) or from a lesson's QR step with ``start_drill``,
which names the card to use and hands the verdict back instead of showing it here.
"""
import logging
import threading
import time
from pathlib import Path
from typing import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk.camera import CameraError, ScanWorker
from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.qr.inspect import inspect
from kiosk.qr.practice import CARDS, PROMPT, QUESTION, Card, ask_for, card_by_id, card_number, grade, recognise
from kiosk.widgets.camera_preview import CameraPreview  # noqa: F401 - used in the .kv rules
from kiosk.widgets.common import KioskScreen
from kiosk.widgets.practice_card import PracticeCard  # noqa: F401 - used in the .kv rules

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)

SAME_CARD_PAUSE_S = 3  # after "Thử thẻ khác", the card just answered is ignored this long

OnResult = Callable[[str, bool, str], None]


class QrPracticeScreen(KioskScreen):
    phase = OptionProperty("scanning", options=["scanning", "question", "feedback", "other", "no_camera"])
    prompt = StringProperty("")
    kind_title = StringProperty("")
    inside = StringProperty("")
    warning = StringProperty("")
    heading = StringProperty("")
    feedback = StringProperty("")
    verdict = OptionProperty("", options=["", "right", "wrong"])
    problem = StringProperty("")
    card: Card | None = ObjectProperty(None, allownone=True)  # the practice card answered about
    on_screen = BooleanProperty(False)  # the card is shown on the screen, not held up

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prompt = _(PROMPT)
        self._worker: ScanWorker | None = None
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._pending_error: CameraError | None = None
        self._apply_trigger = Clock.create_trigger(self._apply)
        self._ignored: tuple[str, float] = ("", 0.0)
        self._wanted: Card | None = None
        self._on_result: OnResult | None = None
        self._on_leave: Callable[[], None] | None = None
        App.get_running_app().bind(on_stop=self._on_app_stop)  # Kivy keeps only a weak reference

    def start_drill(self, card: str | None = None, on_result: OnResult | None = None,
                    on_leave: Callable[[], None] | None = None) -> None:
        """Run the drill for a lesson step: only ``card`` counts, and the verdict goes to ``on_result``."""
        self._wanted, self._on_result, self._on_leave = card_by_id(card), on_result, on_leave
        self.prompt = ask_for(self._wanted) if self._wanted else _(PROMPT)
        self._clear()
        self._scan_again()

    def on_pre_enter(self, *_args) -> None:
        self._start_camera()

    def on_leave(self, *_args) -> None:
        self._stop_camera()
        self._clear()
        self._wanted = self._on_result = self._on_leave = None
        self.prompt = _(PROMPT)

    def on_manager(self, _screen, manager) -> None:
        if manager is None:  # removed when the session is wiped
            self._stop_camera()

    def _on_app_stop(self, *_args) -> None:
        self._stop_camera()

    def _start_camera(self) -> None:
        self._stop_camera()
        self._clear()
        try:
            self._worker = ScanWorker.open(App.get_running_app().services.config.camera, decode,
                                           self._on_codes, self._on_camera_error)
        except CameraError as error:
            self._show_problem(error)
            return
        self.ids.preview.start(self._worker.camera)
        self.phase = "scanning"

    def _stop_camera(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._apply_trigger.cancel()
        with self._lock:
            self._pending, self._pending_error = [], None
        if "preview" in self.ids:
            self.ids.preview.stop()

    def _show_problem(self, error: CameraError) -> None:
        log.error("QR drill without a camera: %s", error)
        self._stop_camera()
        self.problem = error.message
        self.phase = "no_camera"

    def show_card(self) -> None:
        """"Không có thẻ": the card this lesson needs (else the next one) on the screen, and the
        same question about it."""
        if self._wanted is not None:
            card = self._wanted
        else:
            card = CARDS[card_number(self.card) % len(CARDS)] if self.card else CARDS[0]
        self._show_inside(card.payload, card)
        self.on_screen = True
        App.get_running_app().step_shown(self.spoken())

    def spoken(self) -> str:
        """What "Đọc to" reads on this screen."""
        if self.phase == "question":
            return "\n".join([self.kind_title, self.inside, _(QUESTION)])
        if self.phase == "no_camera":
            return self.problem
        return {"feedback": self.feedback, "other": self.warning}.get(self.phase, self.prompt)

    # Worker thread: keep the result and wake the UI once.
    def _on_codes(self, codes, _frame) -> None:
        with self._lock:
            self._pending = [code.text for code in codes]
        self._apply_trigger()

    def _on_camera_error(self, error: CameraError) -> None:
        with self._lock:
            self._pending_error = error
        self._apply_trigger()

    # UI thread.
    def _apply(self, *_args) -> None:
        with self._lock:
            texts, self._pending = self._pending, []
            error, self._pending_error = self._pending_error, None
        if self._worker is None:  # the camera was stopped after this result was sent
            return
        if error is not None:
            self._show_problem(error)
            return
        if self.phase != "scanning" or not texts:
            return
        ignored, until = self._ignored
        texts = [t for t in texts if t != ignored or time.monotonic() > until]
        if not texts:
            return
        card = next((card for card in map(recognise, texts) if card is not None), None)
        if self._wanted is not None and card is not self._wanted:
            self.prompt = ask_for(self._wanted, card)
            return
        self._show_inside(card.payload if card else texts[0], card)

    def _show_inside(self, payload: str, card: Card | None) -> None:
        report = inspect(payload)
        self.kind_title = report["title"]
        self.inside = "\n".join(f"{f['label']}: {f['value']}" for f in report["fields"] if f["big"])
        self.card = card
        self._ignored = (payload, 0.0)
        if self._worker is not None:
            self._worker.pause()
        if card is not None:
            self.phase = "question"
        else:
            self.warning = report["warnings"][0]["text"] if report["warnings"] else ""
            self.phase = "other"

    def answer(self, trusted: bool) -> None:
        card = self.card
        verdict = grade(card, trusted)
        App.get_running_app().services.record_qr_scan(card.id, trusted, verdict.correct)
        if self._on_result is not None:
            self._on_result(card.id, verdict.correct, verdict.feedback)
            return
        self.heading, self.feedback = verdict.heading, verdict.feedback
        self.verdict = "right" if verdict.correct else "wrong"
        self.phase = "feedback"
        App.get_running_app().step_shown(f"{self.heading}\n{self.feedback}")

    def try_another(self) -> None:
        if self.on_screen:
            self.show_card()
            return
        payload = self._ignored[0]
        self._clear()
        self._ignored = (payload, time.monotonic() + SAME_CARD_PAUSE_S)
        self._scan_again()

    def _scan_again(self) -> None:
        if self._worker is not None:
            self._worker.resume()
            self.phase = "scanning"
        elif self.phase != "no_camera":
            self.phase = "no_camera"

    def leave(self) -> None:
        if self._on_leave is not None:
            self._on_leave()
        else:
            App.get_running_app().show("lesson_list")

    def _clear(self) -> None:
        """Forget the last code: nothing of it stays on screen for the next learner."""
        self.card = None
        self.on_screen = False
        self._ignored = ("", 0.0)
        self.kind_title = self.inside = self.warning = self.heading = self.feedback = ""
        self.verdict = ""
