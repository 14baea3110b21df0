"""Talk to the JavaScript reference stack (@digitalbazaar/vc) from Python tests.

``interop/bridge.mjs`` is a long-running Node process speaking newline-delimited JSON (one request
per line, one response per line, in order), so a test can send hundreds of credentials without
paying Node's start-up each time. This module starts it, sends requests, and decides whether
interop tests may be skipped: when Node or ``interop/node_modules`` is missing they skip with the
reason, except when the ``CI`` environment variable is set, where they fail, because CI must run
them (``npm ci --prefix interop`` installs the pinned stack).

Not a test module; the pytest fixture lives in ``tests/vc/conftest.py``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REPO_ROOT = Path(__file__).resolve().parent.parent
INTEROP_DIR = REPO_ROOT / "interop"
BRIDGE_SCRIPT = INTEROP_DIR / "bridge.mjs"
#: a file every complete install of the pinned stack has
_INSTALLED_MARKER = INTEROP_DIR / "node_modules" / "@digitalbazaar" / "vc" / "package.json"
MIN_NODE_MAJOR = 20
#: seconds to wait for one response (rdfc over a large credential is well under a second)
RESPONSE_TIMEOUT = 120.0

RDFC: Final = "eddsa-rdfc-2022"
JCS: Final = "eddsa-jcs-2022"
CRYPTOSUITES: Final = (RDFC, JCS)


class BridgeError(RuntimeError):
    """The bridge could not carry out a request (``ok: false``) or is gone."""


def node_executable() -> str | None:
    """The ``node`` on PATH, or None."""
    return shutil.which("node")


def unavailable_reason() -> str | None:
    """Why the bridge cannot run here, or None when it can."""
    node = node_executable()
    if node is None:
        return "Node.js is not installed (need node >= 20 on PATH)"
    try:
        version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`node --version` failed: {exc}"
    try:
        major = int(version.lstrip("v").split(".", 1)[0])
    except ValueError:
        return f"cannot parse `node --version` output {version!r}"
    if major < MIN_NODE_MAJOR:
        return f"Node.js {version} is too old (need >= {MIN_NODE_MAJOR})"
    if not _INSTALLED_MARKER.is_file():
        return "interop/node_modules is missing: run `npm ci --prefix interop`"
    return None


def must_run() -> bool:
    """True where interop tests must fail instead of skipping (CI)."""
    return bool(os.environ.get("CI"))


@dataclass(frozen=True)
class Verification:
    """What the JavaScript stack said about a credential."""

    verified: bool
    errors: list[str]
    #: None when no status was checked; else ``{"checked", "revoked", "suspended", "entries"}``
    status: dict[str, Any] | None = None

    @property
    def revoked(self) -> bool:
        return bool(self.status and self.status.get("revoked"))

    @property
    def suspended(self) -> bool:
        return bool(self.status and self.status.get("suspended"))


@dataclass
class Bridge:
    """A running ``node interop/bridge.mjs``. Use :func:`start_bridge` or :func:`bridge`."""

    process: subprocess.Popen[bytes]
    stderr_path: Path
    _responses: queue.Queue[bytes | None] = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 0

    def __post_init__(self) -> None:
        # A reader thread drains stdout continuously so Node never blocks on a full pipe while
        # we are still writing a batch of requests.
        self._reader = threading.Thread(target=self._read, name="interop-bridge", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._responses.put(line)
        self._responses.put(None)

    def _stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def _receive(self) -> dict[str, Any]:
        try:
            line = self._responses.get(timeout=RESPONSE_TIMEOUT)
        except queue.Empty:
            raise BridgeError(f"no answer from the bridge in {RESPONSE_TIMEOUT:.0f} s") from None
        if line is None:
            raise BridgeError(f"the bridge exited; stderr:\n{self._stderr_tail()}")
        response: dict[str, Any] = json.loads(line)
        return response

    def call_many(self, requests: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Send requests as one pipelined batch; return the raw responses in order."""
        with self._lock:
            stdin = self.process.stdin
            if stdin is None or self.process.poll() is not None:
                raise BridgeError(f"the bridge is not running; stderr:\n{self._stderr_tail()}")
            ids: list[int] = []
            payload = bytearray()
            for request in requests:
                self._next_id += 1
                ids.append(self._next_id)
                # ensure_ascii keeps every line 7-bit and free of raw U+2028 and friends
                line = json.dumps({**request, "id": self._next_id}, ensure_ascii=True)
                payload += line.encode("ascii") + b"\n"
            try:
                stdin.write(payload)
                stdin.flush()
            except BrokenPipeError:
                raise BridgeError(f"the bridge exited; stderr:\n{self._stderr_tail()}") from None
            responses = [self._receive() for _ in ids]
        for expected, response in zip(ids, responses, strict=True):
            if response.get("id") != expected:
                raise BridgeError(f"response out of order: {response.get('id')} != {expected}")
        return responses

    def call(self, request: Mapping[str, Any]) -> Any:
        """Send one request; return its ``result`` or raise :class:`BridgeError`."""
        (response,) = self.call_many([request])
        return _result(response)

    # -- operations -------------------------------------------------------------------------

    def ping(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call({"op": "ping"})
        return result

    def sign(
        self,
        credential: Mapping[str, Any],
        *,
        key: Mapping[str, Any],
        cryptosuite: str,
        created: str | None = None,
        api: str = "vc",
    ) -> dict[str, Any]:
        """Sign with the JS stack (``vc.issue``; ``api="jsigs"`` for plain ``jsigs.sign``)."""
        result: dict[str, Any] = self.call(
            _sign_request(credential, key=key, cryptosuite=cryptosuite, created=created, api=api)
        )
        return result

    def sign_many(
        self,
        credentials: Iterable[Mapping[str, Any]],
        *,
        key: Mapping[str, Any],
        cryptosuite: str,
        created: str | None = None,
    ) -> list[dict[str, Any]]:
        responses = self.call_many(
            _sign_request(c, key=key, cryptosuite=cryptosuite, created=created, api="vc")
            for c in credentials
        )
        return [_result(r) for r in responses]

    def verify(
        self,
        credential: Mapping[str, Any],
        *,
        mode: str = "full",
        status_lists: Iterable[Mapping[str, Any]] | Mapping[str, Any] | None = None,
        documents: Mapping[str, Any] | None = None,
        now: str | None = None,
    ) -> Verification:
        """Verify with the JS stack: ``mode="proof"`` (jsigs.verify, AssertionProofPurpose) or
        ``"full"`` (vc.verifyCredential, with Bitstring Status List when lists are given)."""
        (result,) = self.verify_many(
            [credential], mode=mode, status_lists=status_lists, documents=documents, now=now
        )
        return result

    def verify_many(
        self,
        credentials: Iterable[Mapping[str, Any]],
        *,
        mode: str = "full",
        status_lists: Iterable[Mapping[str, Any]] | Mapping[str, Any] | None = None,
        documents: Mapping[str, Any] | None = None,
        now: str | None = None,
    ) -> list[Verification]:
        extra: dict[str, Any] = {"mode": mode}
        if status_lists is not None:
            extra["statusLists"] = (
                dict(status_lists) if isinstance(status_lists, Mapping) else list(status_lists)
            )
        if documents is not None:
            extra["documents"] = dict(documents)
        if now is not None:
            extra["now"] = now
        responses = self.call_many({"op": "verify", "credential": c, **extra} for c in credentials)
        out = []
        for response in responses:
            result = _result(response)
            out.append(
                Verification(
                    verified=bool(result["verified"]),
                    errors=list(result.get("errors") or []),
                    status=result.get("status"),
                )
            )
        return out

    def close(self) -> None:
        """End the bridge (closing stdin ends it; kill it if it lingers)."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _sign_request(
    credential: Mapping[str, Any],
    *,
    key: Mapping[str, Any],
    cryptosuite: str,
    created: str | None,
    api: str,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "op": "sign",
        "cryptosuite": cryptosuite,
        "key": dict(key),
        "credential": credential,
        "api": api,
    }
    if created is not None:
        request["created"] = created
    return request


def _result(response: Mapping[str, Any]) -> Any:
    if not response.get("ok"):
        raise BridgeError(str(response.get("error")))
    return response["result"]


def start_bridge() -> Bridge:
    """Start ``node interop/bridge.mjs``; raise :class:`BridgeError` if it cannot run."""
    reason = unavailable_reason()
    if reason is not None:
        raise BridgeError(reason)
    node = node_executable()
    assert node is not None
    stderr_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the bridge
        prefix="mosaics-interop-bridge-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [node, str(BRIDGE_SCRIPT)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
    )
    stderr_file.close()
    bridge_ = Bridge(process=process, stderr_path=Path(stderr_file.name))
    try:
        bridge_.ping()
    except BaseException:
        bridge_.close()
        raise
    return bridge_


@contextmanager
def bridge() -> Iterator[Bridge]:
    """A bridge for the duration of a ``with`` block."""
    running = start_bridge()
    try:
        yield running
    finally:
        running.close()
        running.stderr_path.unlink(missing_ok=True)


# -- keys for tests -------------------------------------------------------------------------

_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"


def multikey_from_seed(seed: bytes, *, controller: str | None = None) -> dict[str, str]:
    """An Ed25519 key as the bridge wants it, independent of mosaics.vc (multicodec + base58btc:
    ``z6Mk…`` public, ``z3u2…`` 32-byte secret seed). Controller defaults to ``did:key:<pub>``;
    the verification method id is ``<controller>#<pub>``."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    public_multibase = "z" + base58.b58encode(_ED25519_PUB + public).decode("ascii")
    secret_multibase = "z" + base58.b58encode(_ED25519_PRIV + seed).decode("ascii")
    controller = controller or f"did:key:{public_multibase}"
    return {
        "publicKeyMultibase": public_multibase,
        "secretKeyMultibase": secret_multibase,
        "controller": controller,
        "id": f"{controller}#{public_multibase}",
    }
