"""Wi-Fi through nmcli: QR codes and nmcli's output are untrusted; nmcli's failures become plain words."""
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.wifi import (ENTERPRISE, OPEN, WEP, WPA, Network, WifiCode, WifiError, connect, current_network,
                        parse_wifi_code, scan, split_terse)
from kiosk.i18n import use_language
from tests.helpers import FakeNmcli

SCAN = ("Cà phê Luka:82:WPA2\n"
        "Nha\\:Van\\:Hoa:40:WPA1 WPA2\n"
        "Cà phê Luka:31:WPA2\n"
        ":70:WPA2\n"
        "Free WiFi:55:\n"
        "Quán cũ:50:WEP\n"
        "Công ty:45:WPA2 802.1X\n"
        "Nhà riêng:44:WPA3\n"
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
    assert scan(FakeNmcli(stdout=SCAN)) == [
        Network("Cà phê Luka", 82, WPA), Network("Free WiFi", 55, OPEN), Network("Quán cũ", 50, WEP),
        Network("Công ty", 45, ENTERPRISE), Network("Nhà riêng", 44, WPA), Network("Nha:Van:Hoa", 40, WPA)]


def test_the_network_the_kiosk_is_on_is_read_from_the_last_scan() -> None:
    nmcli = FakeNmcli(current="Nhà: văn hoá")
    assert current_network(nmcli) == "Nhà: văn hoá"
    assert nmcli.calls == [["--terse", "--escape", "yes", "--fields", "ACTIVE,SSID", "device", "wifi", "list",
                            "--rescan", "no"]]
    assert current_network(FakeNmcli(stdout="no:Hàng xóm\nno:Quán 7\n")) is None
    assert current_network(FakeNmcli(stdout="yes:\nyes:" + "x" * 40 + "\n")) is None  # hidden or garbled: none named
    with pytest.raises(WifiError, match="NetworkManager is not running"):
        current_network(FakeNmcli(8))


@pytest.mark.parametrize("key", ["abcde", "13-characters", "0a1b2c3d4e", "0123456789abcdef0123456789"])
def test_a_wep_network_gets_a_profile_with_key_mgmt_none_and_its_key_in_wep_key0(key: str) -> None:
    nmcli = FakeNmcli()
    assert connect(WifiCode("Quán cũ", key, WEP), nmcli) == "Connected to the Wi-Fi network Quán cũ."
    assert nmcli.calls == [
        ["connection", "delete", "id", "Quán cũ"],
        ["connection", "add", "type", "wifi", "con-name", "Quán cũ", "ssid", "Quán cũ", "wifi-sec.key-mgmt", "none",
         "wifi-sec.wep-key-type", "1", "wifi-sec.wep-key0", key],
        ["--wait", "40", "connection", "up", "id", "Quán cũ"]]


def test_a_wep_code_from_a_qr_joins_the_same_way_and_a_wrong_key_is_not_kept() -> None:
    code = parse_wifi_code("WIFI:T:WEP;S:Quán cũ;P:abcde;H:true;;")
    assert code == WifiCode("Quán cũ", "abcde", WEP, hidden=True)
    nmcli = FakeNmcli(4, stderr="Error: Connection activation failed: (7) Secrets were required, but not provided.")
    with pytest.raises(WifiError, match="password is wrong"):
        connect(code, nmcli)
    assert nmcli.calls[0] == ["connection", "delete", "id", "Quán cũ"]
    assert len(nmcli.calls) == 2  # the profile could not even be added: nothing to bring up
    calls = []

    def up_refused(argv) -> subprocess.CompletedProcess:  # the profile is added, the key is wrong
        calls.append(list(argv))
        return subprocess.CompletedProcess(["nmcli", *argv], 4 if "up" in argv else 0, "", "Secrets were required")

    with pytest.raises(WifiError, match="password is wrong"):
        connect(code, up_refused)
    assert "wifi.hidden" in calls[1] and calls[-1] == ["connection", "delete", "id", "Quán cũ"]


@pytest.mark.parametrize("key", ["abcd", "abcdef", "0a1b2c3d4g", "quá dài13chữ", "x" * 26])
def test_a_wep_key_of_the_wrong_length_is_refused_before_nmcli(key: str) -> None:
    nmcli = FakeNmcli()
    with pytest.raises(WifiError, match="5 or 13 characters"):
        connect(WifiCode("Quán cũ", key, WEP), nmcli)
    assert nmcli.calls == []


def test_an_enterprise_network_is_refused_in_words() -> None:
    nmcli = FakeNmcli()
    with pytest.raises(WifiError, match="user name as well as a password"):
        connect(WifiCode("Công ty", "", ENTERPRISE), nmcli)
    assert nmcli.calls == []
    use_language("vi")
    with pytest.raises(WifiError, match="WEP"):
        connect(WifiCode("Quán cũ", "abc", WEP), nmcli)


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
