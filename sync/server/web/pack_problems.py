"""A lesson pack's problems in the viewer's language, for the packs page.

The validator (``lessons.problems``) gives each problem a kind code and its parameters beside its
English words. On an English page the words are shown as the CLI prints them; otherwise the
kind's English template is looked up in the ``ward`` catalog and filled in, with the few
parameters that are English words (a step, an option…; a language) said in the viewer's language too.
Where the problem is (the file in the upload, its line) is said in the viewer's language as well.
"""
import re
from pathlib import Path
from typing import Callable

from lessons.problems import KINDS, PackProblem

Gettext = Callable[[str], str]
# "line 12, steps.0.text" or "line 3, column 7" (lessons.validate and lessons.pack write these two forms).
LINE = re.compile(r"^line (\d+)(?:, column (\d+))?(?:, (.+))?$")
# Parameters whose value is an English word of the validator: (parameter, its possible values).
WORDS = {"what": ("step", "option", "element", "item", "card"),
         "language": ("vi", "en")}
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}


def describe(found: PackProblem, folder: Path, language: str, gettext: Gettext) -> str:
    """``found`` in one line: where (the file inside the uploaded pack ``folder``, its line) and what."""
    return f"{_where(found, folder, gettext)}: {words(found, language, gettext)}"


def words(found: PackProblem, language: str, gettext: Gettext) -> str:
    """What is wrong, in ``language`` (the validator's own English when that is English)."""
    if language == "en":
        return found.message
    params = {name: ", ".join(f"“{item}”" for item in value) if isinstance(value, list) else value
              for name, value in found.params.items()}  # ids listed as words are, not as Python writes a list
    for name in WORDS.keys() & params.keys():
        params[name] = gettext(LANGUAGE_NAMES.get(params[name], params[name]))
    if found.code == "not_one_of":  # pydantic's "'vi' or 'en'"
        params["expected"] = str(params.get("expected", "")).replace("' or '", f"' {gettext('or')} '")
    try:
        return gettext(KINDS[found.code]) % params
    except (KeyError, ValueError, TypeError):  # a catalog entry that does not fit its parameters
        return found.message


def _where(found: PackProblem, folder: Path, gettext: Gettext) -> str:
    try:
        file = found.file.relative_to(folder).as_posix()
    except ValueError:
        file = found.file.name
    place = [file if file != "." else gettext("the pack")]
    line = LINE.match(found.where)
    if line and line[2]:
        place.append(gettext("line %(line)s, column %(column)s") % {"line": line[1], "column": line[2]})
    elif line:
        place.append(gettext("line %(line)s") % {"line": line[1]})
    path = line[3] if line else found.where
    return ", ".join(place) + (f" ({path})" if path else "")
