"""The chat's password file: one `user:pbkdf2_sha256$ITERATIONS$SALT_HEX$HASH_HEX` line per user.

Salted PBKDF2-SHA256 from the standard library, so the file needs no extra package and a stolen copy does not
give the passwords away (600 000 iterations, the OWASP figure for PBKDF2-SHA256). Hashes are compared with
`hmac.compare_digest`, and a user who is not in the file costs one hash like any other, so the time of a
refusal tells no one which user names exist. The file is read at every login: `assistant passwd` takes effect
without a restart.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SCHEME = "pbkdf2_sha256"
ITERATIONS = 600_000
_UNKNOWN_USER = f"{SCHEME}${ITERATIONS}${'00' * 16}${'00' * 32}"  # hashed against when the user is not in the file


class PasswordFileError(ValueError):
    pass


def hash_password(password: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, iterations, salt, expected = encoded.split("$")
        if scheme != SCHEME:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
        return hmac.compare_digest(digest, bytes.fromhex(expected))
    except ValueError:  # a damaged line refuses, it never lets anyone in
        return False


def check_user_name(user: str) -> str:
    if not user or ":" in user or user != user.strip() or any(c in user for c in "\r\n"):
        raise PasswordFileError(f"not a user name: {user!r} (no ':', no surrounding spaces, no line breaks)")
    return user


def read_users(path: Path) -> dict[str, str]:
    users: dict[str, str] = {}
    if not path.exists():
        return users
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            user, _, encoded = line.partition(":")
            users[user] = encoded
    return users


def check_login(path: Path, user: str, password: str) -> bool:
    """True when the file holds this user with this password."""
    encoded = read_users(path).get(user)
    ok = verify_password(password, encoded or _UNKNOWN_USER)
    return ok and encoded is not None


def set_password(path: Path, user: str, password: str) -> bool:
    """Add the user or replace their hash; other lines stay as they are. True when the user was new.

    Written to a temporary file readable by its owner only, then renamed over the old one: a crash midway
    never leaves a half-written file that locks everyone out.
    """
    check_user_name(user)
    if not password:
        raise PasswordFileError("an empty password is not a password")
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    entry = f"{user}:{hash_password(password)}"
    new = True
    for i, line in enumerate(lines):
        if line.strip().partition(":")[0] == user and not line.lstrip().startswith("#"):
            lines[i], new = entry, False
    if new:
        lines.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    tmp.replace(path)
    return new
