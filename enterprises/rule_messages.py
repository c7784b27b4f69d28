"""Words for the errors of the registry's pure rules (the credit-code check), in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from enterprises.rules.credit_code import CreditCodeError


def credit_code_message(exc: CreditCodeError) -> str:
    p = exc.params
    if exc.kind == "length":
        return _("must be 18 characters, got %(length)s") % p
    if exc.kind == "characters":
        return _("contains characters not used in credit codes: %(chars)s") % p
    if exc.kind == "division":
        return _("characters 3-8 must be the 6-digit division code")
    if exc.kind == "check":
        return _("check character is %(found)s, expected %(expected)s") % p
    return str(exc)
