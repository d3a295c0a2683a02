"""What the kiosk says about a QR code, in one place, in plain Vietnamese (NFC) for older learners.

Each warning has a code (stable, for tests and grading), a level and a sentence that names the
danger and says what to do. ``info`` explains, ``caution`` asks for care, ``danger`` says "do not".
"""
from typing import Literal

Level = Literal["info", "caution", "danger"]
LEVELS: tuple[Level, ...] = ("info", "caution", "danger")

TITLES = {
    "vietqr": "Mã chuyển tiền VietQR",
    "emv": "Mã thanh toán",
    "link": "Đường link tới một trang web",
    "wifi": "Thông tin mạng Wi-Fi",
    "contact": "Danh thiếp (thông tin liên hệ)",
    "phone": "Số điện thoại để gọi",
    "sms": "Tin nhắn soạn sẵn",
    "email": "Thư điện tử soạn sẵn",
    "text": "Chữ viết thường",
    "binary": "Dữ liệu máy",
    "empty": "Mã trống",
}

LABELS = {
    "receiver": "Người nhận",
    "amount": "Số tiền",
    "note": "Nội dung",
    "bank": "Ngân hàng",
    "account": "Số tài khoản",
    "card": "Số thẻ",
    "code_type": "Loại mã",
    "city": "Thành phố",
    "site": "Trang sẽ mở",
    "url": "Địa chỉ đầy đủ",
    "network": "Tên mạng",
    "password": "Mật khẩu",
    "security": "Kiểu bảo vệ",
    "name": "Tên",
    "phone": "Số điện thoại",
    "email": "Thư điện tử",
    "organisation": "Nơi làm việc",
    "to": "Gửi tới",
    "message": "Nội dung",
    "text": "Nội dung",
}

STATIC_CODE = "Mã tĩnh: Bác tự nhập số tiền"
DYNAMIC_CODE = "Mã động: số tiền ghi sẵn"
NO_AMOUNT = "Chưa ghi, Bác tự nhập"
NO_NAME = "Không ghi trong mã"
OPEN_NETWORK = "Không có mật khẩu"

_TAMPERED = "Mã này đã bị sửa hoặc hỏng"
_NO_TRANSFER = "Đừng chuyển tiền theo mã này."

WARNINGS: dict[str, tuple[Level, str]] = {
    # Payment codes
    "bad_crc": ("danger", f"{_TAMPERED}: số kiểm tra ở cuối mã không khớp với nội dung. {_NO_TRANSFER}"),
    "no_crc": ("danger", f"{_TAMPERED}: thiếu số kiểm tra ở cuối mã. {_NO_TRANSFER}"),
    "malformed": ("danger", f"{_TAMPERED}: nội dung bên trong bị lỗi, không đọc được đầy đủ. {_NO_TRANSFER}"),
    "bad_amount": ("danger", f"{_TAMPERED}: số tiền “{{amount}}” không phải là một con số. {_NO_TRANSFER}"),
    "no_account": ("danger", f"Mã không ghi số tài khoản người nhận. {_NO_TRANSFER}"),
    "not_napas": ("caution", "Đây là mã thanh toán nhưng không theo chuẩn VietQR của NAPAS. "
                             "Hãy hỏi người bán xem có đúng là mã của họ không."),
    "unknown_bank": ("caution", "Không tìm thấy ngân hàng có mã {bin} trong danh sách. "
                                "Hãy hỏi lại người nhận trước khi chuyển."),
    "not_vnd": ("caution", "Số tiền không tính bằng đồng Việt Nam (mã tiền tệ {currency}). Hãy hỏi lại người bán."),
    "no_amount": ("info", "Mã không ghi sẵn số tiền. Bác sẽ tự nhập số tiền: hãy hỏi kỹ người bán."),
    "no_receiver_name": ("info", "Mã không ghi tên người nhận. Ứng dụng ngân hàng sẽ hiện tên thật: "
                                 "hãy đọc kỹ trước khi chuyển."),
    "check_receiver": ("info", "Trước khi bấm chuyển, hãy đọc tên người nhận mà ứng dụng ngân hàng hiện ra "
                               "và so với tên quán hoặc tên người bán."),
    # Links
    "http": ("caution", "Trang này không được bảo vệ (địa chỉ bắt đầu bằng “http”, thiếu chữ “s”): "
                        "người khác có thể xem hoặc sửa những gì Bác gửi. Đừng nhập mật khẩu hay số tài khoản."),
    "raw_ip": ("danger", "Địa chỉ trang là một dãy số ({host}) thay vì tên. Ngân hàng, ví điện tử "
                         "hay cơ quan nhà nước không bao giờ dùng địa chỉ kiểu này."),
    "punycode": ("danger", "Tên trang có chữ lạ được ngụy trang ({host}) để trông giống một trang quen. Đừng mở."),
    "lookalike": ("danger", "Tên trang “{domain}” bắt chước {brand} nhưng không phải trang thật. "
                            "Trang thật của {brand} là “{official}”."),
    "fake_gov": ("danger", "Tên trang “{domain}” giả làm trang của cơ quan nhà nước. "
                           "Trang của cơ quan nhà nước có đuôi “.gov.vn”."),
    "shortener": ("caution", "Đây là link rút gọn ({domain}): không biết nó sẽ dẫn tới trang nào. "
                             "Đừng mở nếu không biết rõ ai làm ra mã này."),
    "apk": ("danger", "Link này tải thẳng một ứng dụng (tệp .apk) về máy. Chỉ cài ứng dụng từ CH Play "
                      "hoặc App Store; không bao giờ cài ứng dụng từ link lạ."),
    "userinfo": ("danger", "Địa chỉ có ký tự “@” để đánh lừa: trang thật sẽ mở là “{host}”."),
    "bad_url": ("caution", "Địa chỉ trang bị lỗi, không đọc được."),
    "odd_scheme": ("danger", "Mã này ra lệnh lạ cho điện thoại (“{scheme}:”) chứ không mở một trang web bình thường. Đừng mở."),
    "official": ("info", "Đây là địa chỉ chính thức của {brand}."),
    "visit": ("info", "Mở link này sẽ vào trang “{domain}”. Chỉ mở khi Bác biết rõ trang đó."),
    # Wi-Fi
    "wifi_open": ("caution", "Mạng Wi-Fi này không có mật khẩu: người lạ ở gần có thể xem Bác làm gì trên mạng. "
                             "Đừng đăng nhập ngân hàng hay chuyển tiền khi dùng mạng này."),
    "wifi_wep": ("caution", "Mạng này dùng kiểu khóa cũ (WEP), rất dễ bị bẻ. Đừng chuyển tiền khi dùng mạng này."),
    "wifi_ok": ("info", "Mạng Wi-Fi có mật khẩu. Dùng để đọc tin, xem video được; khi chuyển tiền, "
                        "dùng mạng di động (4G) của Bác vẫn an toàn hơn."),
    "wifi_bad": ("caution", "Thông tin Wi-Fi trong mã bị lỗi, thiếu tên mạng."),
    # Contacts, calls, messages
    "contact": ("info", "Đây là danh thiếp: lưu số vào máy không nguy hiểm. Nhưng đừng tin một người "
                        "chỉ vì tên trong danh bạ nghe giống ngân hàng hay công an."),
    "impersonation": ("danger", "Tên “{name}” giả làm ngân hàng, công an hoặc cơ quan nhà nước. Kẻ gian hay dùng "
                                "tên như vậy để gọi lừa. Đừng lưu, đừng gọi lại."),
    "call": ("info", "Mã này sẽ gọi điện tới số {number}. Chỉ gọi khi Bác biết đó là số của ai."),
    "premium": ("caution", "Số {number} là số dịch vụ tính cước cao (đầu 1900): gọi lâu sẽ tốn nhiều tiền."),
    "foreign": ("caution", "Đây là số nước ngoài ({number}): gọi sẽ tốn nhiều tiền, "
                           "và kẻ lừa đảo hay dùng số nước ngoài."),
    "sms": ("info", "Mã này soạn sẵn một tin nhắn gửi tới số {number}. Đọc kỹ trước khi bấm gửi."),
    "short_code": ("caution", "Tin nhắn gửi tới đầu số ngắn {number} có thể bị trừ tiền hoặc tự đăng ký dịch vụ. "
                              "Đừng gửi nếu không rõ."),
    "email": ("info", "Mã này soạn sẵn một thư điện tử gửi tới {address}. Đọc kỹ trước khi gửi."),
    # Any text
    "prize_bait": ("danger", "Hứa cho tiền, tặng quà hay “hoàn tiền” khi quét mã là cách lừa rất hay gặp. "
                             "Đừng làm theo."),
    "otp": ("danger", "Nội dung nhắc tới mã OTP hay mật khẩu. Không bao giờ đưa mã OTP hay mật khẩu cho ai, "
                      "kể cả người xưng là ngân hàng hay công an."),
    "plain_text": ("info", "Đây chỉ là chữ: không mở trang nào, không chuyển tiền."),
    "binary": ("caution", "Mã này chứa dữ liệu máy, không phải chữ để đọc."),
    "too_long": ("caution", "Mã này dài bất thường; máy chỉ đọc phần đầu."),
    "empty": ("info", "Mã này không có nội dung."),
}
