"""``hipwise live``: start the local coaching web app and open it in the browser."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import secrets
import socket
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from rich.console import Console

from hipwise.cli import EXIT_OK, EXIT_USAGE
from hipwise.settings import ConfigError, add_settings_arguments, settings_from_args
from hipwise.store.config import default_data_dir

__all__ = ["register", "run"]

logger = logging.getLogger(__name__)

_DESCRIPTION = """\
Live coaching in the browser. Prop a phone or laptop on the floor 2-3 m in front of you, lie on
your side facing it and train: hipwise draws your skeleton, counts reps per side, shows the
tempo (lift, hold 2 s, lower twice as slowly) and says one cue at a time.

The camera frames go only to this computer. By default the app listens on localhost only.
With --lan it also listens on your local network over HTTPS (browsers allow the camera only
on https or localhost) with a certificate generated on this machine, and shows a QR code to
open the page on your phone. Your phone will warn that the certificate is self-signed: accept
it once for this address. The QR code's link carries a pairing key made for this run: other
devices on the network cannot open the page or send frames without it, and pages from other
web sites are refused in every mode (see docs/security.md).
"""

_EPILOG = """\
examples:
  hipwise live                       open http://localhost:8765 in your browser
  hipwise live --lan                 use your phone as the camera (scan the QR code)
  hipwise live --port 9000 --no-browser
  hipwise live --config hipwise.toml --condition labral_tear

settings: the same TOML as 'hipwise analyze --config' plus a [live] section
(capture_width, capture_fps, jpeg_quality, max_in_flight, [live.coach] cooldown_s ...).
exit codes: 0 stopped normally, 2 bad flags/config or the port is taken.
"""


def register(sub: Any) -> None:
    """Add the ``live`` subcommand."""
    p = sub.add_parser(
        "live",
        help="live coaching in the browser (camera, counts, cues)",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    p.add_argument(
        "--lan",
        action="store_true",
        help="also listen on the local network over HTTPS and show a QR code for the phone",
    )
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    add_settings_arguments(p, set_example="live.coach.cooldown_s=6")
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="where sessions and the certificate are kept (default: hipwise data dir)")
    p.set_defaults(func=run)


def _port_free(host: str, port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((host, port))
    except OSError as exc:
        return exc.errno not in (errno.EADDRINUSE, errno.EACCES)
    finally:
        s.close()
    return True


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hipwise live``; returns the exit code."""
    err = Console(stderr=True)
    out = Console()
    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    if not 1 <= args.port <= 65535:
        err.print(f"[red]error:[/red] --port must be 1-65535, got {args.port}")
        return EXIT_USAGE
    host = "0.0.0.0" if args.lan else "127.0.0.1"
    if not _port_free(host, args.port):
        err.print(f"[red]error:[/red] port {args.port} is already in use (is hipwise live "
                  f"already running?). Try: hipwise live --port {args.port + 1}")
        return EXIT_USAGE

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    import uvicorn

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.web.app import create_app

    data_dir = args.data_dir or default_data_dir()
    ssl: dict[str, str] = {}
    public_url = None
    pairing_key = None
    scheme = "http"
    if args.lan:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.web.net import CertError, ensure_certificate, lan_ip

        ip = lan_ip()
        try:
            cert, key = ensure_certificate(data_dir / "live" / "tls",
                                           sorted({ip, "127.0.0.1", "localhost"}))
        except CertError as exc:
            err.print(f"[red]error:[/red] {exc}. Use --data-dir to pick a writable folder.")
            return EXIT_USAGE
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
        scheme = "https"

        # other devices must present this key (carried by the QR code's URL); see
        # hipwise.web.guard and docs/security.md
        pairing_key = secrets.token_urlsafe(16)
        public_url = f"https://{ip}:{args.port}/?key={pairing_key}"
        if ip == "127.0.0.1":
            err.print("[yellow]note:[/yellow] no local network found: only this computer can "
                      "open the page.")
    local_url = f"{scheme}://localhost:{args.port}/"
    app = create_app(settings.analysis, settings.live, data_dir=data_dir, public_url=public_url,
                     pairing_key=pairing_key)
    config = uvicorn.Config(app, host=host, port=args.port, log_level="warning",
                            ws_max_size=8 * 1024 * 1024, **ssl)  # type: ignore[arg-type]
    server = uvicorn.Server(config)

    out.print(f"[bold]hipwise live[/bold] on {local_url}  (Ctrl+C to stop)")
    if public_url:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.web.net import qr_terminal

        out.print(f"On your phone (same Wi-Fi), open [bold]{public_url}[/bold] or scan:")
        out.print("[dim]The link carries a pairing key made for this run: only devices that "
                  "open it can use the camera page.[/dim]")
        print(qr_terminal(public_url))
        out.print("[dim]Accept the certificate warning once: it was made on this computer.[/dim]")
    if not args.no_browser:
        threading.Thread(target=_open_when_ready, args=(server, local_url), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return EXIT_OK


def _open_when_ready(server: Any, url: str, timeout_s: float = 20.0) -> None:
    end = time.monotonic() + timeout_s
    while not server.started and time.monotonic() < end:
        time.sleep(0.1)
    if server.started and not webbrowser.open(url):
        logger.warning("could not open a browser: open %s yourself", url)
