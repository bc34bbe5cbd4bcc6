"""Office staff accounts: names and argon2id password hashes (argon2-cffi), nothing else.

Accounts are made with the command line (``python -m gateway.office add-user NAME``), never over HTTP.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.office.database import office_users
from gateway.office.errors import AccountError

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024

_hasher = PasswordHasher()
# Verifying against this when the name is unknown costs as much as a real check: the time of a failed
# sign-in does not tell whether the account exists.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            f"the account name {name!r} is not valid: 2 to 64 characters, lower-case letters, digits "
            "and . _ -, starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"the password may have at most {MAX_PASSWORD_CHARS} characters")
    return password


@dataclass(frozen=True)
class Account:
    name: str
    created_at: datetime


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, name: str, password: str) -> Account:
        account = Account(check_name(name), datetime.now(timezone.utc))
        password_hash = _hasher.hash(check_password(password))
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(office_users).values(
                        name=account.name, password_hash=password_hash, created_at=account.created_at
                    )
                )
        except IntegrityError as error:
            raise AccountError(f"the account {name!r} exists already") from error
        return account

    def set_password(self, name: str, password: str) -> None:
        password_hash = _hasher.hash(check_password(password))
        with self._engine.begin() as connection:
            result = connection.execute(
                update(office_users).where(office_users.c.name == name).values(password_hash=password_hash)
            )
        if result.rowcount == 0:
            raise AccountError(f"there is no account {name!r}")

    def remove(self, name: str) -> None:
        with self._engine.begin() as connection:
            result = connection.execute(delete(office_users).where(office_users.c.name == name))
        if result.rowcount == 0:
            raise AccountError(f"there is no account {name!r}")

    def names(self) -> list[Account]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(office_users.c.name, office_users.c.created_at).order_by(office_users.c.name)
            )
            return [Account(row.name, row.created_at) for row in rows]

    def verify(self, name: str, password: str) -> bool:
        """Whether ``password`` is the account's; a hash made with older parameters is upgraded."""
        with self._engine.connect() as connection:
            stored = connection.execute(
                select(office_users.c.password_hash).where(office_users.c.name == name)
            ).scalar_one_or_none()
        try:
            _hasher.verify(stored or _DUMMY_HASH, password[:MAX_PASSWORD_CHARS])
        except (VerificationError, InvalidHashError):
            return False
        if stored is None:
            return False
        if _hasher.check_needs_rehash(stored):
            self.set_password(name, password)
        return True
