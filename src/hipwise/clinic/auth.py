"""Accounts and bearer tokens: argon2id password hashes (argon2-cffi), opaque random tokens
stored as sha256, expiry and revocation (logout). No web framework in here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hipwise.store.models import ClinicToken, ClinicUser, utcnow

__all__ = ["ROLES", "AuthError", "Principal", "Role", "hash_password", "issue_token",
           "login", "resolve_token", "revoke_token", "verify_password"]

Role = Literal["patient", "therapist", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
# A hash to verify against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("not a password")


class AuthError(Exception):
    """Login failed, or a token is unknown, expired or revoked (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account, its role, their person (patients) and the token's id."""

    user_id: int
    username: str
    role: Role
    person_id: int | None
    token_id: int


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string with salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(db: Session, user: ClinicUser, ttl_s: int) -> str:
    """A new random token for ``user`` valid ``ttl_s`` seconds; only its sha256 is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(ClinicToken(user_id=user.id, token_sha256=_digest(token), created_at=now,
                       expires_at=now + timedelta(seconds=ttl_s)))
    db.flush()
    return token


def login(db: Session, username: str, password: str, ttl_s: int) -> tuple[ClinicUser, str]:
    """Check the password and issue a token.

    Raises:
        AuthError: unknown user or wrong password (one message for both).
    """
    user = db.scalars(select(ClinicUser).where(ClinicUser.username == username)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok:
        raise AuthError("wrong username or password")
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user, issue_token(db, user, ttl_s)


def resolve_token(db: Session, token: str) -> Principal:
    """The caller behind ``token``.

    Raises:
        AuthError: unknown, expired or revoked token.
    """
    row = db.scalars(select(ClinicToken).where(ClinicToken.token_sha256 == _digest(token))).first()
    if row is None:
        raise AuthError("unknown token: log in again")
    if row.revoked_at is not None:
        raise AuthError("this token was revoked (logged out): log in again")
    if row.expires_at <= utcnow():
        raise AuthError("this token has expired: log in again")
    user = db.get(ClinicUser, row.user_id)
    if user is None:
        raise AuthError("unknown token: log in again")
    role: Role = user.role  # type: ignore[assignment]
    return Principal(user.id, user.username, role, user.person_id, row.id)


def revoke_token(db: Session, token_id: int) -> None:
    """Revoke a token (logout); using it again fails with :class:`AuthError`."""
    row = db.get(ClinicToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.flush()
