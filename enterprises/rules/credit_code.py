"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative
division (6, GB/T 2260), organisation code (9) and a check character.  The
alphabet has 31 characters (no I, O, S, V, Z); position i (1-based) of the
first 17 carries weight 3^(i-1) mod 31; the check value is 31 - (sum mod 31),
with 31 written as 0.
"""

from __future__ import annotations

from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_ALLOWED = frozenset(ALPHABET)
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


class CreditCodeError(ValueError):
    """What is wrong with a code: `kind` and `params` let the caller word it in the reader's language."""

    def __init__(self, kind: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.params = params


def normalise(raw: str) -> str:
    """Upper-case and strip the surrounding and inner blanks people paste in."""
    return "".join(str(raw).split()).upper()


def could_be_part_of_a_code(text: str) -> bool:
    """Whether `text` (normalised) uses only the characters of a code, so some code may start with it."""
    return _ALLOWED.issuperset(text)


def check_character(first17: str) -> str:
    if len(first17) != LENGTH - 1:
        raise ValueError("need the first 17 characters")
    total = sum(map(mul, map(_VALUE.__getitem__, first17), WEIGHTS))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def validate(raw: str) -> str:
    """Return the normalised code, or raise CreditCodeError saying what is wrong."""
    code = normalise(raw)
    if len(code) != LENGTH:
        raise CreditCodeError("length", f"must be {LENGTH} characters, got {len(code)}", length=len(code))
    bad = [] if _ALLOWED.issuperset(code) else sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        chars = " ".join(bad)
        raise CreditCodeError("characters", f"contains characters not allowed in a credit code: {chars}", chars=chars)
    if not code[2:8].isdigit():
        raise CreditCodeError("division", "positions 3-8 must be the 6-digit administrative division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            "check", f"check character is {code[17]}, expected {expected}", found=code[17], expected=expected
        )
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except CreditCodeError:
        return False
    return True


def make(prefix17: str) -> str:
    """Complete 17 characters with their check character (for generators and tests)."""
    body = normalise(prefix17)
    if len(body) != 17 or any(ch not in _VALUE for ch in body):
        raise CreditCodeError("body", "need 17 characters of the credit-code alphabet")
    return body + check_character(body)
