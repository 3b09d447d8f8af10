"""Password hashing with argon2id (argon2-cffi). Plain passwords are never stored or logged."""
from __future__ import annotations

from functools import lru_cache

MIN_LENGTH = 8


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("fazhi-no-such-user")


def weakness(password: str) -> str | None:
    """Why a new password is refused (Chinese), or None when acceptable."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符。"
    if password.strip() != password:
        return "密码首尾不能是空白字符。"
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no stored hash (unknown user) the work is done anyway,
    so the time taken does not tell whether a user name exists."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password or "") and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
