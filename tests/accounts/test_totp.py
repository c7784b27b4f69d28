"""RFC 6238 TOTP (pure): the RFC's own test vectors, drift, replay and the provisioning URI."""

import pytest

from accounts.rules import totp

# RFC 6238 Appendix B: the SHA-1 secret is the ASCII string "12345678901234567890", 8 digits.
RFC_SECRET = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_test_vectors(unix_time, code):
    assert totp.totp(RFC_SECRET, unix_time, digits=8) == code


def test_rfc_4226_hotp_vectors():
    # RFC 4226 Appendix D, counters 0..9.
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(RFC_SECRET, c) for c in range(10)] == expected


def test_a_code_is_accepted_one_step_either_side_and_only_once():
    secret = totp.decode_secret(totp.new_secret())
    now = 1_700_000_000.0
    step = totp.time_step(now)
    for offset in (-1, 0, 1):
        code = totp.totp(secret, now + offset * totp.STEP)
        assert totp.verify(secret, code, now) == step + offset
    code = totp.totp(secret, now)
    assert totp.verify(secret, code, now, last_step=step) is None  # replayed
    assert totp.verify(secret, totp.totp(secret, now - 2 * totp.STEP), now) is None  # too old
    assert totp.verify(secret, "12345", now) is None
    assert totp.verify(secret, "abcdef", now) is None
    assert totp.verify(secret, " ".join(code[:3] + code[3:]), now) == step


def test_secrets_are_random_base32_and_the_uri_names_issuer_and_account():
    a, b = totp.new_secret(), totp.new_secret()
    assert a != b and len(totp.decode_secret(a)) == 20
    uri = totp.provisioning_uri(a, account="root", issuer="ZJTX")
    assert uri.startswith("otpauth://totp/ZJTX%3Aroot?") and f"secret={a}" in uri and "issuer=ZJTX" in uri
