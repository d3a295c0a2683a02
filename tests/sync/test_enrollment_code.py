"""The enrollment code a technician scans: it round-trips, and anything else is one clear refusal."""
import json

import pytest
from hypothesis import given, strategies as st

from sync.enrollment_code import BadEnrollmentCode, EnrollmentCode, parse_enrollment_code

CODE = EnrollmentCode("https://ward7.example.vn", "OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC", "Cà phê Luka")


def test_the_qr_payload_round_trips_and_is_small():
    assert parse_enrollment_code(CODE.text()) == CODE
    assert len(CODE.text().encode()) < 150  # a version 6-7 QR code at level M: easy for a kiosk camera


def test_a_code_typed_by_hand_is_the_address_and_the_token():
    assert parse_enrollment_code("  https://ward7.example.vn/  OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC\n") == \
        EnrollmentCode("https://ward7.example.vn", "OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC")


@pytest.mark.parametrize("text, why", [
    ("", "expected the scanned code"),
    ("https://vietqr.example/pay?amount=50000", "expected the scanned code"),
    ('{"bdhvs":"enroll","v":2,"url":"https://w.vn","token":"abcdefgh1234"}', "version 2"),
    ('{"bdhvs":"pay","v":1}', "not a kiosk enrollment code"),
    ('{"bdhvs":"enroll","v":1,"url":"ftp://w.vn","token":"abcdefgh1234"}', "not a server address"),
    ('{"bdhvs":"enroll","v":1,"url":"https://w.vn","token":"short"}', "token"),
    ('{"bdhvs":"enroll","v":1,"url":"https://w.vn:99999","token":"abcdefgh1234"}', "not a server address"),
    ('{"bdhvs":"enroll", "v":1', "damaged"),
    ("javascript:alert(1) abcdefgh1234", "not a server address"),
])
def test_anything_else_is_refused_with_a_reason(text, why):
    with pytest.raises(BadEnrollmentCode, match=why):
        parse_enrollment_code(text)


@given(st.one_of(st.text(max_size=300),
                 st.dictionaries(st.sampled_from(["bdhvs", "v", "url", "token", "venue"]),
                                 st.one_of(st.text(max_size=80), st.integers(), st.none(), st.just("enroll")))
                 .map(json.dumps)))
def test_untrusted_scans_never_raise_anything_but_a_refusal(text):
    try:
        code = parse_enrollment_code(text)
    except BadEnrollmentCode:
        return
    assert code.url.startswith(("http://", "https://")) and 8 <= len(code.token) <= 200
