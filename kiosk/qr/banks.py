"""Banks by the 6-digit BIN that VietQR puts in field 38 → 01 → 00.

Source: VietQR.io's public bank list, ``GET https://api.vietqr.io/v2/banks``, documented at
https://www.vietqr.io/api-bank (fields ``bin``, ``shortName``, ``name``); 63 entries as published
in 2025. Updated in December 2026 for the banks renamed since, so learners see the names their
bank apps now show: Oceanbank (970414) is MBV, CBBank (970444) VCBNeo, DongA Bank (970406) Vikki
Bank, Viet Capital Bank (970454) BVBank, PG Bank (970430) Ngân hàng TMCP Thịnh Vượng và Phát
Triển, and GPBank (970408), renamed Ngân hàng Kỷ Nguyên Thịnh Vượng in October 2025, keeps its
short name (the State Bank's review of 9/10/2025 reported by vietbao.vn; xe.today, 3/2025;
dnse.com.vn). Kept here, not fetched, because the kiosk works offline. When NAPAS adds a bank, a
code with its BIN shows "ngân hàng chưa có trong danh sách" until this table is updated.
"""
from typing import NamedTuple


class Bank(NamedTuple):
    short_name: str
    name: str


BANKS: dict[str, Bank] = {
    "970436": Bank("Vietcombank", "Ngân hàng TMCP Ngoại Thương Việt Nam"),
    "970415": Bank("VietinBank", "Ngân hàng TMCP Công thương Việt Nam"),
    "970418": Bank("BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam"),
    "970405": Bank("Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"),
    "970407": Bank("Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam"),
    "970432": Bank("VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng"),
    "970403": Bank("Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín"),
    "970422": Bank("MBBank", "Ngân hàng TMCP Quân đội"),
    "970437": Bank("HDBank", "Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh"),
    "970416": Bank("ACB", "Ngân hàng TMCP Á Châu"),
    "970443": Bank("SHB", "Ngân hàng TMCP Sài Gòn - Hà Nội"),
    "970441": Bank("VIB", "Ngân hàng TMCP Quốc tế Việt Nam"),
    "970423": Bank("TPBank", "Ngân hàng TMCP Tiên Phong"),
    "970448": Bank("OCB", "Ngân hàng TMCP Phương Đông"),
    "970426": Bank("MSB", "Ngân hàng TMCP Hàng Hải"),
    "970449": Bank("LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam"),
    "970428": Bank("NamABank", "Ngân hàng TMCP Nam Á"),
    "970419": Bank("NCB", "Ngân hàng TMCP Quốc Dân"),
    "970412": Bank("PVcomBank", "Ngân hàng TMCP Đại Chúng Việt Nam"),
    "970429": Bank("SCB", "Ngân hàng TMCP Sài Gòn"),
    "970431": Bank("Eximbank", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam"),
    "970430": Bank("PGBank", "Ngân hàng TMCP Thịnh Vượng và Phát Triển"),
    "970425": Bank("ABBANK", "Ngân hàng TMCP An Bình"),
    "970409": Bank("BacABank", "Ngân hàng TMCP Bắc Á"),
    "970438": Bank("BaoVietBank", "Ngân hàng TMCP Bảo Việt"),
    "970406": Bank("Vikki Bank", "Ngân hàng TNHH MTV Số Vikki"),
    "970452": Bank("KienLongBank", "Ngân hàng TMCP Kiên Long"),
    "970414": Bank("MBV", "Ngân hàng TNHH MTV Việt Nam Hiện Đại"),
    "970440": Bank("SeABank", "Ngân hàng TMCP Đông Nam Á"),
    "970400": Bank("SaigonBank", "Ngân hàng TMCP Sài Gòn Công Thương"),
    "970427": Bank("VietABank", "Ngân hàng TMCP Việt Á"),
    "970454": Bank("BVBank", "Ngân hàng TMCP Bản Việt"),
    "970433": Bank("VietBank", "Ngân hàng TMCP Việt Nam Thương Tín"),
    "970408": Bank("GPBank", "Ngân hàng Thương mại TNHH MTV Kỷ Nguyên Thịnh Vượng"),
    "970444": Bank("VCBNeo", "Ngân hàng Thương mại TNHH MTV Ngoại thương Công nghệ số"),
    "546034": Bank("CAKE", "TMCP Việt Nam Thịnh Vượng - Ngân hàng số CAKE by VPBank"),
    "546035": Bank("Ubank", "TMCP Việt Nam Thịnh Vượng - Ngân hàng số Ubank by VPBank"),
    "963388": Bank("Timo", "Ngân hàng số Timo by BVBank (Timo)"),
    "970424": Bank("ShinhanBank", "Ngân hàng TNHH MTV Shinhan Việt Nam"),
    "458761": Bank("HSBC", "Ngân hàng TNHH MTV HSBC (Việt Nam)"),
    "970410": Bank("StandardChartered", "Ngân hàng TNHH MTV Standard Chartered Bank Việt Nam"),
    "970457": Bank("Woori", "Ngân hàng TNHH MTV Woori Việt Nam"),
    "422589": Bank("CIMB", "Ngân hàng TNHH MTV CIMB Việt Nam"),
    "970442": Bank("HongLeong", "Ngân hàng TNHH MTV Hong Leong Việt Nam"),
    "970439": Bank("PublicBank", "Ngân hàng TNHH MTV Public Việt Nam"),
    "970434": Bank("IndovinaBank", "Ngân hàng TNHH Indovina"),
    "533948": Bank("Citibank", "Ngân hàng Citibank, N.A. - Chi nhánh Hà Nội"),
    "796500": Bank("DBSBank", "DBS Bank Ltd - Chi nhánh Thành phố Hồ Chí Minh"),
    "970458": Bank("UnitedOverseas", "Ngân hàng United Overseas - Chi nhánh TP. Hồ Chí Minh"),
    "970455": Bank("IBKHN", "Ngân hàng Công nghiệp Hàn Quốc - Chi nhánh Hà Nội"),
    "970456": Bank("IBKHCM", "Ngân hàng Công nghiệp Hàn Quốc - Chi nhánh TP. Hồ Chí Minh"),
    "970466": Bank("KEBHanaHCM", "Ngân hàng KEB Hana – Chi nhánh Thành phố Hồ Chí Minh"),
    "970467": Bank("KEBHANAHN", "Ngân hàng KEB Hana – Chi nhánh Hà Nội"),
    "970462": Bank("KookminHN", "Ngân hàng Kookmin - Chi nhánh Hà Nội"),
    "970463": Bank("KookminHCM", "Ngân hàng Kookmin - Chi nhánh Thành phố Hồ Chí Minh"),
    "801011": Bank("Nonghyup", "Ngân hàng Nonghyup - Chi nhánh Hà Nội"),
    "668888": Bank("KBank", "Ngân hàng Đại chúng TNHH Kasikornbank (KBank)"),
    "970421": Bank("VRB", "Ngân hàng Liên doanh Việt - Nga"),
    "970446": Bank("COOPBANK", "Ngân hàng Hợp tác xã Việt Nam"),
    "999888": Bank("VBSP", "Ngân hàng Chính sách Xã hội"),
    "977777": Bank("MAFC", "Công ty Tài chính TNHH MTV Mirae Asset (Việt Nam)"),
    "971005": Bank("ViettelMoney", "Tổng Công ty Dịch vụ số Viettel - Chi nhánh tập đoàn công nghiệp viễn thông Quân Đội"),
    "971011": Bank("VNPTMoney", "VNPT Money"),
}


def bank_for(bin_code: str) -> Bank | None:
    return BANKS.get(bin_code)
