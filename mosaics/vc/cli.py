"""``mosaics vc`` — offline credential tools: ``keygen``, ``sign``, ``verify``.

No database and no Django: this works on files only and never touches the network. The lead's
top-level ``mosaics`` command hands ``mosaics vc ...`` to :func:`main`; ``python -m mosaics.vc``
runs it directly.

Exit codes: 0 success (for ``verify``: every file verified), 1 a file did not verify, 2 a usage
error (bad arguments, a missing or unreadable file, an unusable key) — reported as one line on
stderr, never a traceback.

``verify --json`` prints one JSON object per file, one per line (JSON Lines), each with ``file``,
``verified``, ``status``, ``format``, ``summary``, ``checks``, ``warnings`` and ``nested``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from mosaics.vc import limits
from mosaics.vc.errors import VCError

__all__ = ["main"]

PROG = "mosaics vc"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt")


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Offline tools for Open Badges 3.0 credentials: make keys, sign, verify.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    keygen = commands.add_parser(
        "keygen",
        help="make a new Ed25519 signing key (Multikey key file)",
        description="Make a new Ed25519 key and write it as a Multikey key file (mode 0600).",
    )
    who = keygen.add_mutually_exclusive_group()
    who.add_argument(
        "--did-key",
        action="store_true",
        help="the key is its own controller, as a did:key (the default)",
    )
    who.add_argument(
        "--controller",
        metavar="URL",
        help="the issuer id that controls the key; its id becomes URL#<publicKeyMultibase>",
    )
    keygen.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    keygen.add_argument("--force", action="store_true", help="overwrite an existing file")

    sign = commands.add_parser(
        "sign",
        help="sign a credential (prints the signed credential or JWT)",
        description="Sign an unsigned credential (JSON) and print the result.",
    )
    sign.add_argument("--key", required=True, metavar="FILE", help="Multikey key file")
    sign.add_argument("--suite", choices=SUITES, default="eddsa-rdfc-2022")
    sign.add_argument(
        "--verification-method",
        metavar="VM",
        help="verification method URL (default: the key file's id)",
    )
    sign.add_argument("file", metavar="FILE", help="the unsigned credential (JSON), or - for stdin")

    verify = commands.add_parser(
        "verify",
        help="verify credentials (JSON, JWT, baked PNG or SVG)",
        description="Verify credentials offline. Exit 0 when every file verifies, 1 otherwise.",
    )
    verify.add_argument("--json", action="store_true", help="one JSON object per file")
    verify.add_argument(
        "--status-list",
        action="append",
        default=[],
        metavar="[URL=]FILE",
        help="a status list credential, for the URL given or else its own id (repeatable)",
    )
    verify.add_argument(
        "--document",
        action="append",
        default=[],
        metavar="[URL=]FILE",
        help="a controller (DID) document, for the URL given or else its own id (repeatable)",
    )
    verify.add_argument(
        "--now",
        metavar="DATETIME",
        help="judge validity at this time (e.g. 2030-01-01T00:00:00Z) instead of now",
    )
    verify.add_argument("files", nargs="+", metavar="FILE")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``mosaics vc`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    try:
        if not args_list:
            raise UsageError("a command is required: keygen, sign or verify (see --help)")
        if args_list[0] in ("-h", "--help"):
            parser.print_help()
            return 0
        args = parser.parse_args(args_list)
        if args.command == "keygen":
            return _keygen(args)
        if args.command == "sign":
            return _sign(args)
        return _verify(args)
    except SystemExit as exc:  # argparse --help inside a subcommand
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        _error(str(exc))
        return 2
    except VCError as exc:
        _error(exc.message)
        return 2
    except KeyboardInterrupt:
        return 130


def _error(message: str) -> None:
    _say(sys.stderr, f"{PROG}: error: {' '.join(message.split())}")


def _warn(message: str) -> None:
    _say(sys.stderr, f"{PROG}: warning: {' '.join(message.split())}")


# ---------------------------------------------------------------------------------------------
# Terminal output
# ---------------------------------------------------------------------------------------------

# What a credential (or a file name) must never send to a terminal as it is: C0 and C1 control
# characters (ESC sequences can move the cursor and overwrite "NOT VERIFIED" with "VERIFIED";
# newlines can forge a line), DEL, Unicode bidirectional controls and marks (which reorder what
# is shown), line and paragraph separators, and lone surrogates (which no encoding can write;
# with surrogateescape, U+DC80-U+DCFF would even become raw C1 bytes).
_UNSAFE_ABOVE_ASCII = (
    r"\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_UNSAFE = re.compile(rf"[\x00-\x1f{_UNSAFE_ABOVE_ASCII}]")
# json.dumps already escapes C0 controls inside strings; in JSON output, these are the rest.
_UNSAFE_IN_JSON = re.compile(rf"[{_UNSAFE_ABOVE_ASCII}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _clean(text: object) -> str:
    """``text`` made safe to show on a terminal: unsafe characters become visible escapes."""
    return _UNSAFE.sub(_escape, str(text))


def _say(out: TextIO, line: str) -> None:
    """Write one line of text output: cleaned, and encodable whatever the stream's encoding
    (characters it cannot write become backslash escapes instead of a UnicodeEncodeError)."""
    text = _clean(line)
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # pragma: no cover - an unknown encoding name
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    out.write(text + "\n")


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _read_bytes(name: str, *, what: str, limit: int = limits.MAX_IMAGE_BYTES) -> bytes:
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        path = Path(name)
        try:
            if not path.is_file():
                raise UsageError(
                    f"{what} {name} does not exist"
                    if not path.exists()
                    else f"{what} {name} is not a file"
                )
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {what} {name}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise UsageError(f"{what} {name} is larger than {limit // (1024 * 1024)} MiB")
    return data


def _read_json_object(name: str, *, what: str) -> dict[str, Any]:
    data = _read_bytes(name, what=what, limit=limits.MAX_JSON_BYTES)
    try:
        value = limits.load_json(data, what=what)
    except VCError as exc:
        raise UsageError(f"{what} {name}: {exc.message}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{what} {name} is not a JSON object")
    return value


# ---------------------------------------------------------------------------------------------
# keygen
# ---------------------------------------------------------------------------------------------


def _keygen(args: argparse.Namespace) -> int:
    controller = args.controller
    if controller is not None and (
        not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", controller) or "#" in controller
    ):
        raise UsageError(
            "--controller must be an absolute URL or DID without a #fragment "
            "(e.g. https://example.edu/issuers/1)"
        )
    from mosaics.vc.keys import Ed25519Multikey, write_key_file

    key = Ed25519Multikey.generate(controller=controller)
    if args.output:
        try:
            write_key_file(key, args.output, overwrite=args.force)
        except FileExistsError:
            raise UsageError(
                f"{args.output} already exists (use --force to overwrite it)"
            ) from None
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        _say(sys.stderr, f"wrote {args.output} ({key.id})")
    else:
        sys.stdout.write(json.dumps(key.to_key_file(include_secret=True), indent=2) + "\n")
    return 0


# ---------------------------------------------------------------------------------------------
# sign
# ---------------------------------------------------------------------------------------------


def _sign(args: argparse.Namespace) -> int:
    key_file = _read_key_file(args.key)
    credential = _read_json_object(args.file, what="credential")
    vm = args.verification_method or key_file.get("id")
    if not isinstance(vm, str) or not vm:
        raise UsageError(f"key file {args.key} has no id; give --verification-method")
    try:
        signed = _backend_sign(credential, key_file, args.suite, vm)
    except VCError as exc:
        raise UsageError(f"cannot sign {args.file}: {exc.message}") from None
    except UnicodeEncodeError:  # a lone surrogate (a "\\udfff" JSON escape) cannot be hashed
        raise UsageError(
            f"cannot sign {args.file}: it contains text that is not valid Unicode "
            "(a lone surrogate, such as the JSON escape \\udfff)"
        ) from None
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    controller = vm.split("#", 1)[0]
    if issuer_id != controller:
        # Signed anyway (the user may know better), but verifiers will refuse it.
        _warn(
            f"the key belongs to {controller}, not to the credential's issuer "
            f"({issuer_id}); verifiers will reject the credential"
        )
    if isinstance(signed, str):
        sys.stdout.write(signed + "\n")
    else:
        # Readable JSON (non-ASCII letters as they are), but every character _clean() would
        # escape is written as a JSON \\u escape: the same data, safe on a terminal, and lone
        # surrogates cannot fail to encode. Outside its strings JSON text is ASCII, so this only
        # ever touches string contents. A stream that cannot take the rest gets pure ASCII.
        text = json.dumps(signed, indent=2, ensure_ascii=False)
        text = _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        if not _encodable(text, sys.stdout):
            text = json.dumps(signed, indent=2, ensure_ascii=True)
        sys.stdout.write(text + "\n")
    return 0


def _encodable(text: str, out: TextIO) -> bool:
    try:
        text.encode(getattr(out, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _read_key_file(name: str) -> dict[str, Any]:
    from mosaics.vc.keys import Ed25519Multikey

    key_file = _read_json_object(name, what="key file")
    try:
        key = Ed25519Multikey.from_key_file(key_file)
    except VCError as exc:
        # keys.py never puts a secret (or any part of one) into a message.
        raise UsageError(f"key file {name}: {exc.message}") from None
    if not key.has_secret:
        raise UsageError(f"key file {name} has no secretKeyMultibase, so it cannot sign")
    _warn_if_readable_by_others(name)
    return key_file


def _warn_if_readable_by_others(name: str) -> None:
    """Like ssh, but a warning: a secret key file should be readable by its owner only."""
    if name == "-":
        return
    try:
        mode = stat.S_IMODE(os.stat(name).st_mode)
    except OSError:
        return
    if mode & 0o044:
        who = "everyone" if mode & 0o004 else "its group"
        _warn(
            f"key file {name} holds a secret key and is readable by {who} "
            f"(mode {mode:04o}); make it private with: chmod 600 {name}"
        )


# ---------------------------------------------------------------------------------------------
# verify
# ---------------------------------------------------------------------------------------------


def _verify(args: argparse.Namespace) -> int:
    from mosaics.vc.verify import verify

    now = _parse_now(args.now) if args.now else None
    status_lists = _keyed_files(args.status_list, what="status list")
    documents = _keyed_files(args.document, what="document")
    # Read every file first: a missing one is a usage error (2), reported before any output.
    inputs = [(name, _read_bytes(name, what="file")) for name in args.files]
    all_ok = True
    for name, data in inputs:
        report = verify(data, now=now, status_lists=status_lists, documents=documents)
        all_ok = all_ok and report.verified
        if args.json:
            # ASCII only: lone surrogates and control characters become JSON escapes.
            out = {"file": name, **report.to_json()}
            sys.stdout.write(json.dumps(out, ensure_ascii=True) + "\n")
        else:
            _print_report(name, report, sys.stdout)
    return 0 if all_ok else 1


def _parse_now(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not a date and time like 2030-01-01T00:00:00Z"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _keyed_files(specs: Sequence[str], *, what: str) -> dict[str, Any]:
    """``[URL=]FILE`` arguments → {URL: parsed JSON object or JWT text}."""
    out: dict[str, Any] = {}
    for spec in specs:
        url, sep, name = spec.rpartition("=")
        if not sep or ("://" not in url and not url.startswith("did:")):
            url, name = "", spec
        data = _read_bytes(name, what=what, limit=limits.MAX_JSON_BYTES)
        text = data.decode("utf-8", "replace").strip()
        value: Any
        if text.startswith("{"):
            value = _read_json_object(name, what=what)
            key = url or _own_id(value)
        else:
            value = text
            key = url or _jwt_id(text)
        if not key:
            raise UsageError(f"{what} {name} has no id; give it as URL={name}")
        out[key] = value
    return out


def _own_id(value: Mapping[str, Any]) -> str | None:
    ident = value.get("id")
    return ident if isinstance(ident, str) and ident else None


def _jwt_id(token: str) -> str | None:
    import base64

    try:
        payload = token.split(".")[1]
        claims = limits.load_json(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, VCError):
        return None
    if not isinstance(claims, dict):
        return None
    vc = claims.get("vc")
    return _own_id(vc if isinstance(vc, dict) else claims)


_STATUS_WORDS = {
    "invalid": "invalid",
    "expired": "expired",
    "not_yet_valid": "not valid yet",
    "revoked": "revoked",
    "suspended": "suspended",
    "unconfirmed": "the issuer's key is unconfirmed",
}


def _status_line(report: Any) -> str:
    """``VERIFIED`` only when the report says so; any other status is ``NOT VERIFIED: …``."""
    if report.verified and report.status == "valid":
        return "VERIFIED"
    status = str(report.status)
    return f"NOT VERIFIED: {_STATUS_WORDS.get(status, status.replace('_', ' '))}"


def _print_report(name: str, report: Any, out: TextIO, indent: str = "") -> None:
    """The text report; everything in it that came from a file goes through :func:`_say`."""
    _say(out, f"{indent}{name}: {_status_line(report)}")
    if report.summary:
        _say(out, f"{indent}  {report.summary}")
    for check in report.checks:
        mark = "ok  " if check.ok else "FAIL"
        _say(out, f"{indent}  [{mark}] {check.name}: {check.message}")
    for warning in report.warnings:
        _say(out, f"{indent}  [warn] {warning.name}: {warning.message}")
    for sub in report.nested:
        _print_report(sub.path, sub, out, indent + "    ")


# ---------------------------------------------------------------------------------------------
# The colleagues' modules (keys, dataintegrity, jose), behind two small functions.
# ---------------------------------------------------------------------------------------------


def _backend_sign(
    credential: dict[str, Any], key_file: Mapping[str, Any], suite: str, vm: str
) -> dict[str, Any] | str:
    from mosaics.vc import dataintegrity, jose
    from mosaics.vc.keys import Ed25519Multikey

    key = Ed25519Multikey.from_key_file(key_file)
    if suite == "jwt":
        return jose.sign_credential(credential, key, kid=vm)
    if suite == "eddsa-jcs-2022":
        return dataintegrity.sign(
            credential, key, cryptosuite="eddsa-jcs-2022", verification_method=vm
        )
    return dataintegrity.sign(
        credential, key, cryptosuite="eddsa-rdfc-2022", verification_method=vm
    )
