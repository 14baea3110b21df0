"""JSON-LD for credentials: bundled contexts, a static loader, safe mode and RDFC-1.0.

Nothing here touches the network. Every ``@context`` URL a document may use is served from a file
in ``contexts/`` (``contexts/ORIGINS.md`` says where each file comes from); any other URL is
refused with :class:`~mosaics.vc.errors.ContextError`.

:func:`canonicalize` turns a JSON-LD document into the canonical N-Quads of RDF Dataset
Canonicalization (RDFC-1.0, W3C Recommendation 2024), which eddsa-rdfc-2022 proofs sign. It uses
pyld for JSON-LD expansion and the RDF conversion and pyld's URDNA2015 (the algorithm RDFC-1.0
standardised) for blank-node labelling, with four corrections so that the bytes match the
JavaScript reference stack (jsonld.js 9 + rdf-canonize 5), which most verifiers in the field use:

* **Safe mode** (:func:`check_safe`): JSON-LD silently drops terms and types that the contexts do
  not define. Dropped data is not signed, so a verifier that accepts it lets unsigned claims ride
  along on a valid signature. jsonld.js canonicalizes in ``safe: true`` mode and fails instead;
  so do we.
* **Escaping** (:func:`escape_literal`, :func:`escape_iri`): pyld writes control characters raw.
  Canonical N-Quads (RDF 1.2 N-Triples §canonical form, used by RDFC-1.0 §5) writes
  BS, HT, LF, FF, CR, ``"`` and ``\\`` as ECHAR (``\\b`` …) and the other characters
  U+0000–U+001F and U+007F as UCHAR ``\\u00XX`` with upper-case hex. The escaped form also feeds
  the blank-node hashes (RDFC-1.0 §4.6), so it changes more than the output text.
* **Sort order** (:func:`nquads_sort_key`): RDFC-1.0 §5 says "code point order"; rdf-canonize (and
  the Java stack of the 1EdTech validator) sort JavaScript/Java strings, i.e. by UTF-16 code
  units. The two differ only when a character above U+FFFF meets one in U+E000–U+FFFF at the
  same position. We follow the implementations the credentials must interoperate with.
* **Numbers** (:func:`_js_literal`): jsonld.js turns JSON numbers into literals the JavaScript
  way (IEEE doubles, ``String(n)``, ``toExponential``/``toFixed``), which differs from pyld — and
  for ``1e-7`` from the JSON-LD spec — in a few cases.

Safe mode is checked against jsonld.js's list of "unsafe" events: undefined terms ("invalid
property"), relative ``@type``/``@id``/``@vocab`` references, dropped free-floating values,
empty objects and id-only objects, ``@direction`` without rdfDirection, invalid language tags,
blank-node predicates, keyword-like terms. We are stricter in one corner: IRIs holding U+001C–
U+001F or U+0085 count as relative (Python's ``\\s`` matches them, JavaScript's does not).

Safe mode also bounds the blank-node work the way rdf-canonize does (``maxWorkFactor`` 1), so a
"poison" graph cannot keep the canonicalizer busy for hours.
"""

from __future__ import annotations

import decimal
import hashlib
import json
import math
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, cast

from cachetools import LRUCache
from pyld import jsonld as _pyld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from mosaics.vc import _fastrdf
from mosaics.vc.errors import ContextError, MalformedInput, SafeModeError
from mosaics.vc.limits import check_depth, check_node_merges

__all__ = [
    "CONTEXT_FILES",
    "canonicalize",
    "check_safe",
    "document_loader",
    "escape_iri",
    "escape_literal",
    "expand",
    "load_context",
    "nquads_sort_key",
    "serialize_quad",
    "to_dataset",
]

CONTEXT_FILES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # W3C Verifiable Credentials
        "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
        "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
        "https://www.w3.org/ns/credentials/undefined-terms/v2": (
            "credentials-undefined-terms-v2.jsonld"
        ),
        "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
        "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
        "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.jsonld",
        "https://www.w3.org/ns/odrl.jsonld": "odrl.jsonld",
        # Data Integrity, keys, DIDs
        "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
        "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
        "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
        "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
        "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
        # 1EdTech Open Badges 3.0 and CLR 2.0. The un-versioned OB URL is served with the file the
        # 1EdTech validator serves for it (identical to the develop branch's context.json).
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context-latest-dev.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": (
            "clr-v2p0-context-2.0.1.json"
        ),
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0-context.json",
        # Open Badges 2.0 (only for reading old badges)
        "https://w3id.org/openbadges/v2": "openbadges-v2.1edtech-validator.json",
    }
)
"""Every context URL the loader serves, mapped to its file in ``mosaics/vc/contexts/``."""

_ALGORITHM: Final = "URDNA2015"  # pyld 3.3's name for RDFC-1.0 (same algorithm, renamed by W3C)
_NQUADS: Final = "application/n-quads"
_MAX_WORK_FACTOR: Final = 1  # rdf-canonize's default: deep iterations <= (non-unique nodes) ** 1

_context_lock = threading.Lock()
_context_cache: dict[str, Any] = {}
# pyld's own resolved-context cache is global and shared by every loader in the process; ours
# holds only contexts our loader produced, so nobody else's loader can poison it.
_resolved_contexts: LRUCache[str, Any] = LRUCache(maxsize=256)
# pyld keeps mutable caches (ours above, the LRU caches inside each resolved context, its own
# inverse-context cache) that are not safe to share between threads. pyld is pure Python, so
# under the GIL a lock costs no parallelism; it only keeps those caches consistent.
_pyld_lock = threading.RLock()


# --------------------------------------------------------------------------------------------
# Contexts and the document loader
# --------------------------------------------------------------------------------------------


def load_context(url: str) -> Any:
    """Return the parsed bundled context document for ``url``.

    Each file is read and parsed once; the same object is returned on later calls, so callers
    must treat it as immutable. Raises :class:`ContextError` for a URL that is not bundled.
    """
    filename = CONTEXT_FILES.get(url)
    if filename is None:
        raise ContextError(
            f"The JSON-LD context {url!r} is not one of the contexts bundled with Mosaics; "
            "contexts are never fetched from the network, so a document that uses it cannot be "
            "processed."
        )
    cached = _context_cache.get(url)
    if cached is not None:
        return cached
    with _context_lock:
        cached = _context_cache.get(url)
        if cached is None:
            text = resources.files("mosaics.vc").joinpath("contexts", filename).read_text("utf-8")
            cached = json.loads(text)
            _context_cache[url] = cached
    return cached


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the bundled contexts and refuses everything else.

    Returns ``{"contextUrl": None, "documentUrl": url, "document": doc}``. ``options`` is accepted
    for pyld's calling convention and ignored.
    """
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}


def _options() -> dict[str, Any]:
    # base None (as jsonld.js canonize does): relative IRIs stay relative, so safe mode sees
    # them; pyld's default base '' would resolve them against http://example.org/base/.
    return {
        "documentLoader": document_loader,
        "base": None,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
    }


def _find_cause(exc: BaseException) -> ContextError | None:
    """Find a ContextError our loader raised inside pyld's wrapped JsonLdError chain."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ContextError):
            return current
        todo.append(current.__cause__)
        todo.append(current.__context__)
        extra = getattr(current, "cause", None)
        if isinstance(extra, BaseException):
            todo.append(extra)
    return None


def _jsonld_error(exc: Exception, doing: str) -> Exception:
    context_error = _find_cause(exc)
    if context_error is not None:
        return context_error
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return MalformedInput(f"The document is not valid JSON-LD ({doing} failed: {detail}).")


# --------------------------------------------------------------------------------------------
# Safe mode
# --------------------------------------------------------------------------------------------

# jsonld.js's absolute-IRI test is /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/ with JavaScript's \s;
# pyld's is the same pattern with Python's \s. The two whitespace classes differ (Python adds
# U+001C–U+001F and U+0085, JavaScript adds U+FEFF), so we require both to agree.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s\ufeff]*$")
# BCP 47 well-formedness as jsonld.js checks it for @language.
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def _is_absolute(value: object) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.match(value) is not None


class _Problems:
    def __init__(self) -> None:
        self.terms: list[str] = []
        self.types: list[str] = []
        self.ids: list[str] = []
        self.other: list[str] = []

    def add(self, bucket: list[str], value: str) -> None:
        if value not in bucket:
            bucket.append(value)

    def dropped(self, expanded_property: str | None) -> None:
        self.add(self.terms, expanded_property if expanded_property is not None else "(null)")

    def raise_if_any(self) -> None:
        parts: list[str] = []
        if self.terms:
            parts.append("terms its @context does not define: " + _quoted(self.terms))
        if self.types:
            parts.append("types its @context does not define: " + _quoted(self.types))
        if self.ids:
            parts.append("identifiers that are not absolute IRIs: " + _quoted(self.ids))
        parts.extend(self.other)
        if parts:
            raise SafeModeError(
                "The document uses "
                + "; ".join(parts)
                + ". JSON-LD processing would silently drop that data, so a signature would not "
                "cover it."
            )


def _quoted(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:20])
    return shown + (f" and {len(values) - 20} more" if len(values) > 20 else "")


def _walk(value: Any, problems: _Problems) -> None:
    """Look through expanded JSON-LD for what jsonld.js's safe mode reports and pyld drops."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if "@value" in item:
            datatype = item.get("@type")
            if isinstance(datatype, str) and datatype != "@json" and not _is_absolute(datatype):
                problems.add(problems.types, datatype)
            if "@direction" in item:
                problems.add(
                    problems.other,
                    "a base direction (@direction), which has no RDF form in RDFC-1.0 here",
                )
            language = item.get("@language")
            if isinstance(language, str) and not _LANGUAGE_TAG.match(language):
                problems.add(problems.other, f"an invalid language tag {language!r}")
            continue
        for key, member in item.items():
            if key == "@id":
                if isinstance(member, str) and not _is_absolute(member):
                    problems.add(problems.ids, member)
            elif key == "@type":
                for type_ in member if isinstance(member, list) else [member]:
                    if isinstance(type_, str) and not _is_absolute(type_):
                        problems.add(problems.types, type_)
            elif key == "@reverse" and isinstance(member, dict):
                for reverse_key, reverse_value in member.items():
                    _check_property(reverse_key, problems)
                    stack.append(reverse_value)
            elif key == "@graph":
                for node in member if isinstance(member, list) else [member]:
                    _check_graph_member(node, problems)
                stack.append(member)
            elif key.startswith("@"):
                if key in ("@list", "@set", "@included"):
                    stack.append(member)
            else:
                _check_property(key, problems)
                stack.append(member)


def _check_graph_member(node: Any, problems: _Problems) -> None:
    """Graph members jsonld.js drops (and reports): empty objects, objects with only an id,
    values and lists. pyld keeps them with ``keepFreeFloatingNodes``, so we can see them."""
    if not isinstance(node, dict):
        return
    if not node:
        problems.add(problems.other, "an empty object where a node belongs")
    elif "@value" in node or "@list" in node:
        problems.add(problems.other, "a free-floating value where a node belongs")
    elif len(node) == 1 and "@id" in node:
        problems.add(
            problems.other, f"an object with only an id ({node['@id']!r}) and nothing about it"
        )


_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
_KEYWORDS: Final = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@prefix",
        "@preserve",
        "@propagate",
        "@protected",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)


def _scan_input(document: Any, problems: _Problems) -> None:
    """What pyld drops without telling: free-floating scalars in @graph, and context terms
    that look like keywords (jsonld.js: "free-floating scalar", "reserved term")."""
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, member in item.items():
                if key == "@graph":
                    for node in member if isinstance(member, list) else [member]:
                        if not isinstance(node, (dict, list)) and node is not None:
                            problems.add(
                                problems.other, f"a free-floating value {node!r} in @graph"
                            )
                if key == "@context":
                    for context in member if isinstance(member, list) else [member]:
                        if isinstance(context, dict):
                            for term in context:
                                if _KEYWORD_LIKE.match(term) and term not in _KEYWORDS:
                                    problems.add(
                                        problems.other,
                                        f"the context term {term!r}, which looks like a keyword",
                                    )
                stack.append(member)


def _check_property(key: str, problems: _Problems) -> None:
    if key.startswith("_:"):
        problems.add(problems.other, f"a blank node {key!r} as a property")
    elif not _is_absolute(key):
        problems.add(problems.terms, key)


def _expand(document: Mapping[str, Any] | list[Any]) -> tuple[list[Any], _Problems]:
    problems = _Problems()
    _scan_input(document, problems)
    problems.raise_if_any()  # before pyld, which would only warn about keyword-like terms
    options = _options()
    # Keep what pyld would drop silently so that _walk can report it; safe mode then rejects
    # the document, so the kept nodes never reach the RDF.
    options["keepFreeFloatingNodes"] = True
    try:
        with _pyld_lock:
            expanded = _pyld.expand(
                document, cast(Any, options), on_property_dropped=problems.dropped
            )
    except (ContextError, MalformedInput):
        raise
    except Exception as exc:  # pyld raises JsonLdError and assorted built-in errors
        raise _jsonld_error(exc, "expansion") from exc
    result = cast(list[Any], expanded)
    for node in result:
        _check_graph_member(node, problems)
    _walk(result, problems)
    if not result:
        problems.add(problems.other, "nothing that survives JSON-LD expansion")
    return result, problems


def expand(document: Mapping[str, Any] | list[Any]) -> list[Any]:
    """Expand a JSON-LD document with the bundled contexts, in safe mode.

    Raises :class:`SafeModeError` when the document uses undefined terms or types (or anything
    else jsonld.js's safe mode rejects that we can detect), :class:`ContextError` for an unknown
    context and :class:`MalformedInput` when it is not valid JSON-LD.
    """
    check_depth(document)
    expanded, problems = _expand(document)
    problems.raise_if_any()
    return expanded


def check_safe(document: Mapping[str, Any] | list[Any]) -> None:
    """Raise :class:`SafeModeError` if JSON-LD processing would drop any part of ``document``.

    Reports, in plain words, every term and type the document's contexts do not define, relative
    identifiers (which would drop whole nodes from the RDF), and a few rarer cases jsonld.js's
    ``safe: true`` mode also rejects. Use it on documents you did not canonicalize yourself;
    :func:`canonicalize` applies it anyway.
    """
    expand(document)


# --------------------------------------------------------------------------------------------
# Canonical N-Quads
# --------------------------------------------------------------------------------------------

_ECHAR: Final[Mapping[str, str]] = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_LITERAL_SPECIAL = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _uchar(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04X}"


def _literal_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form for canonical N-Quads (the text between the quotes)."""
    if _LITERAL_SPECIAL.search(value) is None:
        return value
    return _LITERAL_SPECIAL.sub(_literal_char, value)


def escape_iri(value: str) -> str:
    """Escape an IRI for N-Quads as rdf-canonize does (UCHAR for characters IRIREF forbids)."""
    if _IRI_SPECIAL.search(value) is None:
        return value
    return _IRI_SPECIAL.sub(_uchar, value)


def nquads_sort_key(line: str) -> bytes:
    """Sort key giving UTF-16 code-unit order, the order rdf-canonize sorts N-Quads in."""
    return line.encode("utf-16-be", "surrogatepass")


_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = Mapping[str, Any]
"""An RDF term as pyld represents it: ``{"type": "IRI"|"blank node"|"literal", "value": …}``."""


def _term(term: Term, label: Callable[[str], str]) -> str:
    kind = term["type"]
    value = cast(str, term["value"])
    if kind == "IRI":
        return f"<{escape_iri(value)}>"
    if kind == "blank node":
        return label(value)
    text = f'"{escape_literal(value)}"'
    datatype = term.get("datatype", _XSD_STRING)
    if datatype == _RDF_LANGSTRING:
        language = term.get("language")
        return f"{text}@{language}" if language else text
    if datatype != _XSD_STRING:
        return f"{text}^^<{escape_iri(datatype)}>"
    return text


def _same(value: str) -> str:
    return value


def serialize_quad(quad: Mapping[str, Term], label: Callable[[str], str] = _same) -> str:
    """One quad (pyld's dict form, graph under ``"name"``) as a canonical N-Quads line.

    ``label`` maps each blank node identifier (``_:b0``) to the label to write.
    """
    parts = [
        _term(quad["subject"], label),
        _term(quad["predicate"], label),
        _term(quad["object"], label),
    ]
    graph = quad.get("name")
    if graph is not None:
        parts.append(_term(graph, label))
    return " ".join(parts) + " .\n"


class _Rdfc10(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's URDNA2015 with canonical N-Quads escaping and order, and a work limit.

    Only the steps that serialize quads differ from pyld: Hash First Degree Quads (RDFC-1.0
    §4.6, below) and the final serialization (§5, done by :func:`_canonical_nquads` from the
    issued identifiers). Hash N-Degree Quads (§4.8) serializes only identifiers and predicates,
    which need no escaping.
    """

    def __init__(self) -> None:
        super().__init__()
        self._remaining_deep_iterations: int | None = None

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        cached = info.get("hash")
        if cached is not None:
            return cast(str, cached)

        def label(value: str) -> str:
            return "_:a" if value == id_ else "_:z"

        lines = sorted((serialize_quad(quad, label) for quad in info["quads"]), key=nquads_sort_key)
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        info["hash"] = digest
        return digest

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        # rdf-canonize's maxWorkFactor 1: at most as many deep iterations as there are blank
        # nodes left without a unique first-degree hash. By the time step 6 calls this, the
        # hash-to-blank-nodes map holds exactly those.
        if self._remaining_deep_iterations is None:
            non_unique = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            self._remaining_deep_iterations = non_unique**_MAX_WORK_FACTOR
        if self._remaining_deep_iterations <= 0:
            raise MalformedInput(
                "The document's blank nodes are too intricate to canonicalize within the work "
                "limit (a 'poison graph'); it cannot be signed or verified."
            )
        self._remaining_deep_iterations -= 1
        return super().hash_n_degree_quads(id_, issuer)


_XSD_DOUBLE: Final = "http://www.w3.org/2001/XMLSchema#double"
_XSD_INTEGER: Final = "http://www.w3.org/2001/XMLSchema#integer"
# Stands in for xsd:double while pyld builds the dataset, so that pyld keeps our lexical form
# instead of re-formatting it (see _js_numbers); swapped back before canonicalization.
_DOUBLE_PLACEHOLDER: Final = "urn:mosaics:vc:jsonld:js-double"
_EXACT = decimal.Context(prec=1200, rounding=decimal.ROUND_HALF_UP)  # exact for any double
_JS_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_JS_LEADING_WHITESPACE = re.compile(
    "^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
)


def _js_parse_float(text: str) -> float:
    """JavaScript's ``parseFloat``: the longest numeric prefix after whitespace, else NaN."""
    match = _JS_FLOAT_PREFIX.match(_JS_LEADING_WHITESPACE.sub("", text))
    if match is None:
        return math.nan
    return float(match.group().replace("Infinity", "inf"))


def _js_to_exponential(number: float) -> str:
    r"""``n.toExponential(15).replace(/(\d)0*e\+?/, '$1E')``, jsonld.js's xsd:double form.

    ECMAScript rounds the exact value half away from zero ("pick the larger n"); Python's
    ``%E`` rounds half to even, which differs for the rare doubles that sit on a tie.
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    if magnitude == 0:
        digits, exponent = "0" * 16, 0
    else:
        exact = decimal.Decimal(magnitude)
        exponent = exact.adjusted()
        scaled = exact.scaleb(15 - exponent, context=_EXACT).quantize(
            decimal.Decimal(1), context=_EXACT
        )
        if scaled >= 10**16:
            scaled, exponent = scaled / 10, exponent + 1
        digits = str(int(scaled))
    text = f"{digits[0]}.{digits[1:]}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return sign + re.sub(r"(\d)0*e\+?", r"\1E", text, count=1)


def _js_is_double(number: float) -> bool:
    """jsonld.js's test: ``String(n)`` contains "." or ``|n| >= 1e21``."""
    if abs(number) >= 1e21:
        return True
    if number.is_integer():
        return False
    # JavaScript writes |n| < 1e-6 in exponent form, with a "." only if it has several digits;
    # Python's repr gives the same shortest digits.
    return abs(number) >= 1e-6 or "." in repr(abs(number)).split("e", 1)[0]


def _js_literal(value: object, datatype: object) -> dict[str, Any] | None:
    """The value object as jsonld.js's toRdf would write it, where pyld would differ.

    jsonld.js sees JSON numbers as IEEE doubles; one whose ``String(n)`` has a "." (or that is at
    least 1e21), or whose datatype is xsd:double, is written ``n.toExponential(15)`` trimmed; any
    other number is ``n.toFixed(0)`` (as xsd:integer unless the context says otherwise). Strings
    typed xsd:double go through ``parseFloat`` first. pyld agrees in most cases but not for
    integers beyond 2**53 (JavaScript rounds them), for non-integral numbers below 1e-6 with one
    significant digit (``1e-7``: jsonld.js writes ``"0"``/``"-0"`` where JSON-LD 1.1 §8.6 says
    ``"1.0E-7"``^^xsd:double), for ``-0.0`` as a double, for rounding ties and for
    ``parseFloat`` prefixes. We follow the implementation that credentials must verify with.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if datatype != _XSD_DOUBLE:
            return None
        number = _js_parse_float(value)
    elif isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise MalformedInput("The document holds a number too large for JSON.") from None
        if not math.isfinite(number):
            raise MalformedInput("The document holds a number that is not finite (not JSON).")
    else:
        return None
    if datatype == _XSD_DOUBLE or _js_is_double(number):
        return {
            "@value": _js_to_exponential(number),
            "@type": _DOUBLE_PLACEHOLDER if datatype in (None, _XSD_DOUBLE) else datatype,
        }
    # toFixed(0). Only |n| < 1e-6 arrives here non-integral; JavaScript keeps the sign ("-0").
    lexical = str(int(number)) if number.is_integer() else ("-0" if number < 0 else "0")
    return {"@value": lexical, "@type": datatype if isinstance(datatype, str) else _XSD_INTEGER}


def _js_numbers(value: Any) -> Any:
    """A copy of expanded JSON-LD with numbers converted as jsonld.js converts them."""
    if isinstance(value, list):
        return [_js_numbers(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        if value.get("@type") == "@json":
            return value
        return _js_literal(value["@value"], value.get("@type")) or value
    return {key: _js_numbers(member) for key, member in value.items()}


def _restore_doubles(dataset: dict[str, list[dict[str, Any]]]) -> None:
    for triples in dataset.values():
        for triple in triples:
            term = triple["object"]
            if term.get("datatype") == _DOUBLE_PLACEHOLDER:
                term["datatype"] = _XSD_DOUBLE


def to_dataset(expanded: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The RDF dataset (pyld's dict form: graph name → triples) of expanded JSON-LD.

    JSON numbers become literals exactly as jsonld.js writes them (see :func:`_js_literal`).
    """
    options = _options()
    options["produceGeneralizedRdf"] = False
    try:
        numbers_converted = _js_numbers(expanded)
        with _pyld_lock:
            dataset = _pyld.to_rdf(numbers_converted, cast(Any, options))
    except (ContextError, MalformedInput):
        raise
    except Exception as exc:
        raise _jsonld_error(exc, "conversion to RDF") from exc
    result = cast(dict[str, list[dict[str, Any]]], dataset)
    _restore_doubles(result)
    return result


def _quads(dataset: Mapping[str, list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for graph_name, triples in dataset.items():
        for triple in triples:
            quad = dict(triple)
            if graph_name != "@default":
                kind = "blank node" if graph_name.startswith("_:") else "IRI"
                quad["name"] = {"type": kind, "value": graph_name}
            yield quad


def _canonical_nquads(dataset: Mapping[str, list[dict[str, Any]]]) -> str:
    # Keep our own copy of each quad: pyld relabels its quads in place while it works.
    quads = [{key: dict(component) for key, component in quad.items()} for quad in _quads(dataset)]
    canon = _Rdfc10()
    canon.main(dataset, {"format": _NQUADS})
    issued: Mapping[str, str] = canon.canonical_issuer.existing

    def label(value: str) -> str:
        return issued[value]

    lines = {serialize_quad(quad, label) for quad in quads}
    return "".join(sorted(lines, key=nquads_sort_key))


def canonicalize(document: Mapping[str, Any] | list[Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, as eddsa-rdfc-2022 hashes it.

    Contexts come only from the bundled files; the document must pass :func:`check_safe`.
    The result is byte-for-byte what jsonld.js ``canonize`` (rdf-canonize, ``RDFC-1.0``) gives.

    Raises :class:`ContextError`, :class:`SafeModeError` or :class:`MalformedInput`.
    """
    # Fast path (mosaics.vc._fastrdf, from the performance work): the documents we issue and
    # verify, with the same bytes as below. It returns None for anything it does not handle with
    # certainty (unknown context, undefined term, unsupported feature), and we go on below,
    # which gives the result or the proper error. tests/vc/test_fastrdf.py checks agreement.
    check_depth(document)  # hostile nesting: a clean MalformedInput, never RecursionError
    if isinstance(document, Mapping):
        fast = _fastrdf.canonicalize(document)
        if fast is not None:
            return fast
    expanded = expand(document)
    # pyld's node map merges node objects that share an id in quadratic time; inline contexts
    # can make different strings name one node, which only the expanded form shows.
    check_node_merges(expanded)
    return _canonical_nquads(to_dataset(expanded))
