"""The Kivy app: a screen manager, the idle watch's clock, and the technician's small sign. Nothing more.

All decisions live in ``KioskServices``; this file only connects them to the window. The sync
worker reports changes from its own thread; they reach the screen through one ``Clock`` trigger,
so a burst of changes costs one update and nothing polls.

Only the welcome screen is built before the first frame; the lessons, sync and speech start in the
frame after it (``_start_services``), and every other screen is built when first shown.
"""
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk import watchdog
from kiosk.i18n import _
from kiosk.screens import make_screen
from kiosk.services import KioskServices
from kiosk.widgets import theme
from kiosk.widgets.common import IdlePrompt

if TYPE_CHECKING:
    from kiosk.widgets.speaker import Speaker

NEEDS_TECHNICIAN = {"not_enrolled", "needs_enrollment", "refused", "error"}


class KioskApp(App):
    sync_text = StringProperty("")      # for the staff screen; learners never see it
    notice_text = StringProperty("")    # likewise
    needs_technician = BooleanProperty(False)
    narration_ready = BooleanProperty(False)

    def __init__(self, services: KioskServices, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.title = "Bình Dân Học Vụ Số"
        self._prompt: IdlePrompt | None = None
        self._spoken = ""
        self.speaker: "Speaker | None" = None
        self._status_changed = Clock.create_trigger(self.refresh_status)
        self._watchdog_tick = None

    def build(self) -> ScreenManager:
        Window.clearcolor = theme.BACKGROUND
        Window.bind(on_touch_down=self._on_any_touch)
        manager = ScreenManager(transition=NoTransition())
        manager.add_widget(make_screen("welcome"))
        self._idle_tick = Clock.schedule_interval(self._tick_idle, 0.25)
        return manager

    def on_start(self) -> None:
        self.watchdog = watchdog.for_services(self.services)
        Window.bind(on_flip=self._first_frame)

    def _first_frame(self, *_args) -> None:
        """The first screen is drawn: tell systemd (READY), ping it from this clock, and start the
        services in the next frame, right after it (a fixed delay was a guess: idle time on a fast
        start, and nothing promised it would come after the first frame on a slow one)."""
        Window.unbind(on_flip=self._first_frame)
        self.watchdog.ready()
        self._watchdog_tick = Clock.schedule_interval(self.watchdog.tick, self.watchdog.interval_s)
        Clock.schedule_once(lambda _dt: self._start_services(), 0)

    def _start_services(self) -> None:
        """After the first frame: the lesson pack, sync, speech, and the status (reading the outbox's
        counts and drawing the technician's sign are not on the start-up path)."""
        self.services.start(on_sync_change=lambda _status: self._status_changed())
        self._status_changed()

    def on_stop(self) -> None:
        self._idle_tick.cancel()
        if self._watchdog_tick is not None:
            self._watchdog_tick.cancel()
        self._status_changed.cancel()
        Window.unbind(on_touch_down=self._on_any_touch)
        if self._prompt is not None:
            self._prompt.dismiss(animation=False)
        self.services.stop()

    def show(self, name: str) -> Screen:
        """Switch to screen ``name``, building it (and loading its .kv) the first time."""
        if not self.root.has_screen(name):
            self.root.add_widget(make_screen(name))
        self.root.current = name
        return self.root.get_screen(name)

    def step_shown(self, text: str, aloud: bool = True) -> None:
        """New words are on screen: read them aloud (unless ``aloud`` is False), and keep them for "Đọc to"."""
        self._spoken = text
        if self.speaker is None and self.services.narration_ready:
            from kiosk.widgets.speaker import Speaker  # Kivy's audio is not needed for the first screen

            self.speaker = Speaker(self.services.narrator, self.services.narrator.volume)
        self.narration_ready = self.speaker is not None
        if self.speaker is not None and aloud:
            self.speaker.speak(text)

    def narrate_current(self) -> None:
        """Read the current text aloud again (the "Đọc to" button)."""
        self.speaker.speak(self._spoken)

    def open_qr_drill(self, run) -> None:
        """Hand a QR step to the camera practice screen; its verdict comes back to the player."""
        player = self.root.get_screen("player")

        def finished(card: str, correct: bool, explanation: str) -> None:
            run.answer_qr(card, correct)
            self.show("player").show_feedback(correct, explanation)

        self.show("qr_practice").start_drill(card=run.step.card, on_result=finished, on_leave=lambda: self.show(player.name))

    def refresh_status(self, *_args) -> None:
        """Read the sync state and the notices: in full for staff, as one small sign for learners."""
        status = self.services.sync.status if self.services.sync else None
        self.sync_text = self.services.sync_text(status)
        self.notice_text = "\n".join(_(notice) for notice in self.services.notices)
        state = status.state if status else ("not_enrolled" if self.services.credentials is None else "waiting")
        self.needs_technician = bool(self.services.notices) or state in NEEDS_TECHNICIAN

    def end_session(self, reason: str) -> None:
        """Wipe the learner's session and everything on screen, back to the welcome screen."""
        if self._prompt is not None:
            self._prompt.dismiss()
        if self.speaker is not None:
            self.speaker.stop()
        self.services.end_session(reason)
        for name in self.root.screen_names:
            if name != "welcome":
                self.root.remove_widget(self.root.get_screen(name))
        self.root.current = "welcome"
        self._status_changed()

    def _on_any_touch(self, _window, _touch) -> bool:
        self.services.touched()
        if self._prompt is not None:
            self._prompt.dismiss()
        return False

    def _tick_idle(self, _dt: float) -> None:
        if self.services.end_forgotten_class():
            self.end_session("idle")
            return
        if self.services.session is None:
            return
        state = self.services.idle.state()
        if state == "active":
            return
        if state == "expired":
            self.end_session("idle")
            return
        if self._prompt is None:
            self._prompt = IdlePrompt()
            self._prompt.bind(on_dismiss=self._forget_prompt)
            self._prompt.open()
        self._prompt.seconds_left = self.services.idle.seconds_left()

    def _forget_prompt(self, *_args) -> None:
        self._prompt = None
