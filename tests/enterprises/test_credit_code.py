"""GB 32100-2015 check character: known codes, every kind of bad input, and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enterprises.rules import credit_code as cc

# Published example codes (their check characters agree with GB 32100-2015).
KNOWN_VALID = ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_validate(code):
    assert cc.validate(code) == code


def test_weights_are_powers_of_three_mod_31():
    assert cc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_value_31_is_written_as_zero():
    # Find a body whose weighted sum is 0 mod 31: its check character must be "0".
    body = next(
        b
        for b in (f"9150000{n:010d}" for n in range(100000))
        if sum(cc._VALUE[c] * w for c, w in zip(b, cc.WEIGHTS, strict=True)) % 31 == 0
    )
    assert cc.check_character(body) == "0"


def test_lower_case_and_blanks_are_normalised():
    assert cc.validate(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert cc.validate("9135 0100 M000 100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y433", "18 characters"),
        ("91350100M000I00Y43", "not allowed"),  # I is not in the alphabet
        ("91350100O000100Y43", "not allowed"),  # nor O
        ("91350100M000100Y4S", "not allowed"),
        ("913501A0M000100Y43", "division"),
        ("91350100M000100Y44", "expected 3"),
        ("", "18 characters"),
    ],
)
def test_bad_codes_say_why(raw, fragment):
    with pytest.raises(cc.CreditCodeError, match=fragment):
        cc.validate(raw)


body17 = st.text(alphabet=cc.ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit())


@given(body17)
def test_made_codes_are_valid(body):
    assert cc.is_valid(cc.make(body))


@given(body17, st.integers(min_value=0, max_value=17), st.sampled_from(cc.ALPHABET))
def test_any_single_substitution_is_detected(body, position, replacement):
    code = cc.make(body)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code and changed[2:8].isdigit():
        assert not cc.is_valid(changed)


@given(st.text(max_size=40))
def test_validator_never_crashes_and_never_accepts_wrong_length(raw):
    try:
        code = cc.validate(raw)
    except cc.CreditCodeError:
        return
    assert len(code) == 18 and cc.is_valid(code)
