"""Sync problems in the kiosk's language, for the staff screen, the sync line and ``kiosk-sync``.

``sync`` never imports the kiosk, so it names a problem by its kind and says it in English
(``sync.problems.ENGLISH``, extracted into the kiosk's catalog by ``babel.cfg``); here that sentence
is translated and its subject (an address, a file, a count) filled in.
"""
from kiosk.i18n import _
from sync.problems import ENGLISH, Problem, SyncError


def problem_text(problem: Problem | SyncError) -> str:
    """The problem in the kiosk's language."""
    if isinstance(problem, SyncError):
        problem = problem.problem
    subject = problem.subject
    return _(ENGLISH[problem.kind]).format(url=subject, path=subject, count=subject)
