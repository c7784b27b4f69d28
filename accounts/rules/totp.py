"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226): the second factor of administrators.

Pure functions: a secret (bytes, shared with the user's authenticator app as
base32), the Unix time, a 30-second step and 6 digits, as every common
authenticator app expects.  `verify` accepts the codes of one step either side
of now (clock drift) and never a step at or before the last one used (replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6
DRIFT_STEPS = 1
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def hotp(secret: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC of the 8-byte counter, dynamic truncation, the last `digits` decimal digits."""
    mac = hmac.new(secret, struct.pack(">Q", counter), _DIGESTS[digest]).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float, *, step: int = STEP, t0: int = 0) -> int:
    return int((at - t0) // step)


def totp(secret: bytes, at: float, *, step: int = STEP, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238 §4: HOTP with the number of whole steps since the Unix epoch as the counter."""
    return hotp(secret, time_step(at, step=step), digits=digits, digest=digest)


def verify(
    secret: bytes, code: str, at: float, *, last_step: int | None = None, drift: int = DRIFT_STEPS
) -> int | None:
    """The time step whose code this is (within `drift` steps of `at`, after `last_step`), or None."""
    code = "".join(str(code).split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = time_step(at)
    for candidate in range(now - drift, now + drift + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if hmac.compare_digest(hotp(secret, candidate), code):
            return candidate
    return None


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def decode_secret(secret_b32: str) -> bytes:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    return base64.b32decode(padded)


def provisioning_uri(secret_b32: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed in)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret_b32, "issuer": issuer, "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"
