"""A small HTTP client of the clinic API for the patient's commands (``hipwise login``,
``upload``, ``sync``), on the standard library only. The login is kept in
``<data dir>/clinic-login.json`` (mode 0600)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hipwise.store.config import default_data_dir

__all__ = ["ClientError", "Login", "call", "load_login", "login_path", "save_login"]


class ClientError(Exception):
    """The server refused (``status`` its HTTP status) or could not be reached (0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Login:
    """A saved login: server URL, bearer token, username and the patient's person id."""

    server: str
    token: str
    username: str
    person_id: int | None


def login_path() -> Path:
    """Where the login is saved."""
    return default_data_dir() / "clinic-login.json"


def save_login(login: Login) -> Path:
    """Write the login file, readable by the user only."""
    path = login_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(login.__dict__, fh)
    return path


def load_login() -> Login | None:
    """The saved login (None: not logged in)."""
    try:
        raw = json.loads(login_path().read_text(encoding="utf-8"))
        return Login(**raw)
    except (OSError, ValueError, TypeError):
        return None


def call(server: str, method: str, path: str, *, token: str | None = None,
         body: bytes | None = None, content_type: str = "application/json",
         timeout_s: float = 60.0) -> Any:
    """One API call; returns the decoded JSON (None for an empty answer).

    Raises:
        ClientError: the server answered 4xx/5xx (with its ``detail``) or is unreachable.
    """
    req = urllib.request.Request(server.rstrip("/") + path, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            data = resp.read()
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", exc.reason)
        except (ValueError, AttributeError):
            detail = exc.reason
        raise ClientError(exc.code, f"the server refused ({exc.code}): {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ClientError(0, f"cannot reach {server}: {exc}") from None
    return json.loads(data) if data else None
