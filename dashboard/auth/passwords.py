"""Password hashes (scrypt, from the standard library), generated passwords and the policy.

A hash is stored as `scrypt$<n>$<r>$<p>$<salt>$<key>` (salt and key in
base64), so the cost can be raised later and old hashes still verify.
The cost is OWASP's scrypt setting N=2^15, r=8, p=3 (32 MiB, a few hundred
milliseconds): slow for a guesser, fine for a sign-in.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

N, R, P = 2 ** 15, 8, 3
KEY_BYTES = 32
MIN_LENGTH = 10
# Generated passwords avoid characters that read alike (0/O, 1/l/I).
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * r * n + 1024 * 1024, dklen=KEY_BYTES)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, N, R, P)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${N}${R}${P}${b64(salt)}${b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; False for a wrong password or a malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        n, r, p = int(n), int(r), int(p)
        if not (2 ** 10 <= n <= 2 ** 20 and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        expected = base64.b64decode(key)
        actual = _scrypt(password, base64.b64decode(salt), n, r, p)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def dummy_hash() -> str:
    """Verified against when the user name is unknown, so a miss costs what a wrong password costs."""
    return hash_password(secrets.token_urlsafe(16))


def generate_password(length: int = 16) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def policy_problem(password: str, username: str = "") -> tuple[str, str] | None:
    """Why a new password is not acceptable, as (中文, English); None when it is."""
    if len(password) < MIN_LENGTH:
        return (f"密码至少需要 {MIN_LENGTH} 个字符", f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > 256:
        return ("密码不能超过 256 个字符", "a password may have at most 256 characters")
    if username and username.lower() in password.lower():
        return ("密码不能包含用户名", "a password may not contain the user name")
    if len(set(password)) < 5:
        return ("密码过于简单（重复字符太多）", "the password is too simple (too many repeated characters)")
    return None
