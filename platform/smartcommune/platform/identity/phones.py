"""Vietnamese mobile numbers to E.164 (+84…)."""

from __future__ import annotations

import re

from smartcommune.tenants.errors import InvalidInput

# Mobile ranges since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x, nine digits after the trunk 0.
_MOBILE = re.compile(r"\+84[35789]\d{8}")
_SEPARATORS = re.compile(r"[\s.\-()]")


def normalize_phone(raw: str) -> str:
    """Accept 0912345678, 84912345678, +84 912 345 678, 0084912345678; return +84912345678."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif digits.startswith("84"):
        digits = "+" + digits
    if not _MOBILE.fullmatch(digits):
        raise InvalidInput(
            "Số điện thoại không hợp lệ. Hãy nhập số di động Việt Nam, ví dụ 0912 345 678.",
            "Invalid phone number. Enter a Vietnamese mobile number, e.g. 0912 345 678.",
            code="invalid_phone",
        )
    return digits
