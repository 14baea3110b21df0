"""The safe server-side fetcher: opening a link a visitor gave us, without being turned on
ourselves (SSRF).

A URL typed by anyone is a request our server makes on their behalf, so:

- only ``https``, on port 443, with a real host name or a public IP literal, no user name or
  password in the URL, no odd spellings of numbers as host names (``2130706433``, ``0x7f.1``);
- the host is resolved once and **every** address it resolves to must be public (no loopback,
  private, link-local, multicast, reserved, unspecified, carrier-grade NAT 100.64/10, IPv6
  unique-local or site-local, IPv4 addresses hidden inside IPv6 — mapped, 6to4, Teredo, NAT64 —
  nor cloud metadata addresses); we then connect to the **checked address**, not to the name
  again (so a second DNS answer cannot point us elsewhere), sending the name as SNI and in the
  Host header and verifying the certificate for the name;
- at most :data:`MAX_REDIRECTS` redirects, each target checked the same way;
- at most :data:`MAX_BYTES` read (streamed; we stop reading beyond it), at most
  :data:`MAX_HEADERS` header lines of :data:`MAX_HEADER_BYTES` in all, and only the content
  types the caller expects;
- everything — connecting, the TLS handshake, sending, the headers, the body, every redirect —
  within :data:`TIMEOUT` seconds **in total**: the socket checks one absolute deadline before
  every read and write and waits at most until it (a per-read timeout alone would let a server
  that sends one byte a second keep a worker busy for as long as it likes);
- no cookies, no credentials, nothing of the visitor's is sent.

Every refusal or failure raises :class:`FetchRefused` (we would not open it) or
:class:`FetchFailed` (we tried and it did not work) with a message for the visitor.

For tests only: ``MOSAICS_FETCH_TEST_ADDRESSES`` (addresses that may be used although they are
not public, with any port) and ``MOSAICS_FETCH_TEST_CA_FILES`` (extra certificate authorities)
let tests fetch from a local HTTPS server. Both are empty unless a test sets them.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = [
    "CREDENTIAL_TYPES",
    "MAX_BYTES",
    "MAX_HEADERS",
    "MAX_HEADER_BYTES",
    "MAX_REDIRECTS",
    "TIMEOUT",
    "FetchError",
    "FetchFailed",
    "FetchLimited",
    "FetchRefused",
    "Fetched",
    "address_problem",
    "check_url",
    "fetch",
]

MAX_BYTES: Final = 1_000_000
#: Header lines (the status line included) and their bytes in all: plenty for a badge host.
MAX_HEADERS: Final = 64
MAX_HEADER_BYTES: Final = 32_768
MAX_REDIRECTS: Final = 3
TIMEOUT: Final = 5.0

#: What a badge can be served as: JSON(-LD), a JWT, a baked image, or text holding one of those.
CREDENTIAL_TYPES: Final = (
    "application/json",
    "application/ld+json",
    "application/vc+ld+json",
    "application/vc+jwt",
    "application/vc",
    "application/jwt",
    "text/plain",
    "image/png",
    "image/svg+xml",
)

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
#: Answers whose content is read: OK, and Gone (OB 2.0: a revoked hosted assertion says so).
_ANSWERS: Final = frozenset({200, 410})
# Addresses cloud platforms answer metadata (and credentials) on. Most are already link-local or
# private; listed so that the reason given is the right one and nothing slips through.
_METADATA: Final = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("169.254.170.2"),
        ipaddress.ip_address("100.100.100.200"),
        ipaddress.ip_address("fd00:ec2::254"),
    }
)
_CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST: Final = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?", re.I)
_HOST_LABEL: Final = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.I)


class FetchError(Exception):
    """Base class: ``message`` says in plain words what happened, for the visitor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FetchRefused(FetchError):
    """We will not open this address (not https, not public, too many redirects, …)."""


class FetchLimited(FetchRefused):
    """We would open it, but the verification (or the visitor) has made as many requests to
    other sites as it may for now."""


class FetchFailed(FetchError):
    """We tried, and it did not work (unreachable, too slow, too large, wrong content, …)."""


@dataclass(frozen=True)
class Fetched:
    url: str
    """The address asked for."""
    final_url: str
    """Where the content came from after redirects."""
    content_type: str
    content: bytes
    status: int = 200
    """200, or 410 Gone (what a revoked OB 2.0 hosted assertion answers, with its reason)."""


# --- address checks ------------------------------------------------------------------------


def _test_addresses() -> set[str]:
    return {str(a) for a in getattr(settings, "MOSAICS_FETCH_TEST_ADDRESSES", ()) or ()}


def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why we will not connect to ``address`` (in words), or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return _("it is not an internet address")
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return _("it is a link-local address")
        if ip.ipv4_mapped is not None:
            return address_problem(ip.ipv4_mapped)
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and int(ip) >> 32 == 0 and int(ip) > 1:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # ::a.b.c.d (deprecated)
        if embedded is not None:
            inner = address_problem(embedded)
            if inner:
                return inner
    if ip in _METADATA:
        return _("it is a cloud metadata address")
    if ip.is_loopback:
        return _("it is this server itself (loopback)")
    if ip.is_unspecified:
        return _("it is an unspecified address")
    if ip.is_link_local:
        return _("it is a link-local address")
    if ip.is_multicast:
        return _("it is a multicast address")
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return _("it is a shared (carrier-grade NAT) address")
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return _("it is a site-local address")
    if ip.is_private:
        return _("it is a private network address")
    if ip.is_reserved or not ip.is_global:
        return _("it is a reserved address")
    return None


@dataclass(frozen=True)
class _Target:
    url: str
    host: str
    """The host name (IDNA-encoded) or IP literal, as sent in SNI/Host."""
    port: int
    path: str
    literal: bool


def check_url(url: str) -> _Target:
    """Check the shape of ``url`` (not yet its addresses); raises :class:`FetchRefused`."""
    if not isinstance(url, str) or not url.strip():
        raise FetchRefused(_("Please give the address (URL) of a badge."))
    url = url.strip()
    if len(url) > 2000:
        raise FetchRefused(_("This address is too long."))
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise FetchRefused(_("This address contains spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused(_("This is not a valid web address.")) from None
    if parts.scheme.lower() != "https":
        raise FetchRefused(
            _(
                "Only secure web addresses (starting with https://) can be opened; "
                "this one is %(s)s."
            )
            % {"s": (parts.scheme or _("without a scheme"))[:20]}
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise FetchRefused(
            _("Addresses with a user name or password in them (user@host) are not opened.")
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(_("This address has no host name."))
    try:
        ipaddress.ip_address(host.split("%")[0])
        literal = True
    except ValueError:
        literal = False
    if not literal:
        if _NUMERIC_HOST.fullmatch(host):
            raise FetchRefused(
                _("This address spells its host as a number; please give a host name.")
            )
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise FetchRefused(_("This address's host name is not valid.")) from None
        if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
            raise FetchRefused(_("This address's host name is not valid."))
        if "." not in host or host.endswith((".local", ".internal", ".localhost", ".home.arpa")):
            raise FetchRefused(_("This address is not on the public internet."))
    if literal:
        problem = address_problem(host)
        if problem and host not in _test_addresses():
            raise FetchRefused(_("This address cannot be opened: %(why)s.") % {"why": problem})
    if port not in (None, 443) and (
        host not in _test_addresses() if literal else not _test_addresses()
    ):
        # (Other ports only for the addresses tests allow; see _checked_addresses.)
        raise FetchRefused(_("Only the standard https port (443) can be used."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(url=url, host=host, port=port or 443, path=path, literal=literal)


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a seam for tests of the pinning)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _checked_addresses(target: _Target, deadline: float) -> list[str]:
    if target.literal:
        return [target.host]
    try:
        addresses = _resolve(target.host, target.port)
    except (OSError, UnicodeError):
        raise FetchFailed(
            _("The host %(host)s could not be found.") % {"host": target.host[:100]}
        ) from None
    if time.monotonic() > deadline:
        raise FetchFailed(_("Looking up the host took too long."))
    if not addresses:
        raise FetchFailed(_("The host %(host)s could not be found.") % {"host": target.host[:100]})
    allowed = _test_addresses()
    for address in addresses:
        problem = address_problem(address)
        if problem and address not in allowed:
            raise FetchRefused(
                _("The host %(host)s cannot be opened: %(why)s.")
                % {"host": target.host[:100], "why": problem}
            )
    if target.port != 443 and not all(a in allowed for a in addresses):
        raise FetchRefused(_("Only the standard https port (443) can be used."))
    return addresses


# --- the connection --------------------------------------------------------------------------


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    for cafile in getattr(settings, "MOSAICS_FETCH_TEST_CA_FILES", ()) or ():
        context.load_verify_locations(cafile=str(cafile))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.sslsocket_class = _DeadlineSocket
    return context


class _DeadlineSocket(ssl.SSLSocket):
    """A TLS socket that works to one absolute deadline (``time.monotonic()``): before every
    read and write it raises :class:`TimeoutError` once the deadline has passed, and otherwise
    waits at most until then. (A TLS read or handshake waits for the whole of the timeout set
    when it starts, however many bytes trickle in.)"""

    deadline: float | None = None

    def _arm(self) -> None:
        if self.deadline is None:
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self.settimeout(left)

    def do_handshake(self, block: bool = False) -> None:
        self._arm()
        super().do_handshake(block)

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        self._arm()
        return super().recv(buflen, flags)

    def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
        self._arm()
        return super().recv_into(buffer, nbytes, flags)

    def send(self, data: Any, flags: int = 0) -> int:  # (sendall sends through it)
        self._arm()
        return super().send(data, flags)


class _HeaderBudget:
    """Stands in for the response's file while its status line and headers are read: counts
    the lines and bytes and stops at :data:`MAX_HEADERS` / :data:`MAX_HEADER_BYTES`."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self._lines = 0
        self._bytes = 0

    def readline(self, limit: int = -1) -> bytes:
        left = MAX_HEADER_BYTES - self._bytes
        line = bytes(self._fp.readline(left + 1 if limit < 0 else min(limit, left + 1)))
        self._lines += 1
        self._bytes += len(line)
        if self._lines > MAX_HEADERS or self._bytes > MAX_HEADER_BYTES:
            raise FetchFailed(_("The site sent too many or too long headers."))
        return line

    def close(self) -> None:
        self._fp.close()


class _Response(http.client.HTTPResponse):
    def begin(self) -> None:
        real = self.fp
        budget = _HeaderBudget(real)
        self.fp = budget  # type: ignore[assignment]
        try:
            super().begin()
        finally:
            current: object = self.fp
            if current is budget:  # (begin may close the response, leaving fp None)
                self.fp = real


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to an address already checked, for a host name (SNI, Host header,
    certificate) given separately, that works to an absolute ``deadline`` (``time.monotonic()``)
    from connecting to the last byte of the answer."""

    response_class = _Response

    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=_remaining(deadline), context=_ssl_context())
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection(
            (self._address, self.port), timeout=_remaining(self._deadline)
        )
        try:
            context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
            tls = context.wrap_socket(
                sock, server_hostname=self.host, do_handshake_on_connect=False
            )
        except BaseException:
            sock.close()
            raise
        try:
            assert isinstance(tls, _DeadlineSocket)
            tls.deadline = self._deadline
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        self.sock = tls


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def fetch(
    url: str,
    *,
    accept: Iterable[str] = CREDENTIAL_TYPES,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """GET ``url`` safely (see the module's docstring). Raises :class:`FetchRefused` or
    :class:`FetchFailed` with a message for the visitor."""
    accepted = tuple(accept)
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(max_redirects + 1):
        target = check_url(current)
        addresses = _checked_addresses(target, deadline)
        status, location, content_type, content = _get(
            target, addresses, accepted, max_bytes, deadline
        )
        if status in _REDIRECTS:
            if not location:
                raise FetchFailed(_("The site sent a redirect without saying where to."))
            current = urljoin(target.url, location)
            continue
        if status not in _ANSWERS:
            raise FetchFailed(
                _("The site answered with an error (HTTP %(status)s).") % {"status": status}
            )
        return Fetched(
            url=url,
            final_url=target.url,
            content_type=content_type,
            content=content,
            status=status,
        )
    raise FetchRefused(
        _("The address redirects more than %(n)s times; it was not followed further.")
        % {"n": max_redirects}
    )


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed(_("The site took too long to answer."))
    return left


def _get(
    target: _Target,
    addresses: list[str],
    accepted: tuple[str, ...],
    max_bytes: int,
    deadline: float,
) -> tuple[int, str | None, str, bytes]:
    last_error: Exception | None = None
    for address in addresses:
        connection = _PinnedConnection(target.host, target.port, address, deadline)
        try:
            connection.connect()
        except ssl.SSLError as exc:
            connection.close()
            raise FetchFailed(
                _("The site's secure connection could not be verified (%(why)s).")
                % {"why": str(getattr(exc, "reason", None) or "TLS")[:80]}
            ) from None
        except TimeoutError:
            connection.close()
            raise FetchFailed(_("The site took too long to answer.")) from None
        except OSError as exc:
            connection.close()
            last_error = exc
            continue
        try:
            return _exchange(connection, target, accepted, max_bytes, deadline)
        finally:
            connection.close()
    del last_error
    raise FetchFailed(_("The site could not be reached."))


def _exchange(
    connection: _PinnedConnection,
    target: _Target,
    accepted: tuple[str, ...],
    max_bytes: int,
    deadline: float,
) -> tuple[int, str | None, str, bytes]:
    try:
        connection.request(
            "GET",
            target.path,
            headers={
                "Accept": ", ".join(accepted) + ", */*;q=0.1",
                "User-Agent": "Mosaics-verifier/1.0",
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
        )
        response = connection.getresponse()  # (every read is bound by the deadline)
        status = response.status
        if status in _REDIRECTS:
            return status, response.getheader("Location"), "", b""
        if status not in _ANSWERS:
            return status, None, "", b""
        content_type = _media_type(response.getheader("Content-Type"))
        if content_type not in accepted:
            raise FetchFailed(
                _("The site sent %(type)s, which is not a badge format we read.")
                % {"type": (content_type or _("something of no stated type"))[:80]}
            )
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchFailed(_too_large(max_bytes))
        chunks: list[bytes] = []
        size = 0
        while not response.isclosed():
            _remaining(deadline)
            chunk = response.read(min(65536, max_bytes + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(_too_large(max_bytes))
            chunks.append(chunk)
        return status, None, content_type, b"".join(chunks)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchFailed(_("The site took too long to answer.")) from None
    except (http.client.HTTPException, OSError, ValueError):
        raise FetchFailed(_("The site's answer could not be read.")) from None


def _too_large(max_bytes: int) -> str:
    return _("What the site sent is larger than %(n)s kB, more than a badge can be.") % {
        "n": max_bytes // 1000
    }
