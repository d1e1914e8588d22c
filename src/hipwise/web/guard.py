"""Who may talk to ``hipwise live``: a Host/Origin check and, under ``--lan``, a pairing key.

Threats (docs/security.md): a web page from any other site that the user has open can open
``ws://localhost:8765/ws`` (browsers do not apply the same-origin policy to WebSockets) or
reach the server through DNS rebinding (its own name resolving to 127.0.0.1); with ``--lan``
any device on the network can connect. The :class:`AccessGuard` ASGI middleware therefore:

- refuses every request (HTTP and WebSocket) whose ``Host`` header names a host the server
  does not serve: loopback names, plus the LAN address of ``--lan`` (defeats DNS rebinding);
- refuses every request that carries an ``Origin`` other than the server's own
  (``scheme://Host``): a foreign page's socket or fetch;
- with a pairing key (``--lan``), refuses requests from other machines that do not present
  it: the QR code's URL carries ``?key=...``; the page at that URL sets an HttpOnly,
  SameSite=Strict cookie and redirects to ``/`` (the key leaves the address bar), and the
  cookie is sent with every later request, the socket included. Requests from this computer
  (loopback) need no key. The static files (the page's own code, no data) stay public.

Refusals are HTTP 403 (400 for a missing Host), and a WebSocket handshake is refused before
it is accepted (the browser sees a failed connection).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["LOOPBACK_HOSTS", "PAIR_COOKIE", "AccessGuard", "AccessPolicy", "host_name"]

logger = logging.getLogger(__name__)

#: Host names that always mean this computer.
LOOPBACK_HOSTS: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1"})
_LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
#: The cookie that carries the pairing key once the QR code's URL was opened.
PAIR_COOKIE = "hipwise_pair"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def host_name(netloc: str) -> str | None:
    """The lower-case host of a ``Host`` header or URL netloc (``[::1]:8765`` → ``::1``),
    or None when it cannot be parsed."""
    try:
        parts = urlsplit("//" + netloc.strip())
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        return None
    return parts.hostname or None


@dataclass(frozen=True)
class AccessPolicy:
    """The hosts the server answers to and the pairing key (None: no key needed)."""

    hosts: frozenset[str]
    pairing_key: str | None = None

    @classmethod
    def for_server(cls, public_url: str | None, pairing_key: str | None = None,
                   extra_hosts: Iterable[str] = ()) -> AccessPolicy:
        """Loopback names, the host of ``public_url`` (the ``--lan`` address) and
        ``extra_hosts``."""
        hosts = set(LOOPBACK_HOSTS) | {h.lower() for h in extra_hosts}
        if public_url:
            h = urlsplit(public_url).hostname
            if h:
                hosts.add(h.lower())
        return cls(frozenset(hosts), pairing_key)

    def check(self, scope: Scope) -> tuple[int, str] | None:
        """Why ``scope`` (an ASGI http/websocket scope) is refused, as (HTTP status,
        reason), or None when it may pass."""
        headers = _headers(scope)
        host = headers.get("host")
        if host is None:
            return 400, "missing Host header"
        name = host_name(host)
        if name is None or name not in self.hosts:
            return 403, f"unknown host {host!r}"
        origin = headers.get("origin")
        if origin is not None and origin != "null":
            o = urlsplit(origin)
            if o.netloc.lower() != host.lower() or o.scheme not in ("http", "https"):
                return 403, f"foreign origin {origin!r}"
        elif origin == "null":
            return 403, "opaque origin"
        if self.pairing_key is not None and not self._paired(scope, headers):
            return 403, "not paired: scan the QR code shown by hipwise live"
        return None

    def _paired(self, scope: Scope, headers: dict[str, str]) -> bool:
        client = scope.get("client")
        if client and str(client[0]) in _LOOPBACK_CLIENTS:
            return True
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and path.startswith("/static/"):
            return True
        return self.key_matches(self.cookie_key(headers)) or self.key_matches(
            self.query_key(scope)
        )

    def key_matches(self, key: str | None) -> bool:
        """Whether ``key`` is the pairing key (constant-time)."""
        return (key is not None and self.pairing_key is not None
                and secrets.compare_digest(key.encode(), self.pairing_key.encode()))

    @staticmethod
    def cookie_key(headers: dict[str, str]) -> str | None:
        """The pairing key of the request's cookie, if any."""
        raw = headers.get("cookie")
        if not raw:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed cookie header is no key
            return None
        morsel = jar.get(PAIR_COOKIE)
        return morsel.value if morsel is not None else None

    @staticmethod
    def query_key(scope: Scope) -> str | None:
        """The ``key`` query parameter of the request, if any."""
        qs = scope.get("query_string", b"")
        try:
            values = parse_qs(qs.decode("latin-1")).get("key")
        except ValueError:
            return None
        return values[0] if values else None


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        out[k.decode("latin-1").lower()] = v.decode("latin-1")
    return out


class AccessGuard:
    """ASGI middleware applying an :class:`AccessPolicy` to HTTP and WebSocket requests."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = self.policy.check(scope)
        if refused is not None:
            status, reason = refused
            logger.warning("refused %s %s: %s", scope["type"], scope.get("path"), reason)
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
                return
            body = f"{reason}\n".encode()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if (scope["type"] == "http" and self.policy.pairing_key is not None
                and self.policy.key_matches(self.policy.query_key(scope))):
            # the QR code's URL: keep the key in a cookie, take it out of the address bar
            secure = "; Secure" if scope.get("scheme") == "https" else ""
            cookie = (f"{PAIR_COOKIE}={self.policy.pairing_key}; Path=/; HttpOnly; "
                      f"SameSite=Strict; Max-Age=43200{secure}")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode()),
                                    (b"cache-control", b"no-store"),
                                    (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
