"""LAN mode helpers (certificate, QR) and the ``hipwise live`` command's refusals."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from cryptography import x509

from hipwise.cli import EXIT_USAGE, main
from hipwise.settings import LiveConfig, load_settings
from hipwise.web.net import ensure_certificate, lan_ip, qr_svg, qr_terminal


def test_certificate_is_generated_cached_and_renewed_for_new_hosts(tmp_path: Path) -> None:
    cert, key = ensure_certificate(tmp_path, ["127.0.0.1", "localhost", "192.168.1.20"])
    c = x509.load_pem_x509_certificate(cert.read_bytes())
    san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(i) for i in san.get_values_for_type(x509.IPAddress)} == {
        "127.0.0.1", "192.168.1.20"}
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert key.stat().st_mode & 0o077 == 0  # private key: owner only
    first = cert.read_bytes()
    ensure_certificate(tmp_path, ["127.0.0.1", "192.168.1.20"])
    assert cert.read_bytes() == first  # still valid for these: reused
    ensure_certificate(tmp_path, ["127.0.0.1", "10.0.0.7"])
    assert cert.read_bytes() != first  # the address changed: a new one


def test_app_serves_https_with_the_generated_certificate(tmp_path: Path) -> None:
    import ssl

    import httpx

    from hipwise.web.app import create_app
    from hipwise.web.harness import ServerThread

    cert, key = ensure_certificate(tmp_path / "tls", ["127.0.0.1", "localhost"])
    app = create_app(data_dir=tmp_path, public_url="https://127.0.0.1/")
    with ServerThread(app, ssl=(cert, key)) as srv:
        assert srv.url.startswith("https://")
        ctx = ssl.create_default_context(cafile=str(cert))  # trust exactly this certificate
        r = httpx.get(srv.url, verify=ctx)
        assert r.status_code == 200 and "hipwise live" in r.text
        assert httpx.get(srv.url + "qr.svg", verify=ctx).text.lstrip().startswith("<svg")


def test_qr_codes_and_lan_address() -> None:
    assert qr_svg("https://10.0.0.7:8765/").startswith("<svg")
    assert "█" in qr_terminal("https://10.0.0.7:8765/")
    ip = lan_ip()
    socket.inet_aton(ip)  # a dotted IPv4 address


def test_live_config_lives_in_its_own_section(tmp_path: Path) -> None:
    f = tmp_path / "h.toml"
    f.write_text("[faults]\ntoes_up_deg = 5\n[live]\nmax_in_flight = 2\n[live.coach]\n"
                 "cooldown_s = 6\n")
    settings = load_settings(f)
    cfg, live = settings.analysis, settings.live
    assert cfg.faults.toes_up_deg == 5 and live.max_in_flight == 2
    assert live.coach.cooldown_s == 6 and LiveConfig().coach.cooldown_s == 4


def test_bad_config_and_busy_port_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("[live]\nnope = 1\n")
    assert main(["live", "--config", str(f), "--no-browser"]) == EXIT_USAGE
    assert "live.nope" in capsys.readouterr().err
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        code = main(["live", "--port", str(port), "--no-browser", "--data-dir", str(tmp_path)])
    finally:
        s.close()
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "already in use" in err and f"--port {port + 1}" in err
