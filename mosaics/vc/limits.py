"""Limits on hostile input, and a JSON loader that enforces them.

Everything the credential core reads may come from an attacker: a file dropped on the public
verifier, a baked image, a status list fetched by a caller. The numbers below bound the work
one input can cause; going over one raises :class:`~mosaics.vc.errors.InputTooLarge` or
:class:`~mosaics.vc.errors.MalformedInput` with a message a person can act on, never a crash.

:func:`load_json` is the only JSON parser the core should use on untrusted text. Compared with
``json.loads`` it

* checks the size *before* parsing;
* checks the nesting depth *before* parsing, with a linear scan that cannot recurse, so 100 000
  nested brackets give a clean error instead of ``RecursionError``;
* rejects ``NaN``, ``Infinity`` and numbers that overflow to infinity (not JSON, RFC 8259 §6);
* rejects duplicate object keys. RFC 8259 §4 leaves their meaning open and parsers disagree
  (first wins, last wins, error). A signed credential with a duplicated key could therefore mean
  one thing to the signer and another to a verifier or a canonicaliser, so we refuse it instead
  of picking a winner;
* turns undecodable bytes into a plain "this is not text" message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Any

from mosaics.vc.errors import InputTooLarge, MalformedInput

__all__ = [
    "MAX_ARRAY_ITEMS",
    "MAX_IMAGE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_PROOFS",
    "MAX_STATUS_LIST_BITS",
    "MAX_STATUS_LIST_COMPRESSED_BYTES",
    "check_depth",
    "check_size",
    "check_structure",
    "load_json",
]

MAX_JSON_BYTES = 4 * 1024 * 1024
"""Largest JSON document or compact JWT accepted, in bytes (UTF-8)."""

MAX_IMAGE_BYTES = 16 * 1024 * 1024
"""Largest baked PNG or SVG accepted, in bytes."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of JSON arrays/objects accepted (the top-level value is depth 1)."""

MAX_ARRAY_ITEMS = 256
"""Longest JSON array accepted in a credential. JSON-LD processing (pyld's node map) compares
every value of a property with every other one, so the work grows with the square of an array's
length: 1,000 items already cost about a second, 10,000 several minutes."""

MAX_JSON_VALUES = 20_000
"""Most JSON values (objects, arrays, strings, numbers, ...) in one credential, nested ones
included; a CLR holding the maximum of 64 credentials stays well below it."""

MAX_PROOFS = 32
"""Most proofs accepted in one proof set."""

MAX_STATUS_LIST_BITS = 16 * 1024 * 1024
"""Most entries (bits) in a decoded Bitstring Status List."""

MAX_STATUS_LIST_COMPRESSED_BYTES = 2 * 1024 * 1024
"""Largest compressed (gzip) Bitstring Status List accepted, in bytes."""

# A JSON string, matched possessively so that hostile input cannot make the engine backtrack.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_BRACKET_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def _size_of(data: bytes | str) -> int:
    if isinstance(data, bytes):
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


def check_size(data: bytes | str, limit: int, *, what: str = "input") -> None:
    """Raise :class:`InputTooLarge` when ``data`` is over ``limit`` bytes (UTF-8 for text)."""
    # Every character is at least one byte: a cheap test first, then the exact one.
    if len(data) > limit or _size_of(data) > limit:
        raise InputTooLarge(
            f"The {what} is too large: the limit is {_human(limit)}.",
        )


def _human(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _text_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text, found without recursion (linear time).

    Strings are removed first (brackets inside them are not structure); what remains of a valid
    document is exactly its structure. For invalid text the number may be off, but then the
    parser rejects the text anyway.
    """
    structure = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not structure:
        return 0
    return max(accumulate(map(_BRACKET_STEP.__getitem__, structure.encode("ascii"))))


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise :class:`MalformedInput` when an already-parsed value nests deeper than ``limit``.

    Iterative (no recursion), so it is safe on hostile Python objects too — including objects
    that contain themselves, which are simply "too deep".
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            raise MalformedInput(_too_deep(limit))
        stack.extend((child, depth + 1) for child in children)


def check_structure(
    value: Any,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_items: int = MAX_ARRAY_ITEMS,
    max_values: int = MAX_JSON_VALUES,
) -> None:
    """Bound the JSON-LD work a parsed document can cause: nesting depth, the length of each
    array and the total number of values. Iterative; raises :class:`InputTooLarge` or
    :class:`MalformedInput` (too deep)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > max_values:
            raise InputTooLarge(
                f"The data holds more than {max_values} values, more than any credential needs, "
                "so it was not checked."
            )
        children: Iterable[Any]
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list | tuple):
            if len(item) > max_items:
                raise InputTooLarge(
                    f"The data holds a list of {len(item)} items; at most {max_items} are "
                    "accepted, so it was not checked."
                )
            children = item
        else:
            continue
        if depth > max_depth:
            raise MalformedInput(_too_deep(max_depth))
        stack.extend((child, depth + 1) for child in children)


def _too_deep(limit: int) -> str:
    return f"The data is nested too deeply (more than {limit} levels), so it was not read."


def _reject_constant(name: str) -> Any:
    raise MalformedInput(f"The data contains {name}, which is not a valid JSON number.")


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise MalformedInput(f"The number {text[:40]} is too large to be read.")
    return value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedInput(
                f'The data names the field "{key[:80]}" twice in one object; '
                "such data is ambiguous and is refused."
            )
        result[key] = value
    return result


def load_json(
    data: bytes | str,
    *,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
    what: str = "input",
) -> Any:
    """Parse untrusted JSON text within the limits above.

    Returns whatever JSON value the text holds (callers check that it is an object). Raises
    :class:`InputTooLarge` or :class:`MalformedInput`; never ``ValueError``/``RecursionError``.
    """
    check_size(data, max_bytes, what=what)
    if isinstance(data, bytes):
        if data.startswith(
            b"\xef\xbb\xbf"
        ):  # a UTF-8 byte order mark; RFC 8259 §8.1 allows ignoring it
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedInput(
                f"The {what} is not readable text: it contains bytes that are not valid UTF-8."
            ) from None
    else:
        text = data
    if "\x00" in text:
        raise MalformedInput(f"The {what} contains binary data, so it is not JSON.")
    if _text_depth(text) > max_depth:
        raise MalformedInput(_too_deep(max_depth))
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    except MalformedInput:
        raise
    except json.JSONDecodeError as exc:
        raise MalformedInput(
            f"The {what} is not valid JSON ({exc.msg}; line {exc.lineno}, column {exc.colno})."
        ) from None
    except RecursionError:
        raise MalformedInput(_too_deep(max_depth)) from None
    except ValueError:
        # e.g. an integer with more digits than Python converts (sys.get_int_max_str_digits)
        raise MalformedInput(f"The {what} contains a number too long to be read.") from None
