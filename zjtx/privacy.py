"""How contact details are shown to people who may not see them in full (used by zjtx.access and the registry)."""

from __future__ import annotations

import re

# What a phone number may hold (digits, +, -, brackets, spaces; 5 to 30 characters): the importer and the
# API accept the same numbers.
PHONE = re.compile(r"[0-9+\-() ]{5,30}")


def is_phone(text: str) -> bool:
    return bool(PHONE.fullmatch(text))


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits of a mobile number, hide the rest.

    Shorter numbers keep only their last two characters, so the mask never
    reveals more than half of any number.
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    keep = min(2, len(phone) // 2)
    return "*" * (len(phone) - keep) + phone[len(phone) - keep :]
