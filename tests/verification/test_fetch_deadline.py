"""The fetcher's time limit holds for the whole exchange — connection, TLS handshake, headers,
body — against a local TLS server that drips its answer one byte at a time (each byte well
within any per-read timeout), and the headers are bounded in size.

No assertion here measures time closely: the limit is 1 s, the server would drip for 20 s, and a
test only asks that the fetch has given up within 8 s (it runs in a thread, so a fetcher that does
not give up fails the test after 8 s instead of hanging it). Nothing touches the network."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mosaics.verification import fetch
from mosaics.verification.fetch import FetchFailed
from tests.verification.test_fetch import _certificate

LIMIT = 1.0  # the fetcher's time limit in these tests
DRIP_FOR = 20.0  # how long the server would keep dripping
PATIENCE = 8.0  # how long a test waits for the fetcher to give up
INTERVAL = 0.2  # between two dripped bytes (far below any per-read timeout)

Plan = Callable[[socket.socket, threading.Event], None]


@dataclass
class Dripper:
    port: int
    cert: Path
    key: Path
    stop: threading.Event
    plan: Plan | None = None
    connections: list[socket.socket] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def _tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _drip(conn: socket.socket, stop: threading.Event, pattern: bytes) -> None:
    """Send ``pattern`` over and over, one byte per INTERVAL, for DRIP_FOR seconds at most."""
    until = time.monotonic() + DRIP_FOR
    i = 0
    while time.monotonic() < until and not stop.wait(INTERVAL):
        conn.sendall(pattern[i % len(pattern) : i % len(pattern) + 1])
        i += 1


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk


@pytest.fixture
def dripper(tmp_path: Path, settings) -> Iterator[Dripper]:
    cert, key = _certificate(tmp_path)
    settings.MOSAICS_FETCH_TEST_ADDRESSES = ["127.0.0.1"]
    settings.MOSAICS_FETCH_TEST_CA_FILES = [str(cert)]
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    state = Dripper(port=listener.getsockname()[1], cert=cert, key=key, stop=stop)

    def serve(conn: socket.socket) -> None:
        try:
            assert state.plan is not None
            state.plan(conn, stop)
        except (OSError, ConnectionError):
            pass
        finally:
            conn.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            state.connections.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield state
    stop.set()
    for conn in state.connections:  # unblock a fetcher that did not give up
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join(2)


def _tls_then(state: Dripper, prefix: bytes, pattern: bytes) -> Plan:
    """Complete the handshake, read the request, send ``prefix`` at once, then drip."""
    context = _tls(state.cert, state.key)

    def plan(conn: socket.socket, stop: threading.Event) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            _read_request(tls)
            tls.sendall(prefix)
            _drip(tls, stop, pattern)

    return plan


def _fetch_in_background(url: str) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["fetched"] = fetch.fetch(url, timeout=LIMIT)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(PATIENCE)
    return thread, outcome


def _assert_gave_up(thread: threading.Thread, outcome: dict[str, object]) -> None:
    assert not thread.is_alive(), "the fetcher was still reading long after its time limit"
    assert "fetched" not in outcome, "a dripped answer was accepted after the time limit"
    error = outcome.get("error")
    assert isinstance(error, FetchFailed), repr(error)
    assert "too long" in error.message


def test_a_body_dripped_byte_by_byte_is_cut_off_at_the_time_limit(dripper: Dripper) -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
        b"Connection: close\r\n\r\n{"
    )
    dripper.plan = _tls_then(dripper, head, b" ")
    _assert_gave_up(*_fetch_in_background(f"{dripper.base}/badge.json"))


def test_a_body_without_length_dripped_is_cut_off_too(dripper: Dripper) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"
    dripper.plan = _tls_then(dripper, head, b" ")
    _assert_gave_up(*_fetch_in_background(f"{dripper.base}/badge.json"))


def test_headers_dripped_line_after_line_are_cut_off_at_the_time_limit(dripper: Dripper) -> None:
    dripper.plan = _tls_then(dripper, b"HTTP/1.1 200 OK\r\n", b"X-Drip: a\r\n")
    _assert_gave_up(*_fetch_in_background(f"{dripper.base}/badge.json"))


def test_a_status_line_dripped_is_cut_off_at_the_time_limit(dripper: Dripper) -> None:
    dripper.plan = _tls_then(dripper, b"", b"HTTP/1.1 200 OK")
    _assert_gave_up(*_fetch_in_background(f"{dripper.base}/badge.json"))


def test_a_tls_handshake_dripped_is_cut_off_at_the_time_limit(dripper: Dripper) -> None:
    """A relay in front of a real TLS server passes the visitor's bytes on at once but drips
    the server's, so the handshake itself takes far longer than the limit."""
    context = _tls(dripper.cert, dripper.key)
    upstream_listener = socket.create_server(("127.0.0.1", 0))
    upstream_port = upstream_listener.getsockname()[1]

    def upstream() -> None:
        try:
            conn, _address = upstream_listener.accept()
            with context.wrap_socket(conn, server_side=True) as tls:
                _read_request(tls)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        except OSError:
            pass

    threading.Thread(target=upstream, daemon=True).start()

    def relay(conn: socket.socket, stop: threading.Event) -> None:
        server = socket.create_connection(("127.0.0.1", upstream_port))

        def forward() -> None:
            try:
                while chunk := conn.recv(4096):
                    server.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=forward, daemon=True).start()
        try:
            until = time.monotonic() + DRIP_FOR
            while time.monotonic() < until and (chunk := server.recv(4096)):
                for i in range(len(chunk)):
                    if stop.wait(INTERVAL):
                        return
                    conn.sendall(chunk[i : i + 1])
        finally:
            server.close()

    dripper.plan = relay
    try:
        _assert_gave_up(*_fetch_in_background(f"{dripper.base}/badge.json"))
    finally:
        upstream_listener.close()


def test_a_prompt_answer_still_arrives(dripper: Dripper) -> None:
    """The limit does not get in the way of a server that answers at once."""
    context = _tls(dripper.cert, dripper.key)

    def plan(conn: socket.socket, stop: threading.Event) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            _read_request(tls)
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n"
                b'Connection: close\r\n\r\n{"a": 1}'
            )

    dripper.plan = plan
    got = fetch.fetch(f"{dripper.base}/badge.json", timeout=10)
    assert got.content == b'{"a": 1}'


def test_too_many_header_bytes_are_refused(dripper: Dripper) -> None:
    """Sixty headers of 1,000 bytes each (60 kB, within http.client's own limits) sent at once
    are more than any badge host needs: refused, not read."""
    context = _tls(dripper.cert, dripper.key)

    def plan(conn: socket.socket, stop: threading.Event) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            _read_request(tls)
            headers = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 1000) for i in range(60))
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + headers
                + b"Connection: close\r\n\r\n{}"
            )

    dripper.plan = plan
    with pytest.raises(FetchFailed, match="headers"):
        fetch.fetch(f"{dripper.base}/badge.json", timeout=10)


def test_too_many_headers_are_refused(dripper: Dripper) -> None:
    context = _tls(dripper.cert, dripper.key)

    def plan(conn: socket.socket, stop: threading.Event) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            _read_request(tls)
            headers = b"".join(b"X-%d: a\r\n" % i for i in range(90))
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + headers
                + b"Connection: close\r\n\r\n{}"
            )

    dripper.plan = plan
    with pytest.raises(FetchFailed, match="headers"):
        fetch.fetch(f"{dripper.base}/badge.json", timeout=10)
