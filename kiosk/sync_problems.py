"""Sync problems in the kiosk's language, for the staff screen, the sync line and ``kiosk-sync``.

``sync`` never imports the kiosk, so it names a problem by its kind and says it in English
(``sync.problems.ENGLISH``, extracted into the kiosk's catalog by ``babel.cfg``); here that sentence
is translated and its subject (an address, a file, a count) filled in.
"""
from kiosk.i18n import N_, _
from sync.problems import ENGLISH, Problem, ServerUnavailable, SyncError

RETRY_ENROLLMENT = N_("Try again with the same code: repeating an enrollment is safe.")


def problem_text(problem: Problem | SyncError) -> str:
    """The problem in the kiosk's language."""
    if isinstance(problem, SyncError):
        problem = problem.problem
    subject = problem.subject
    return _(ENGLISH[problem.kind]).format(url=subject, path=subject, count=subject)


def enrollment_failure_text(exc: SyncError) -> str:
    """Why an enrollment failed, and, when the network was to blame, that the same code may be tried again."""
    text = problem_text(exc)
    return text + " " + _(RETRY_ENROLLMENT) if isinstance(exc, ServerUnavailable) else text
