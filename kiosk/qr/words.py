"""What the kiosk says about a QR code, in one place, in plain words for older learners.

Each warning has a code (stable, for tests and grading), a level and a sentence that names the
danger and says what to do. ``info`` explains, ``caution`` asks for care, ``danger`` says "do not".

Every sentence is a gettext message (English here, Vietnamese in ``kiosk/locale/vi``, where it
speaks to the learner as "Bác", as the lessons do). The tables
translate when they are read, not when this module is imported, so the words follow the kiosk's
language (``kiosk.i18n.use_language``) wherever they are shown: the drill screen, the CLI.
"""
from collections.abc import Mapping
from typing import Iterator, Literal, TypeVar

from kiosk.i18n import N_, _

Level = Literal["info", "caution", "danger"]
LEVELS: tuple[Level, ...] = ("info", "caution", "danger")
V = TypeVar("V")


class Translated(Mapping[str, V]):
    """A read-only table of messages, each translated into the current language when read."""

    def __init__(self, messages: dict[str, V]) -> None:
        self._messages = messages

    def __getitem__(self, key: str) -> V:
        value = self._messages[key]
        if isinstance(value, tuple):
            level, text = value
            return (level, _(text))
        return _(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

TITLES: Mapping[str, str] = Translated({
    "vietqr": N_("VietQR money transfer code"),
    "emv": N_("Payment code"),
    "link": N_("A link to a web page"),
    "wifi": N_("Wi-Fi network details"),
    "contact": N_("Business card (contact details)"),
    "phone": N_("A phone number to call"),
    "sms": N_("A ready-written text message"),
    "email": N_("A ready-written email"),
    "text": N_("Plain text"),
    "binary": N_("Machine data"),
    "empty": N_("Empty code"),
})

LABELS: Mapping[str, str] = Translated({
    "receiver": N_("Receiver"),
    "amount": N_("Amount"),
    "note": N_("Message"),
    "bank": N_("Bank"),
    "account": N_("Account number"),
    "card": N_("Card number"),
    "code_type": N_("Kind of code"),
    "city": N_("City"),
    "site": N_("Site that will open"),
    "url": N_("Full address"),
    "network": N_("Network name"),
    "password": N_("Password"),
    "security": N_("Protection"),
    "name": N_("Name"),
    "phone": N_("Phone number"),
    "email": N_("Email"),
    "organisation": N_("Workplace"),
    "to": N_("Send to"),
    "message": N_("Content"),
    "text": N_("Content"),
})

# Shown as values; translate where shown (``_(NO_NAME)``).
STATIC_CODE = N_("Static code: you type the amount")
DYNAMIC_CODE = N_("Dynamic code: the amount is filled in")
NO_AMOUNT = N_("Not filled in, you type it")
NO_NAME = N_("Not written in the code")
OPEN_NETWORK = N_("No password")

WARNINGS: Mapping[str, tuple[Level, str]] = Translated({
    # Payment codes
    "bad_crc": ("danger", N_("This code was changed or damaged: the check number at its end does not match its "
                             "content. Do not send money with this code.")),
    "no_crc": ("danger", N_("This code was changed or damaged: the check number at its end is missing. Do not send "
                            "money with this code.")),
    "malformed": ("danger", N_("This code was changed or damaged: what is inside is broken and cannot be read in full. "
                               "Do not send money with this code.")),
    "bad_amount": ("danger", N_("This code was changed or damaged: the amount “{amount}” is not a number. Do not send "
                                "money with this code.")),
    "no_account": ("danger", N_("The code gives no account number for the receiver. Do not send money with this code.")),
    "not_napas": ("caution", N_("This is a payment code, but not in NAPAS's VietQR standard. Ask the seller whether it "
                                "really is their code.")),
    "unknown_bank": ("caution", N_("No bank with the code {bin} is on the list. Ask the receiver again before sending money.")),
    "not_vnd": ("caution", N_("The amount is not in Vietnamese đồng (currency code {currency}). Ask the seller again.")),
    "no_amount": ("info", N_("The code does not fill in the amount. You will type it yourself: ask the seller "
                             "carefully.")),
    "no_receiver_name": ("info", N_("The code does not give the receiver's name. Your bank app will show the real name: read "
                                    "it carefully before sending.")),
    "check_receiver": ("info", N_("Before you press send, read the receiver's name that your bank app shows and compare it "
                                  "with the name printed at the counter or given by the seller.")),
    # Links
    "http": ("caution", N_("This site is not protected (its address starts with “http”, without the “s”): others can "
                           "see or change what you send. Do not type a password or an account number.")),
    "raw_ip": ("danger", N_("The site's address is a row of numbers ({host}) instead of a name. Banks, e-wallets and "
                            "government offices never use an address like this.")),
    "punycode": ("danger", N_("The site's name hides unusual letters ({host}) to look like a familiar site. Do not open "
                              "it.")),
    "lookalike": ("danger", N_("The site “{domain}” imitates {brand} but is not the real site. The real site of {brand} "
                               "is “{official}”.")),
    "fake_gov": ("danger", N_("The site “{domain}” pretends to be a government office. Government sites end in "
                              "“.gov.vn”.")),
    "shortener": ("caution", N_("This is a shortened link ({domain}): there is no telling which site it leads to. Do not "
                                "open it unless you know who made this code.")),
    "apk": ("danger", N_("This link downloads an app (an .apk file) straight to the phone. Only install apps from "
                         "CH Play or the App Store; never install an app from an unknown link.")),
    "userinfo": ("danger", N_("The address has an “@” to trick you: the site that really opens is “{host}”.")),
    "bad_url": ("caution", N_("The site's address is broken and cannot be read.")),
    "odd_scheme": ("danger", N_("This code gives the phone an unusual command (“{scheme}:”) instead of opening a normal "
                                "web page. Do not open it.")),
    "official": ("info", N_("This is the official address of {brand}.")),
    "visit": ("info", N_("Opening this link goes to the site “{domain}”. Only open it if you know that site well.")),
    # Wi-Fi
    "wifi_open": ("caution", N_("This Wi-Fi network has no password: strangers nearby can see what you do online. Do not "
                                "sign in to your bank or send money on this network.")),
    "wifi_wep": ("caution", N_("This network uses an old kind of lock (WEP) that is very easy to break. Do not send "
                               "money on this network.")),
    "wifi_ok": ("info", N_("The Wi-Fi network has a password. It is fine for reading news and watching videos; when "
                           "you send money, your own mobile data (4G) is still safer.")),
    "wifi_bad": ("caution", N_("The Wi-Fi details in the code are broken: the network name is missing.")),
    # Contacts, calls, messages
    "contact": ("info", N_("This is a business card: saving the number on your phone is not dangerous. But do not "
                           "trust someone just because the name in your contacts sounds like a bank or the police.")),
    "impersonation": ("danger", N_("The name “{name}” pretends to be a bank, the police or a government office. Cheats use "
                                   "names like this to make scam calls. Do not save it, do not call back.")),
    "call": ("info", N_("This code will call the number {number}. Only call if you know whose number it is.")),
    "premium": ("caution", N_("The number {number} starts with 1900: calls to it are charged at a higher rate. Only call "
                              "it if it is the number printed on your bill or card.")),
    "foreign": ("caution", N_("This is a foreign number ({number}): calling costs a lot, and scammers often use foreign "
                              "numbers.")),
    "sms": ("info", N_("This code writes a text message to the number {number}. Read it carefully before you "
                       "press send.")),
    "short_code": ("caution", N_("A message to the short number {number} may cost money or sign you up to a service. Do "
                                 "not send it unless you are sure.")),
    "email": ("info", N_("This code writes an email to {address}. Read it carefully before sending.")),
    # Any text
    "prize_bait": ("danger", N_("Promising money, gifts or a “refund” for scanning a code is a very common trick. Do not "
                                "follow it.")),
    "otp": ("danger", N_("The content mentions an OTP code or a password. Never give an OTP code or a password to "
                         "anyone, even someone who says they are the bank or the police.")),
    "plain_text": ("info", N_("This is only text: it opens no site and sends no money.")),
    "binary": ("caution", N_("This code holds machine data, not text to read.")),
    "too_long": ("caution", N_("This code is unusually long; the kiosk reads only its beginning.")),
    "empty": ("info", N_("This code has nothing in it.")),
})
