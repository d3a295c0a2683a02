"""What can be wrong in a lesson pack: each kind of problem with a stable code, its parameters and its English words.

The CLI prints the English words; the ward's dashboard shows the same problem in the viewer's
language by looking up ``KINDS[code]`` (the English template, a gettext msgid of the ``ward``
catalog) and filling in ``params``. Every problem is made here, by ``problem`` or
``from_validation``, so a new kind cannot exist without its entry in ``KINDS``.
Templates quote values that are ids or file names ('%(x)s'); values that may be anything a
volunteer typed are shown by their repr (%(x)r), as the validator always did.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

KINDS: dict[str, str] = {
    # The pack's files (lessons.pack).
    "symlink": "is a symbolic link; a pack holds only plain files: copy the file itself into the pack folder",
    "special_file": "is not a plain file (a pipe or a device); remove it from the pack",
    "unreadable_file": "cannot read the file (%(detail)s)",
    "bad_yaml": "not valid YAML (%(detail)s)",
    "no_pack_yaml": "missing: every pack needs a pack.yaml",
    "no_lessons": "the pack has no lessons",
    "lesson_id_repeated": "lesson id '%(lesson)s' is used by more than one file",
    # Where packs are looked for (lessons.validate).
    "not_a_folder": "is not a folder",
    "does_not_exist": "does not exist",
    "no_pack_here": "holds no lesson pack (a pack folder has a pack.yaml and one .yaml file per lesson)",
    # Pictures and narration (lessons.validate, lessons.pronunciation).
    "image_missing": "image '%(image)s' does not exist in the pack folder",
    "no_picture": "step '%(step)s' has neither a picture nor a drill: add picture: phone:<screen> "
                  "or an illustration from lessons/pictures",
    "unknown_phone_screen": "phone screen '%(picture)s' is not one the kiosk draws (%(screens)s)",
    "picture_missing": "picture '%(picture)s' is not in %(folder)s",
    "unsayable_word": "narration cannot say '%(word)s': espeak-ng would spell it letter by letter or read it "
                      "in English; add its reading to %(table)s",
    # A translated pack against the Vietnamese one (lessons.validate).
    "lesson_untranslated": "lesson '%(lesson)s' (%(lesson_file)s) has no translation in this pack",
    "lesson_not_in_reference": "lesson '%(lesson)s' is not in the %(language)s pack %(reference)s",
    "kind_differs": "kind is %(theirs)r here but %(ours)r in the %(language)s pack",
    "value_differs": "%(field)s is %(theirs)r here but %(ours)r in the %(language)s pack",
    "item_untranslated": "%(what)s '%(id)s' of the %(language)s pack has no translation here",
    "item_not_in_reference": "%(what)s '%(id)s' is not in the %(language)s pack",
    "items_reordered": "%(what)ss are in another order than in the %(language)s pack (%(order)s)",
    # The signature (lessons.signing).
    "unsigned": "missing: the pack is not signed",
    "signature_unreadable": "cannot be read as a signature file (%(detail)s)",
    "signature_not_an_object": "is not a signature file (expected a JSON object)",
    "signature_format": "is %(found)r; this version reads format %(expected)s",
    "signature_field": "is missing or has the wrong type",
    "untrusted_key": "the pack was signed with key %(key)s, which is not a trusted key (trusted: %(trusted)s)",
    "bad_signature": "does not verify with key %(key)s; the signature file was altered or made with another key",
    "file_list_altered": "does not match the signed file list; the signature file was altered",
    "files_unreadable": "cannot read the pack's files to check the signature (%(detail)s)",
    "changed_after_signing": "changed since the pack was signed",
    "added_after_signing": "added after the pack was signed",
    "removed_after_signing": "removed after the pack was signed",
    # The schema's own rules (lessons.schema).
    "correct_not_an_option": "correct answer '%(correct)s' is not one of the options %(ids)s",
    "too_many_rows": "%(elements)s elements in %(columns)s column(s) make %(rows)s rows; "
                     "the 7-inch screen fits 3 rows of 20 mm targets, 2 with a message",
    "message_too_long": "beside two rows of elements a message fits in 40 characters (two lines); "
                        "a longer one leaves room for one row",
    "label_too_long": "with 2 or 3 columns each label must be 12 characters or fewer",
    "correct_not_on_screen": "correct element '%(correct)s' is not on the phone screen %(ids)s",
    "gesture_too_many_rows": "a hold or swipe drill also shows its one-tap alternative: at most 2 rows "
                             "of elements (1 with a message) fit the 7-inch screen",
    "passphrase_words": "a passphrase keypad needs 4 to 8 words and no expected value",
    "pin_has_words": "a PIN keypad has digits, not words",
    "expected_length": "expected has %(digits)s digits but length is %(length)s",
    "ids_repeat": "%(what)s ids repeat: %(ids)s",
    # pydantic's checks of the schema's types and limits, named in plain words for the dashboard
    # (the CLI keeps pydantic's own English sentence).
    "missing_field": "this field is required",
    "unknown_field": "this field is not part of a lesson pack (a typing mistake?)",
    "not_text": "should be a text",
    "text_empty": "should not be empty",
    "text_too_long": "is longer than %(max_length)s characters, which is what fits its place on the screen",
    "not_an_id": "should be a short id: lowercase letters a-z without accents, digits and hyphens",
    "not_a_picture_name": "should be phone:<screen> or the name of a .png illustration",
    "not_an_image_name": "should be the name of a .png file in the pack folder (lowercase letters, digits, hyphens)",
    "not_an_icon_name": "should be the name of a Material Icons icon",
    "not_digits": "should be 4 to 8 digits",
    "pattern_mismatch": "does not have the expected form (%(pattern)s)",
    "not_a_number": "should be a whole number",
    "number_too_small": "should be at least %(ge)s",
    "number_too_large": "should be at most %(le)s",
    "not_true_or_false": "should be true or false",
    "not_a_list": "should be a list",
    "too_few_items": "should have at least %(min_length)s items",
    "too_many_items": "should have at most %(max_length)s items",
    "not_a_mapping": "should be a set of named fields",
    "not_one_of": "should be one of %(expected)s",
    "unknown_step_kind": "step kind '%(tag)s' does not exist; the kinds are %(expected_tags)s",
    "step_kind_missing": "the step has no kind: (explain, choice, tap, order, share, keypad or qr)",
    "invalid_value": "is not valid (%(detail)s)",
}

# pydantic's error types (``ValidationError.errors()[i]["type"]``) and the kind each is.
PYDANTIC_KINDS = {
    "missing": "missing_field", "extra_forbidden": "unknown_field",
    "string_type": "not_text", "string_too_short": "text_empty", "string_too_long": "text_too_long",
    "int_type": "not_a_number", "int_parsing": "not_a_number", "int_from_float": "not_a_number",
    "greater_than_equal": "number_too_small", "less_than_equal": "number_too_large",
    "bool_type": "not_true_or_false", "bool_parsing": "not_true_or_false",
    "list_type": "not_a_list", "too_short": "too_few_items", "too_long": "too_many_items",
    "model_type": "not_a_mapping", "model_attributes_type": "not_a_mapping", "dict_type": "not_a_mapping",
    "literal_error": "not_one_of", "union_tag_invalid": "unknown_step_kind", "union_tag_not_found": "step_kind_missing",
}
# The schema's patterns (lessons.schema), each a kind of its own: a regular expression is no plain word.
PATTERN_KINDS = {
    r"^[a-z0-9][a-z0-9-]{0,63}$": "not_an_id",
    r"^(phone:[a-z0-9][a-z0-9-]{0,40}|[a-z0-9][a-z0-9-]{0,60}\.png)$": "not_a_picture_name",
    r"^[a-z0-9][a-z0-9-]*\.png$": "not_an_image_name",
    r"^[a-z0-9_]{1,40}$": "not_an_icon_name",
    r"^[0-9]{4,8}$": "not_digits",
}


@dataclass(frozen=True)
class PackProblem:
    """One thing wrong in a pack: where it is, what is wrong in words, and the same as ``code`` + ``params``."""

    file: Path
    where: str
    message: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.code not in KINDS:
            raise ValueError(f"problem kind {self.code!r} is not in lessons.problems.KINDS")

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


def problem(file: Path, where: str, code: str, **params: Any) -> PackProblem:
    """A problem of kind ``code``, its English words made from ``KINDS[code]`` and ``params``."""
    return PackProblem(Path(file), where, KINDS[code] % params, code, params)


def from_validation(file: Path, error: Mapping[str, Any]) -> PackProblem:
    """One of pydantic's errors (``ValidationError.errors()``) as a problem, its message unchanged."""
    where = ".".join(str(part) for part in error["loc"])
    params = dict(error.get("ctx") or {})
    code = error["type"] if error["type"] in KINDS else PYDANTIC_KINDS.get(error["type"], "invalid_value")
    if error["type"] == "string_pattern_mismatch":
        code = PATTERN_KINDS.get(params.get("pattern"), "pattern_mismatch")
    params = {key: value for key, value in params.items() if isinstance(value, (str, int, float, list))}
    if code == "invalid_value":
        params = {"detail": error["msg"]}
    return PackProblem(Path(file), where, error["msg"], code, params)
