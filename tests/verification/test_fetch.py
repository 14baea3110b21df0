"""The safe fetcher: refuses every private, loopback and non-https target, pins the checked
address, and bounds redirects, size, time and content type — tested against a local HTTPS server
(127.0.0.1, a self-signed certificate) that tests allow explicitly. Nothing here touches the
network."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mosaics.verification import fetch
from mosaics.verification.fetch import FetchFailed, FetchRefused, address_problem, check_url

REFUSED_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.64.0.1",
    "100.100.100.200",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "2002:7f00:0001::1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "64:ff9b::a00:1",
    "2001:db8::1",
    "not an address",
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused(address):
    assert address_problem(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address):
    assert address_problem(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://example.org/badge.json",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "gopher://example.org/",
        "javascript:alert(1)",
        "data:application/json,{}",
        "//example.org/x",
        "https://",
        "https://127.0.0.1/",
        "https://10.0.0.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0x7f.0.0.1/",
        "https://017700000001/",
        "https://127.1/",
        "https://user:pw@example.org/",
        "https://example.org@127.0.0.1/",
        "https://example.org:8080/",
        "https://localhost/",
        "https://metadata.google.internal/",
        "https://printer.local/",
        "https://exa mple.org/",
        "https://example.org/\r\nHost: evil",
        "https://-bad-.example.org/",
        "https://" + "a" * 2100 + ".org/",
    ],
)
def test_urls_that_are_never_opened(url):
    with pytest.raises(FetchRefused) as caught:
        check_url(url)
    assert caught.value.message


def test_a_public_https_url_passes_the_shape_check():
    target = check_url("https://Badges.Example.org/a/b.json?x=1")
    assert target.host == "badges.example.org"
    assert target.port == 443
    assert target.path == "/a/b.json?x=1"


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: ["93.184.215.14", "10.1.2.3"])
    with pytest.raises(FetchRefused, match="private"):
        fetch.fetch("https://badges.example.org/x.json")
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: ["::ffff:127.0.0.1"])
    with pytest.raises(FetchRefused, match="loopback"):
        fetch.fetch("https://badges.example.org/x.json")


# --- a local HTTPS server ---------------------------------------------------------------------


def _certificate(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "badge.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("badge.test"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    seen: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Handler.seen.append({k.lower(): v for k, v in self.headers.items()} | {"path": self.path})
        if self.path == "/slow":
            time.sleep(2)
        if self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(400):
                    self.wfile.write(b" " * 8192)
            except OSError:
                pass
            return
        if self.path == "/headers":
            body = json.dumps(_Handler.seen[-1]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        status, headers, body = self.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], cert
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local(server, settings):
    """Let the fetcher use the local server (loopback, its own CA) — only in these tests."""
    port, cert = server
    settings.MOSAICS_FETCH_TEST_ADDRESSES = ["127.0.0.1"]
    settings.MOSAICS_FETCH_TEST_CA_FILES = [str(cert)]
    base = f"https://127.0.0.1:{port}"
    json_type = {"Content-Type": "application/ld+json; charset=utf-8"}
    _Handler.routes = {
        "/badge.json": (200, json_type, b'{"hello": "badge"}'),
        "/redirect": (302, {"Location": "/badge.json"}, b""),
        "/r1": (302, {"Location": "/r2"}, b""),
        "/r2": (302, {"Location": "/r3"}, b""),
        "/r3": (302, {"Location": "/badge.json"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/to-private": (302, {"Location": "https://10.0.0.1/badge.json"}, b""),
        "/to-http": (302, {"Location": f"http://127.0.0.1:{port}/badge.json"}, b""),
        "/to-metadata": (302, {"Location": "https://169.254.169.254/"}, b""),
        "/html": (200, {"Content-Type": "text/html"}, b"<html></html>"),
        "/big": (200, json_type, b" " * 1_000_001),
        "/error": (500, json_type, b"{}"),
        "/slow": (200, json_type, b"{}"),
        "/cookie": (200, {**json_type, "Set-Cookie": "a=b"}, b"{}"),
    }
    return base, port


def test_loopback_is_refused_by_default(server):
    port, _cert = server
    with pytest.raises(FetchRefused, match="loopback"):
        fetch.fetch(f"https://127.0.0.1:{port}/badge.json")


def test_the_local_server_needs_its_certificate_trusted(server, settings):
    port, _cert = server
    settings.MOSAICS_FETCH_TEST_ADDRESSES = ["127.0.0.1"]
    with pytest.raises(FetchFailed, match="could not be verified"):
        fetch.fetch(f"https://127.0.0.1:{port}/badge.json")


def test_fetching_from_an_allowed_server(local):
    base, _port = local
    got = fetch.fetch(f"{base}/badge.json")
    assert got.content == b'{"hello": "badge"}'
    assert got.content_type == "application/ld+json"
    headers = _Handler.seen[-1]
    assert "cookie" not in headers
    assert "authorization" not in headers
    assert headers["user-agent"].startswith("Mosaics")


def test_redirects_are_followed_at_most_three_times_each_checked(local):
    base, _port = local
    assert fetch.fetch(f"{base}/redirect").final_url == f"{base}/badge.json"
    assert fetch.fetch(f"{base}/r1").content == b'{"hello": "badge"}'
    with pytest.raises(FetchRefused, match="redirects more than 3"):
        fetch.fetch(f"{base}/loop")
    with pytest.raises(FetchRefused, match="private"):
        fetch.fetch(f"{base}/to-private")
    with pytest.raises(FetchRefused, match="https"):
        fetch.fetch(f"{base}/to-http")
    with pytest.raises(FetchRefused, match="metadata"):
        fetch.fetch(f"{base}/to-metadata")


def test_size_type_status_and_time_limits(local):
    base, _port = local
    with pytest.raises(FetchFailed, match="larger than"):
        fetch.fetch(f"{base}/big")
    with pytest.raises(FetchFailed, match="larger than"):
        fetch.fetch(f"{base}/endless")  # no Content-Length: stopped while reading
    with pytest.raises(FetchFailed, match="text/html"):
        fetch.fetch(f"{base}/html")
    with pytest.raises(FetchFailed, match="HTTP 500"):
        fetch.fetch(f"{base}/error")
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetch.fetch(f"{base}/missing")
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="too long"):
        fetch.fetch(f"{base}/slow", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_the_checked_address_is_pinned_and_the_name_is_verified(local, monkeypatch):
    """The name is resolved once, checked, and the connection goes to that address — with the
    name as SNI, in the Host header and checked against the certificate."""
    _base, port = local
    calls = []

    def resolve(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch, "_resolve", resolve)
    got = fetch.fetch(f"https://badge.test:{port}/headers")
    assert calls == ["badge.test"]
    assert json.loads(got.content)["host"] == f"badge.test:{port}"
    # A name the certificate does not cover fails, though the address is the same.
    with pytest.raises(FetchFailed, match="could not be verified"):
        fetch.fetch(f"https://other.test:{port}/headers")
    # A name whose addresses are not all allowed is refused before connecting.
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: ["127.0.0.1", "192.168.0.1"])
    with pytest.raises(FetchRefused, match="private"):
        fetch.fetch(f"https://badge.test:{port}/headers")


@pytest.mark.django_db
def test_verify_any_opens_a_link_only_when_allowed(local):
    from mosaics.verification.service import verify_any
    from tests import factories as f

    base, _port = local
    award = f.award()
    _Handler.routes["/award.json"] = (
        200,
        {"Content-Type": "application/json"},
        json.dumps(award.credential).encode(),
    )
    offline = verify_any(f"{base}/award.json")
    assert offline.status == "unconfirmed"
    assert (
        "not opened" in offline.checks[0].message
        or "links are not opened" in offline.checks[0].message
    )
    online = verify_any(f"{base}/award.json", allow_fetch=True)
    assert online.status == "valid", [c.message for c in online.failed]
    assert online.source_url == f"{base}/award.json"
    refused = verify_any("https://10.0.0.1/award.json", allow_fetch=True)
    assert refused.status == "invalid"
    assert "private" in refused.checks[0].message
