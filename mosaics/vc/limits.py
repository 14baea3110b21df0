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
from typing import Any, Final

from mosaics.vc.errors import InputTooLarge, MalformedInput

__all__ = [
    "MAX_ARRAY_ITEMS",
    "MAX_IMAGE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_MERGED_VALUES",
    "MAX_OBJECTS_PER_ID",
    "MAX_PROOFS",
    "MAX_STATUS_LIST_BITS",
    "MAX_STATUS_LIST_COMPRESSED_BYTES",
    "check_depth",
    "check_node_merges",
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

MAX_MERGED_VALUES = MAX_ARRAY_ITEMS
"""Most values one property of one node may gather from all the objects that share the node's
``id``. JSON-LD merges such objects into one node, and pyld's node map compares each value added
to a property with every value already there (``add_value``), so the bound on one array's length
means nothing if 77 objects with one ``id`` each bring 250 values: that 200 KB input took 6.5
minutes to verify."""

MAX_OBJECTS_PER_ID = 256
"""Most JSON objects that may share one ``id`` (a CLR repeats its issuer in every credential,
far fewer times than this)."""

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
    max_merged: int = MAX_MERGED_VALUES,
    max_objects: int = MAX_OBJECTS_PER_ID,
) -> None:
    """Bound the JSON-LD work a parsed document can cause: nesting depth, the length of each
    array, the total number of values, and what JSON-LD would merge into one node — objects
    sharing an ``id`` (or ``@id``) become one node whose properties gather all their values, at
    a cost quadratic in their number (see :data:`MAX_MERGED_VALUES`). Iterative; raises
    :class:`InputTooLarge` or :class:`MalformedInput` (too deep).

    The merge count goes by the ids and property names as written. Contexts defined inline can
    make different strings mean one node or one property (prefixes, aliases, ``@base``,
    ``@nest``); :func:`check_node_merges` on the expanded form is exact.
    """
    counter = _MergeCounter(max_merged, max_objects)
    stack: list[tuple[Any, int, bool]] = [(value, 1, False)]
    count = 0
    while stack:
        item, depth, in_context = stack.pop()
        count += 1
        if count > max_values:
            raise InputTooLarge(
                f"The data holds more than {max_values} values, more than any credential needs, "
                "so it was not checked."
            )
        if isinstance(item, Mapping):
            if depth > max_depth:
                raise MalformedInput(_too_deep(max_depth))
            node_id = None if in_context else _node_id(item)
            if node_id is not None:
                counter.add_object(node_id)
            for key, member in item.items():
                if node_id is not None and key not in _NOT_PROPERTIES:
                    counter.add_values(node_id, str(key), _count_values(member))
                stack.append((member, depth + 1, in_context or key == "@context"))
        elif isinstance(item, list | tuple):
            if len(item) > max_items:
                raise InputTooLarge(
                    f"The data holds a list of {len(item)} items; at most {max_items} are "
                    "accepted, so it was not checked."
                )
            if depth > max_depth:
                raise MalformedInput(_too_deep(max_depth))
            stack.extend((child, depth + 1, in_context) for child in item)


# Keys that hold no node data: a context (term definitions, not values) and identifiers.
_NOT_PROPERTIES: Final = frozenset(["@context", "id", "@id"])


def _node_id(item: Mapping[Any, Any]) -> str | None:
    for key in ("id", "@id"):
        value = item.get(key)
        if isinstance(value, str):
            return value
    return None


class _MergeCounter:
    """Counts what JSON-LD would merge into one node: objects per id, values per (id, property).

    Objects without an id never merge (each becomes its own blank node), so only objects with
    one are counted.
    """

    def __init__(self, max_values: int, max_objects: int) -> None:
        self.max_values = max_values
        self.max_objects = max_objects
        self.objects: dict[str, int] = {}
        self.values: dict[tuple[str, str], int] = {}

    def add_object(self, node_id: str) -> None:
        count = self.objects.get(node_id, 0) + 1
        if count > self.max_objects:
            raise InputTooLarge(
                f'The data holds more than {self.max_objects} objects with the id "{node_id[:80]}"'
                "; JSON-LD merges them into one, and so many would take too long, so it was not "
                "checked."
            )
        self.objects[node_id] = count

    def add_values(self, node_id: str, prop: str, count: int) -> None:
        total = self.values.get((node_id, prop), 0) + count
        if total > self.max_values:
            raise InputTooLarge(
                f'The objects with the id "{node_id[:80]}" give "{prop[:80]}" {total} values '
                f"between them or more; JSON-LD merges them into one list, and at most "
                f"{self.max_values} are accepted, so it was not checked."
            )
        self.values[(node_id, prop)] = total


def _count_values(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple) else 1


def check_node_merges(
    expanded: Any,
    *,
    max_values: int = MAX_MERGED_VALUES,
    max_objects: int = MAX_OBJECTS_PER_ID,
) -> None:
    """Bound the node merging of **expanded** JSON-LD (what :func:`check_structure` bounds on
    the compact form, but exactly: ids and properties are absolute IRIs here, so no prefix,
    alias, ``@base``, ``@vocab`` or ``@nest`` can disguise two objects as different nodes).

    Call it between expansion and conversion to RDF (``jsonld.expand`` / ``jsonld.to_dataset``),
    where pyld builds its node map. Iterative; raises :class:`InputTooLarge`.
    """
    counter = _MergeCounter(max_values, max_objects)
    stack: list[Any] = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
            continue
        if not isinstance(item, Mapping) or "@value" in item:
            continue
        if "@list" in item or "@set" in item:
            stack.append(item.get("@list", item.get("@set")))
            continue
        node_id = item.get("@id")
        if not isinstance(node_id, str):
            node_id = None  # a blank node of its own
        else:
            counter.add_object(node_id)
        for key, value in item.items():
            if key == "@reverse" and isinstance(value, Mapping):
                # Each referring node gains the reverse property pointing here (values merge
                # into the *referring* node's property).
                for prop, referrers in value.items():
                    for referrer in referrers if isinstance(referrers, list) else [referrers]:
                        ref_id = referrer.get("@id") if isinstance(referrer, Mapping) else None
                        if isinstance(ref_id, str):
                            counter.add_values(ref_id, str(prop), 1)
                        stack.append(referrer)
                continue
            if key in ("@graph", "@included"):
                stack.append(value)
                continue
            if key != "@type" and (not isinstance(key, str) or key.startswith("@")):
                continue
            if node_id is not None:
                counter.add_values(node_id, key, _count_values(value))
            stack.append(value)


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


def contains_nul(value: Any) -> bool:
    """Whether any key or string inside a parsed JSON value holds a NUL character (no
    credential needs one, and PostgreSQL cannot store one in text or JSON)."""
    stack = [value]
    while stack:  # iterative: stay flat whatever the depth
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, Mapping):
            for key, member in node.items():
                if "\x00" in str(key):
                    return True
                stack.append(member)
        elif isinstance(node, list):
            stack.extend(node)
    return False


_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


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
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
        if _SURROGATE_ESCAPE.search(text) is not None:
            # A \ud800-\udfff escape that is not half of a pair gives a string that is not
            # text at all (it cannot be written as UTF-8, so nothing could sign or show it).
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        raise MalformedInput(
            f"The {what} is not readable text: it contains an unpaired UTF-16 surrogate "
            "(a \\ud800-\\udfff escape without its other half)."
        ) from None
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
