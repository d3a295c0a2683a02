"""``inspect``: VietQR fields and checksum, links, Wi-Fi, contacts, calls and messages, in plain Vietnamese."""
import json
import re
import unicodedata

import pytest

from kiosk.qr.inspect import inspect
from kiosk.qr.emv import build, check_crc, crc16_ccitt_false, parse_tlv
from kiosk.qr.practice import CARDS
from kiosk.qr.banks import BANKS
from kiosk.qr.words import WARNINGS

LUKA = build([("00", "01"), ("01", "12"),
              ("38", [("00", "A000000727"), ("01", [("00", "970436"), ("01", "0000001234567")]), ("02", "QRIBFTTA")]),
              ("53", "704"), ("54", "25000"), ("58", "VN"), ("59", "CA PHE LUKA"), ("60", "HO CHI MINH"),
              ("62", [("01", "HD42"), ("08", "Ca phe Luka")])])


def codes(report: dict) -> set[str]:
    return {w["code"] for w in report["warnings"]}


def field(report: dict, key: str) -> str:
    return next(f["value"] for f in report["fields"] if f["key"] == key)


def test_crc_is_ccitt_false_with_the_standard_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert LUKA[-8:-4] == "6304" and check_crc(LUKA) is True


def test_a_valid_vietqr_shows_receiver_amount_note_and_bank():
    report = inspect(LUKA)
    assert report["kind"] == "vietqr" and report["verdict"] == "info"
    assert field(report, "receiver") == "CA PHE LUKA"
    assert field(report, "amount") == "25.000 đ"
    assert field(report, "note") == "Ca phe Luka"
    assert field(report, "bank").startswith("Vietcombank")
    assert field(report, "account") == "0000001234567"
    big = [f["key"] for f in report["fields"] if f["big"]]
    assert big == ["receiver", "amount", "note"]
    details = report["details"]
    assert details["crc_ok"] is True and details["bin"] == "970436" and details["service"] == "QRIBFTTA"
    assert details["additional"] == {"bill_number": "HD42", "purpose": "Ca phe Luka"}
    assert codes(report) == {"check_receiver"}


@pytest.mark.parametrize("bin_code, shown", [
    ("970414", "MBV (Ngân hàng TNHH MTV Việt Nam Hiện Đại)"),
    ("970444", "VCBNeo (Ngân hàng Thương mại TNHH MTV Ngoại thương Công nghệ số)"),
    ("970406", "Vikki Bank (Ngân hàng TNHH MTV Số Vikki)"),
    ("970408", "GPBank (Ngân hàng Thương mại TNHH MTV Kỷ Nguyên Thịnh Vượng)"),
    ("970454", "BVBank (Ngân hàng TMCP Bản Việt)"),
])
def test_renamed_banks_are_shown_by_their_current_names(bin_code, shown):
    payload = build([("00", "01"), ("01", "11"),
                     ("38", [("00", "A000000727"), ("01", [("00", bin_code), ("01", "0000001234567")]),
                             ("02", "QRIBFTTA")]),
                     ("53", "704"), ("58", "VN"), ("59", "TRAN THI MAI")])
    assert field(inspect(payload), "bank") == shown
    names = " ".join(f"{bank.short_name} {bank.name}" for bank in BANKS.values())
    for old in ("Oceanbank", "Đại Dương", "CBBank", "Xây dựng", "DongA", "Đông Á", "Dầu Khí", "VietCapital", "Petrolimex"):
        assert old not in names


def test_a_changed_amount_breaks_the_checksum():
    changed = LUKA.replace("540525000", "540595000")
    report = inspect(changed)
    assert report["verdict"] == "danger"
    assert "bad_crc" in codes(report)
    assert report["warnings"][0]["text"].startswith("Mã này đã bị sửa hoặc hỏng")
    assert field(report, "amount") == "95.000 đ"


def test_a_changed_receiver_with_a_fresh_checksum_is_valid_but_shows_the_other_name():
    other = build([("00", "01"), ("01", "12"),
                   ("38", [("00", "A000000727"), ("01", [("00", "970436"), ("01", "0000007654321")]),
                           ("02", "QRIBFTTA")]),
                   ("53", "704"), ("54", "25000"), ("58", "VN"), ("59", "NGUYEN VAN TUAN")])
    report = inspect(other)
    assert report["details"]["crc_ok"] is True
    assert field(report, "receiver") == "NGUYEN VAN TUAN"


@pytest.mark.parametrize("payload, expected", [
    (LUKA[:-4] + "0000", {"bad_crc"}),
    (LUKA[:-8], {"no_crc"}),
    ("000201010212389900", {"malformed", "no_crc", "not_napas"}),              # 38 claims 99 characters
    ("0002010102123812XX", {"malformed", "no_crc", "not_napas"}),             # length is not a number
    (build([("00", "01"), ("38", [("00", "A000000727"), ("01", "97")])]), {"no_account"}),  # 38→01 cut short
])
def test_broken_payment_codes_are_flagged_never_raised(payload, expected):
    report = inspect(payload)
    assert expected <= codes(report)
    assert report["verdict"] == "danger"


def test_tlv_tree_keeps_fields_parsed_before_a_problem():
    parsed = parse_tlv("000201010212" + "5303704" + "54")
    assert [f.id for f in parsed.fields] == ["00", "01", "53"]
    assert "bad field header" in parsed.problem


def test_static_code_without_amount_and_unknown_bank():
    static = build([("00", "01"), ("01", "11"),
                    ("38", [("00", "A000000727"), ("01", [("00", "123456"), ("01", "42")]), ("02", "QRIBFTTC")]),
                    ("53", "840")])
    report = inspect(static)
    assert {"no_amount", "unknown_bank", "not_vnd", "no_receiver_name"} <= codes(report)
    assert field(report, "card") == "42"
    assert field(report, "code_type") == "Mã tĩnh: Bác tự nhập số tiền"


@pytest.mark.parametrize("url, expected", [
    ("https://www.vietcombank.com.vn/vi-VN", {"official"}),
    ("http://vietcombank.com.vn", {"http", "official"}),
    ("https://vietcornbank-xacthuc.test/dang-nhap", {"lookalike"}),
    ("https://vietcombank.com.vn.xac-minh.top/", {"lookalike"}),
    ("https://bidv-hotro.com/", {"lookalike"}),
    ("https://m0mo.vn/", {"lookalike"}),
    ("https://dichvucong-gov.vn/", {"fake_gov"}),
    ("https://vneid.gov.vn.capnhat.info/", {"fake_gov"}),
    ("https://xn--vietcombnk-xyz.com/", {"punycode", "lookalike"}),
    ("https://vietcömbank.vn/", {"punycode", "lookalike"}),
    ("http://192.168.1.10/login", {"raw_ip", "http"}),
    ("http://3232235786/", {"raw_ip", "http"}),
    ("https://[2001:db8::1]/", {"raw_ip"}),
    ("https://bit.ly/3abcd", {"shortener"}),
    ("https://example.org/app/vneid-cap2.apk", {"apk"}),
    ("https://vietcombank.com.vn@evil.example/", {"userinfo"}),
    ("http://nhan-qua-50k.test/nhan-tien.apk", {"http", "apk", "prize_bait"}),
    ("https://example.org/", {"visit"}),
    ("www.example.org", {"visit"}),
    ("http://[::1/", {"bad_url"}),
])
def test_links_name_each_trick(url, expected):
    report = inspect(url)
    assert report["kind"] == "link"
    assert codes(report) == expected


def test_a_link_shows_the_site_it_opens_in_big_text():
    report = inspect("https://vietcombank.com.vn@evil.example/x")
    assert field(report, "site") == "evil.example"
    assert [f["big"] for f in report["fields"]] == [True, False]


@pytest.mark.parametrize("payload, expected, password", [
    ("WIFI:T:WPA;S:Cà phê Luka;P:lukacafe2025;;", {"wifi_ok"}, "lukacafe2025"),
    ("WIFI:S:Free Wifi;T:nopass;;", {"wifi_open"}, "Không có mật khẩu"),
    ("WIFI:T:WPA;S:Quán\\; Luka;P:;;", {"wifi_open"}, "Không có mật khẩu"),
    ("WIFI:T:WEP;S:old;P:12345;;", {"wifi_wep"}, "12345"),
    ("WIFI:T:WPA;P:x;;", {"wifi_bad", "wifi_ok"}, "x"),
])
def test_wifi_codes_and_open_networks(payload, expected, password):
    report = inspect(payload)
    assert report["kind"] == "wifi" and codes(report) == expected
    assert field(report, "password") == password


def test_wifi_escapes_are_undone():
    assert field(inspect("WIFI:T:WPA;S:Quán\\; Luka\\\\;P:a\\:b;;"), "network") == "Quán; Luka\\"


def test_vcard_and_mecard_contacts():
    vcard = inspect("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Nguyễn;An\r\nFN:Nguyễn Văn An\r\nTEL;TYPE=CELL:0901 234 567\r\n"
                    "EMAIL:an@example.org\r\nORG:Phường Bình Thạnh\r\nEND:VCARD")
    assert vcard["kind"] == "contact" and codes(vcard) == {"contact"}
    assert field(vcard, "name") == "Nguyễn Văn An" and field(vcard, "phone") == "0901 234 567"
    mecard = inspect("MECARD:N:Tran,Binh;TEL:0912345678;EMAIL:b@example.org;;")
    assert field(mecard, "name") == "Binh Tran" and field(mecard, "phone") == "0912345678"


def test_a_contact_posing_as_bank_care_is_dangerous():
    report = inspect("BEGIN:VCARD\nFN:CSKH Ngân hàng Vietcombank\nTEL:+84 888 000 111\nEND:VCARD")
    assert codes(report) == {"impersonation"} and report["verdict"] == "danger"


@pytest.mark.parametrize("payload, kind, expected", [
    ("tel:+84901234567", "phone", {"call"}),
    ("tel:19001234", "phone", {"premium", "call"}),
    ("tel:+8419001234", "phone", {"premium", "call"}),
    ("tel:+1 202 555 0100", "phone", {"foreign", "call"}),
    ("SMSTO:0901234567:Chao ban", "sms", {"sms"}),
    ("SMSTO:9029:DK V90", "sms", {"short_code", "sms"}),
    ("sms:0901234567?body=Ma%20OTP%20cua%20toi%20la%20123456", "sms", {"otp", "sms"}),
    ("mailto:an@example.org?subject=Chao", "email", {"email"}),
    ("MATMSG:TO:an@example.org;SUB:Mat khau;BODY:x;;", "email", {"otp", "email"}),
])
def test_calls_messages_and_mail(payload, kind, expected):
    report = inspect(payload)
    assert report["kind"] == kind and codes(report) == expected


@pytest.mark.parametrize("payload, expected", [
    ("Chúc mừng năm mới", {"plain_text"}),
    ("Quét mã nhận 50.000đ tại https://qua-tang.example", {"prize_bait"}),
    ("Ngân hàng thông báo: gửi mã OTP để nhận hoàn tiền", {"prize_bait", "otp", "impersonation"}),
    ("Xem tại http://192.168.0.1", {"raw_ip", "http"}),
    ("", {"empty"}),
    ("   \n", {"empty"}),
    ("\x00\x01\x02\x03binary\x04\x05", {"binary"}),
])
def test_plain_text(payload, expected):
    assert codes(inspect(payload)) == expected


def test_bytes_are_accepted_and_decoded():
    assert inspect("Cà phê".encode("utf-8"))["fields"][0]["value"] == "Cà phê"
    assert inspect(LUKA.encode("ascii"))["kind"] == "vietqr"
    assert codes(inspect(b"\xff\xfe\x00\x00\x01\x02")) == {"binary"}


def test_every_card_explains_itself_the_way_the_drill_says():
    kinds = {card.id: inspect(card.payload) for card in CARDS}
    assert codes(kinds["luka-ok"]) == {"check_receiver"}
    assert "bad_crc" in codes(kinds["luka-broken"])
    assert codes(kinds["bank-lookalike"]) == {"lookalike"}
    assert {"apk", "http", "prize_bait"} <= codes(kinds["sticker-50k"])
    assert codes(kinds["cafe-wifi"]) == {"wifi_ok"}


def test_the_words_speak_to_bac_and_a_1900_number_is_not_called_a_scam():
    """Advice is addressed to the learner ("Bác đừng…"), never a bare "Hãy…"/"Đừng…"; EVNHCMC's real
    hotline is a 1900 number, so the warning is about the cost and where to find the right number."""
    for code, (_level, text) in WARNINGS.items():
        assert not re.search(r"(^|[.:;]\s+)(Hãy|Đừng)\b", text), code
    premium = inspect("tel:1900545454")["warnings"]
    text = next(w["text"] for w in premium if w["code"] == "premium")
    assert text == ("Số 1900545454 có đầu 1900: gọi tới số này bị tính cước cao hơn. "
                    "Bác chỉ gọi khi đó là số in trên hóa đơn hay trên thẻ của Bác.")
    assert next(w["text"] for w in inspect(LUKA)["warnings"]).endswith("so với tên in ở quầy hoặc tên người bán nói.")


def test_all_words_are_nfc_vietnamese_and_reports_are_json():
    for _level, text in WARNINGS.values():
        assert unicodedata.is_normalized("NFC", text)
    decomposed = unicodedata.normalize("NFD", "Cà phê Luka")
    report = inspect(decomposed)
    assert unicodedata.is_normalized("NFC", report["fields"][0]["value"])
    for card in CARDS:
        json.dumps(inspect(card.payload), ensure_ascii=False)
        assert unicodedata.is_normalized("NFC", card.explanation)
