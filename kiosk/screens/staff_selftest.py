"""The technician's self-test: ``kiosk doctor``'s checks on the screen, and the support file for the ward.

The checks are the ones ``kiosk doctor`` runs (``kiosk.doctor``), so the screen and the command
never disagree; they take up to half a minute (the camera waits for a practice card, the ward
server for its answer), so they run off the UI thread. What needs fixing comes first, each with
its fix, as many as fit on the screen at a time, turned by taps. "Support file to USB" writes the
scrubbed logs with these findings to a stick for the ward's technician.
"""
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty
from kivy.metrics import mm

from kiosk.doctor import Finding, fit
from kiosk.i18n import N_, _
from kiosk.screens.staff_tasks import StaffTaskScreen
from kiosk.staff import Outcome
from kiosk.widgets.common import Body


class FindingLabel(Body):
    """One check's words; its look (a colour per status) is in the .kv."""

    status = OptionProperty("ok", options=["ok", "warn", "fail", "skip"])


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

ORDER = {"fail": 0, "warn": 1, "skip": 2, "ok": 3}
WORDS = {"fail": N_("Fix"), "warn": N_("Look"), "skip": N_("Not checked"), "ok": N_("Good")}
SPACING = mm(2)


def finding_text(finding: Finding) -> str:
    """One check as the technician reads it: a plain word for its verdict, what was found, what to do."""
    text = f"{_(WORDS[finding.status])}: {finding.verdict}"
    if finding.fix and finding.status in ("warn", "fail"):
        text += "\n" + _("What to do: {fix}").format(fix=finding.fix)
    return text


def in_order(findings: list[Finding]) -> list[Finding]:
    """What needs fixing first, then what is worth a look; the order of the checks within each."""
    return sorted(findings, key=lambda finding: ORDER[finding.status])


class StaffSelfTestScreen(StaffTaskScreen):
    phase = OptionProperty("running", options=["running", "results", "busy"])
    findings = ListProperty([])
    fit = BooleanProperty(False)
    page = NumericProperty(0)
    pages = NumericProperty(1)
    message = StringProperty("")
    failed = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pages: list[list] = []
        self._repaginate = Clock.create_trigger(lambda _dt: self._paginate())
        self.ids.findings.bind(size=lambda *_args: self.findings and self._repaginate())

    def on_enter(self, *_args) -> None:
        super().on_enter()
        self.run_checks()

    def back(self) -> None:
        App.get_running_app().show("staff")

    def run_checks(self) -> None:
        self.phase, self.message, self.findings, self.page = "running", "", [], 0
        self.ids.findings.clear_widgets()
        self.in_background("staff-self-test", self.services.staff.self_test, self._checked)

    def _checked(self, findings) -> None:
        if isinstance(findings, Outcome):  # an unforeseen error
            self._say(findings)
            return
        self.findings, self.fit = in_order(findings), fit(findings)
        self.phase = "results"
        self._repaginate()

    def _paginate(self) -> None:
        """Group the findings into pages that fit the space under the heading."""
        box = self.ids.findings
        self._pages, page, used = [], [], 0.0
        for finding in self.findings:
            label = FindingLabel(text=finding_text(finding), status=finding.status)
            label.width = box.width
            label.texture_update()
            height = label.texture_size[1]
            if page and used + height > box.height:
                self._pages.append(page)
                page, used = [], 0.0
            page.append(label)
            used += height + SPACING
        self._pages.append(page)
        self.pages = len(self._pages)
        self.page = min(self.page, self.pages - 1)
        self._show_page()

    def turn_page(self, step: int) -> None:
        self.message = ""
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._show_page()

    def _show_page(self) -> None:
        box = self.ids.findings
        box.clear_widgets()
        for label in self._pages[self.page]:
            box.add_widget(label)

    def write_bundle(self) -> None:
        """The logs and these findings, scrubbed, onto the USB stick."""
        self.phase, self.message = "busy", ""
        desk, findings = self.services.staff, list(self.findings)
        self.in_background("staff-support-bundle", lambda: desk.write_support_bundle(findings), self._say)

    def _say(self, outcome: Outcome) -> None:
        self.failed, self.message = not outcome.ok, outcome.message
        self.phase = "results"
