"""Every text the kiosk shows has a Vietnamese translation, in NFC, with its placeholders intact."""
import re
import unicodedata

from babel.messages.pofile import read_po

from kiosk.i18n import LOCALE_DIR, _, use_language


def catalog():
    with open(LOCALE_DIR / "vi" / "LC_MESSAGES" / "kiosk.po", "rb") as handle:
        return read_po(handle, locale="vi")


def test_every_message_is_translated_with_the_same_placeholders():
    template = {m.id for m in read_po(open(LOCALE_DIR / "kiosk.pot", "rb")) if m.id}
    vi = {m.id: m.string for m in catalog() if m.id}
    assert template <= set(vi), f"not in vi.po: {template - set(vi)}"
    for msgid, text in vi.items():
        assert text, f"untranslated: {msgid!r}"
        assert text == unicodedata.normalize("NFC", text)
        assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", msgid)), msgid


def test_the_compiled_catalog_is_used_and_english_is_available():
    use_language("en")
    assert _("Continue") == "Continue"
    use_language("vi")
    assert _("Continue") == "Tiếp tục"


def test_the_wording_the_content_review_asked_for():
    """One term for the start page, tone marks placed as in the lessons (hóa, khóa, hủy), the share
    drill's buttons about giving something, not posting it."""
    vi = {m.id: m.string for m in catalog() if m.id}
    assert (vi["Fine to share"], vi["Do not share"]) == ("Đưa được", "Không đưa")
    assert (vi["Cancel"], vi["Yes, I am still learning"]) == ("Hủy", "Còn, học tiếp")
    assert vi["Back to the start"] == "Về trang đầu"
    texts = "\n".join(vi.values())
    assert "màn hình đầu" not in texts and "theo sức" not in texts
    assert re.findall(r"\w*(?:o[áàảãạéèẻẽẹ]|(?<![qQ])u[ýỳỷỹỵ])(?!\w)", texts) == []
