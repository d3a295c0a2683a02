"""Where a link in a QR code leads, and the tricks a fake link uses, named in plain words.

Checked: http without "s"; a bare IP address (also the decimal and hex forms browsers accept);
punycode or non-Latin letters in the name; names that imitate a Vietnamese bank, e-wallet or
government site (the brand inside another domain, or the brand spelt with look-alike letters such
as "rn" for "m" or "0" for "o"); URL shorteners; a "user@" part that hides the real host; and a
direct download of an Android app (.apk), the way "install level-2 e-ID" scams spread malware.
"""
import ipaddress
import re
from urllib.parse import urlsplit

from kiosk.qr.report import Report
from kiosk.qr.scams import promises_money

# Official sites learners are told to trust; a subdomain of one (e.g. www.) counts as the same site.
OFFICIAL: dict[str, str] = {
    "vietcombank.com.vn": "Vietcombank", "vietinbank.vn": "VietinBank", "bidv.com.vn": "BIDV",
    "agribank.com.vn": "Agribank", "techcombank.com": "Techcombank", "techcombank.com.vn": "Techcombank",
    "mbbank.com.vn": "MB", "acb.com.vn": "ACB", "vpbank.com.vn": "VPBank", "tpb.vn": "TPBank",
    "sacombank.com.vn": "Sacombank", "hdbank.com.vn": "HDBank", "vib.com.vn": "VIB", "shb.com.vn": "SHB",
    "napas.com.vn": "NAPAS", "momo.vn": "ví MoMo", "zalopay.vn": "ví ZaloPay", "vnpay.vn": "VNPAY",
    "viettelmoney.vn": "Viettel Money", "shopeepay.vn": "ShopeePay",
    "dichvucong.gov.vn": "Cổng Dịch vụ công quốc gia", "vneid.gov.vn": "VNeID",
    "baohiemxahoi.gov.vn": "Bảo hiểm xã hội Việt Nam", "binhdanhocvuso.gov.vn": "Bình dân học vụ số",
    "chinhphu.vn": "Cổng thông tin điện tử Chính phủ",
}
GOVERNMENT = {domain for domain in OFFICIAL if domain.endswith(".gov.vn") or domain == "chinhphu.vn"}
# The name each official site is known by, e.g. "vietcombank" → "vietcombank.com.vn".
BRANDS: dict[str, str] = {domain.split(".")[0]: domain for domain in OFFICIAL}
SHORTENERS = frozenset({"bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "is.gd", "v.gd", "ow.ly",
                        "buff.ly", "rb.gy", "cutt.ly", "shorturl.at", "tiny.cc", "t.ly", "s.id",
                        "rebrand.ly", "shorte.st", "bl.ink", "lnkd.in", "tiny.one"})
SECOND_LEVEL = frozenset({"com.vn", "net.vn", "org.vn", "gov.vn", "edu.vn", "ac.vn", "info.vn", "biz.vn",
                          "name.vn", "pro.vn", "health.vn", "int.vn", "co.uk", "com.au", "co.jp"})
# Letters a fake name swaps in because they look alike on a phone screen.
CONFUSABLES = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("3", "e"), ("5", "s"), ("@", "a"))
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]+|\d+)(\.(0x[0-9a-f]+|\d+)){0,3}")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]{1,20}:", re.IGNORECASE)


def looks_like_link(text: str) -> bool:
    lower = text[:12].lower()
    return lower.startswith(("http://", "https://", "www.")) or bool(_SCHEME.match(text) and "//" in text[:30])


def registrable_domain(host: str) -> str:
    """"a.b.vietcombank.com.vn" → "vietcombank.com.vn"; a short list of two-part suffixes stands in for the PSL."""
    labels = host.rstrip(".").split(".")
    take = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in SECOND_LEVEL else 2
    return ".".join(labels[-take:])


def _official(host: str) -> str | None:
    return next((d for d in OFFICIAL if host == d or host.endswith("." + d)), None)


def _unconfused(word: str) -> str:
    for fake, real in CONFUSABLES:
        word = word.replace(fake, real)
    return word


def _one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by changing, adding or removing one letter."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def imitated_site(host: str) -> str | None:
    """The official domain that ``host`` (not itself official) imitates, if any."""
    for word in re.split(r"[.\-_]", host)[:20]:
        plain = _unconfused(word)
        for brand, domain in BRANDS.items():
            if plain == brand or (len(brand) >= 5 and brand in plain) or (len(brand) >= 6 and _one_edit_apart(plain, brand)):
                return domain
    return None


def inspect_link(text: str) -> Report:
    report = Report("link")
    url = text.strip()
    report.details["url"] = url
    has_scheme = "//" in url[:30]
    try:
        parts = urlsplit(url if has_scheme else "//" + url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        report.add("url", url)
        report.warn("bad_url")
        return report
    scheme = parts.scheme.lower() if has_scheme else "https"  # "www.…": the phone picks; not counted as http
    domain = host if not host or _is_ip(host) else registrable_domain(host)
    report.details.update(scheme=scheme, host=host, domain=domain, path=parts.path)
    report.add("site", domain or host or url, big=True)
    report.add("url", url)
    if scheme not in ("http", "https"):
        report.warn("odd_scheme", scheme=scheme)
    if not host:
        report.warn("bad_url")
        return report
    _check_host(report, host, domain, "@" in parts.netloc)
    if scheme == "http":
        report.warn("http")
    if domain in SHORTENERS:
        report.warn("shortener", domain=domain)
    if parts.path.lower().endswith(".apk") or ".apk" in parts.query.lower():
        report.warn("apk")
    if promises_money(host + " " + parts.path + " " + parts.query):
        report.warn("prize_bait")
    official = _official(host)
    if official:
        report.warn("official", brand=OFFICIAL[official])
    elif not report.warnings:
        report.warn("visit", domain=domain)
    return report


def _check_host(report: Report, host: str, domain: str, has_userinfo: bool) -> None:
    if has_userinfo:
        report.warn("userinfo", host=host)
    if _is_ip(host):
        report.warn("raw_ip", host=host)
        return
    if not host.isascii() or any(label.startswith("xn--") for label in host.split(".")):
        report.warn("punycode", host=host)
    if _official(host):
        return
    imitated = imitated_site(host)
    words = set(re.split(r"[.\-_]", host))
    if (imitated in GOVERNMENT) or ("gov" in words and not host.endswith(".gov.vn")):
        report.warn("fake_gov", domain=domain)
    elif imitated:
        report.warn("lookalike", domain=domain, brand=OFFICIAL[imitated], official=imitated)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_NUMERIC_HOST.fullmatch(host))
