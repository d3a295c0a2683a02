"""Wi-Fi through nmcli: QR codes and nmcli's output are untrusted; nmcli's failures become plain words."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.wifi import Network, WifiCode, WifiError, connect, parse_wifi_code, scan, split_terse
from kiosk.i18n import use_language
from tests.helpers import FakeNmcli

SCAN = ("Cà phê Luka:82:WPA2\n"
        "Nha\\:Van\\:Hoa:40:WPA1 WPA2\n"
        "Cà phê Luka:31:WPA2\n"
        ":70:WPA2\n"
        "Free WiFi:55:\n"
        "garbage line\n")


@pytest.fixture(autouse=True)
def english():
    use_language("en")
    yield
    use_language("vi")


def test_a_wpa_code_joins_with_its_password_as_its_own_argument() -> None:
    nmcli = FakeNmcli()
    code = parse_wifi_code("WIFI:T:WPA;S:Cà phê Luka;P:pass\\;word 1;H:true;;")
    assert code == WifiCode("Cà phê Luka", "pass;word 1", "WPA", hidden=True)
    assert connect(code, nmcli) == "Connected to the Wi-Fi network Cà phê Luka."
    assert nmcli.calls == [["--wait", "40", "device", "wifi", "connect", "Cà phê Luka", "password", "pass;word 1",
                            "hidden", "yes"]]


def test_an_open_network_joins_without_a_password() -> None:
    nmcli = FakeNmcli()
    connect(parse_wifi_code("WIFI:T:nopass;S:Thư viện;;"), nmcli)
    assert nmcli.calls == [["--wait", "40", "device", "wifi", "connect", "Thư viện"]]


@pytest.mark.parametrize("text, words", [
    ("https://example.com", "not a Wi-Fi code"),
    ("WIFI:T:WPA;S:;P:12345678;;", "name cannot be used"),
    ("WIFI:T:WPA;S:" + "x" * 33 + ";P:12345678;;", "name cannot be used"),
    ("WIFI:T:WPA;S:Luka;P:short;;", "8 to 63 characters"),
    ("WIFI:T:WPA;S:Lu\x07ka;P:12345678;;", "name cannot be used"),
])
def test_unusable_codes_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(WifiError, match=words):
        parse_wifi_code(text)


@pytest.mark.parametrize("code, stderr, words", [
    (4, "Error: Connection activation failed: Secrets were required, but not provided.", "password is wrong"),
    (10, "Error: No network with SSID 'Luka' found.", "not in range"),
    (8, "Error: NetworkManager is not running.", "NetworkManager is not running"),
    (3, "Error: Timeout expired", "did not answer in time"),
    (1, "Error: unknown", "nmcli exit code 1"),
])
def test_nmcli_failures_say_what_to_do(code: int, stderr: str, words: str) -> None:
    with pytest.raises(WifiError, match=words):
        connect(WifiCode("Luka", "12345678", "WPA"), FakeNmcli(code, stderr=stderr))


def test_scan_lists_each_named_network_once_strongest_first() -> None:
    assert scan(FakeNmcli(stdout=SCAN)) == [Network("Cà phê Luka", 82, True), Network("Free WiFi", 55, False),
                                            Network("Nha:Van:Hoa", 40, True)]


def test_the_vietnamese_message_is_shown_by_default() -> None:
    use_language("vi")
    with pytest.raises(WifiError, match="Mật khẩu Wi-Fi không đúng"):
        connect(WifiCode("Luka", "12345678", "WPA"), FakeNmcli(4, stderr="Secrets were required"))


@given(st.text(max_size=300))
def test_any_qr_text_gives_a_code_or_a_reason(text: str) -> None:
    try:
        code = parse_wifi_code(text)
    except WifiError as exc:
        assert str(exc)
        return
    assert 0 < len(code.ssid.encode()) <= 32 and all(ord(c) >= 32 for c in code.ssid + code.password)


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=20),
                min_size=1, max_size=5))
def test_terse_fields_round_trip_through_nmcli_escaping(fields: list[str]) -> None:
    line = ":".join(field.replace("\\", "\\\\").replace(":", "\\:") for field in fields)
    assert split_terse(line) == fields


@given(st.text(max_size=2000))
def test_scan_survives_any_output(stdout: str) -> None:
    for network in scan(FakeNmcli(stdout=stdout)):
        assert 0 <= network.signal <= 100 and network.ssid
