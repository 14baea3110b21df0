"""A fast, exact JSON-LD 1.1 → RDFC-1.0 canonical N-Quads path for the documents we issue.

``eddsa-rdfc-2022`` needs the RDFC-1.0 canonical N-Quads of the credential and of the proof
options. pyld computes them correctly but spends most of its time re-processing the same
contexts (and serialising them with JCS to build cache keys) on every call. This module:

* processes the bundled contexts once and keeps every derived active context (property-scoped and
  type-scoped, JSON-LD 1.1 API §4.1) in a cache hanging off its parent context;
* walks the document once and emits quads directly, folding Expansion (JSON-LD 1.1 API §5.1),
  Node Map Generation (§7.2) and Deserialize JSON-LD to RDF (§8.1) into one recursive pass;
* canonicalizes with RDFC-1.0 §4.4: first-degree hashes (§4.6); when every blank node gets a
  unique hash the canonical labels follow directly, otherwise Hash N-Degree Quads (§4.8) runs,
  under the same work limit as ``mosaics.vc.jsonld``.

It mirrors what ``mosaics.vc.jsonld.canonicalize`` does with pyld (the reference our signatures
must agree with), including pyld's choices where the specification leaves room and the
corrections ``jsonld.py`` makes to match jsonld.js/rdf-canonize: it uses that module's literal
and IRI escaping, UTF-16 sort order and number formatting rather than its own copies.

Where the time went (pyld 3.3, 1EdTech OB 3.0 vector, one core, 2026-11-22): 5.7 ms per
canonicalization, 92 % of it in expansion and 81 % in context processing, which pyld repeats on
every call (remote contexts are only shared across calls when the loader tags them ``static``;
type-scoped contexts are re-processed for every node), and 47 % in JCS-serialising context
objects to build cache keys; RDF conversion 0.9 ms, URDNA2015 0.27 ms. A ``tag: "static"``
loader alone saves about a third (≈1.6x). This module: 0.11 ms (≈40x pyld, ≈60x the
safe-mode general path); the CLR vector 0.57 ms (23x / 36x); a 70-quad OB 3.0 credential
with duplicate blank nodes 0.8 ms (10x / 20x); 1EdTech's complete.json (356 quads, N-degree
hashing) 3.4 ms (16x / 18x); proof options 0.05 ms.

Anything it does not support with certainty makes :func:`canonicalize` return ``None``: an
unknown or inline context, a term or type the contexts do not define, a ``null`` value, keywords
such as ``@reverse``/``@nest``/``@included``/``@index``, language/index/id/type maps, relative
IRIs, numbers the general path rejects. The caller then takes the general (pyld) path, which
produces the same answer more slowly or raises the proper (safe-mode) error.
``tests/vc/test_fastrdf.py`` checks byte-for-byte agreement with that path on every conformance
fixture and on generated Open Badges 3.0 credentials.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

__all__ = ["CONTEXT_FILES", "Unsupported", "canonicalize", "to_quads"]

# URL → file in ``contexts/`` (the same documents the static loader of ``jsonld.py`` serves).
CONTEXT_FILES: Final[Mapping[str, str]] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
    "https://www.w3.org/ns/credentials/undefined-terms/v2": "credentials-undefined-terms-v2.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context-latest-dev.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0-context.json",
    "https://w3id.org/openbadges/v2": "openbadges-v2.1edtech-validator.json",
}

_CONTEXT_DIR: Final = Path(__file__).resolve().parent / "contexts"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE: Final = f"<{RDF}type>"
_RDF_FIRST: Final = f"<{RDF}first>"
_RDF_REST: Final = f"<{RDF}rest>"
_RDF_NIL: Final = f"<{RDF}nil>"
_RDF_JSON: Final = f"{RDF}JSON"
_RDF_LANGSTRING: Final = f"{RDF}langString"
_XSD_STRING: Final = f"{XSD}string"
_XSD_BOOLEAN: Final = f"{XSD}boolean"
_XSD_DOUBLE: Final = f"{XSD}double"

# The JSON-LD 1.1 keywords (JSON-LD 1.1 §9.16 plus the framing keywords pyld also treats as such).
_KEYWORDS: Final = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@first",
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
        "@propagate",
        "@protected",
        "@preserve",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)
_KEYWORD_FORM: Final = re.compile(r"^@[a-zA-Z]+$")
# pyld's absolute-IRI test (JSON-LD 1.1 API §8.1 drops triples whose IRIs fail it).
_ABSOLUTE_IRI: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_IRI_FORM_TERM: Final = re.compile(r".*((:[^:])|/)")
_GEN_DELIM_END: Final = re.compile(r".*[:/\?#\[\]@]$")
# What ``mosaics.vc.jsonld``'s safe mode accepts as absolute (stricter than pyld: no "," in the
# scheme, no U+FEFF, which JavaScript's \s includes). Every IRI we emit must pass both.
_SAFE_IRI: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s\ufeff]*$")
# BCP 47 shape as checked by JSON-LD processors (JSON-LD 1.1 §4.2.4 / safe mode).
_LANGUAGE_TAG: Final = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_TERM_KEYS: Final = frozenset({"@id", "@type", "@container", "@context", "@protected"})
_CONTEXT_KEYWORDS: Final = frozenset({"@version", "@protected", "@vocab"})
_SUPPORTED_CONTAINERS: Final = frozenset(
    {("@set",), ("@list",), ("@graph",), ("@graph", "@set"), ("@set", "@graph")}
)

# Bounds on what hostile documents can make us cache.
_MAX_DERIVED_CONTEXTS: Final = 20_000
_MAX_MEMO_PER_CONTEXT: Final = 4_096
_MAX_TOP_LEVEL_CONTEXTS: Final = 256
_MAX_IRI_TOKENS: Final = 50_000


# A term definition without ``@context`` (``None`` is a scoped context of ``null``).
_NO_CONTEXT: Final[Any] = "<no scoped context>"


class Unsupported(Exception):
    """Internal signal: the document uses something this fast path does not handle."""


def _unsupported(why: str) -> Unsupported:
    return Unsupported(why)


class _Term:
    """A term definition (JSON-LD 1.1 API §4.2) restricted to the features supported here.

    Equality compares every field, like pyld's comparison of a protected term with its
    redefinition (JSON-LD 1.1 API §4.2.2 step 27).
    """

    __slots__ = ("container", "context", "has_colon", "iri", "prefix", "protected", "type")

    def __init__(
        self,
        *,
        iri: str,
        type: str | None,
        container: tuple[str, ...] | None,
        context: Any,
        protected: bool,
        prefix: bool,
        has_colon: bool,
    ) -> None:
        self.iri = iri
        self.type = type
        self.container = container
        self.context = context
        self.protected = protected
        self.prefix = prefix
        self.has_colon = has_colon

    def _key(self) -> tuple[Any, ...]:
        return (
            self.iri,
            self.type,
            self.container,
            self.context,
            self.protected,
            self.prefix,
            self.has_colon,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Term) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def with_protected(self) -> _Term:
        return _Term(
            iri=self.iri,
            type=self.type,
            container=self.container,
            context=self.context,
            protected=True,
            prefix=self.prefix,
            has_colon=self.has_colon,
        )


_derived_count = 0


class _Context:
    """An active context (JSON-LD 1.1 API §4.1) plus memo tables that make re-use cheap."""

    __slots__ = ("derived", "keys", "previous", "structural", "terms", "types", "vocab")

    def __init__(
        self, terms: dict[str, _Term], vocab: str | None, previous: _Context | None
    ) -> None:
        self.terms = terms
        self.vocab = vocab
        # JSON-LD 1.1 API §4.1.2 step 3: the context to revert to when a type-scoped context
        # (not propagated) meets a new node object.
        self.previous = previous
        # (id of the local context, override protected, propagate) -> (local context, result)
        self.derived: dict[tuple[int, bool, bool], tuple[Any, _Context | Unsupported]] = {}
        # key -> (expanded IRI or keyword, term definition or None); vocab-relative expansion
        self.keys: dict[str, tuple[str | None, _Term | None]] = {}
        # value -> expanded IRI, vocab-relative (used for @type values)
        self.types: dict[str, str | None] = {}
        # keys that expand to @value, @list, @set or @graph (see :meth:`structural_keys`)
        self.structural: frozenset[str] | None = None

    def clone(self) -> _Context:
        return _Context(dict(self.terms), self.vocab, self.previous)

    def expand_key(self, key: str) -> tuple[str | None, _Term | None]:
        """Expand a key (vocab-relative IRI Expansion, JSON-LD 1.1 API §5.2), memoised.

        The IRI is ``None`` when the key is not defined: reserved (``@foo``), or relative with no
        ``@vocab`` (pyld would resolve it against a base, then drop it).
        """
        hit = self.keys.get(key)
        if hit is not None:
            return hit
        try:
            expanded = _expand_iri(self, key, vocab=True)
        except Unsupported:
            expanded = None
        result = (expanded, self.terms.get(key))
        if len(self.keys) < _MAX_MEMO_PER_CONTEXT:
            self.keys[key] = result
        return result

    def structural_keys(self) -> frozenset[str]:
        """The keys that make a map a value, list, set or graph object in this context."""
        if self.structural is None:
            wanted = {"@value", "@list", "@set", "@graph"}
            self.structural = frozenset(
                wanted | {term for term, d in self.terms.items() if d.iri in wanted}
            )
        return self.structural

    def peek_key(self, key: str) -> str | None:
        return self.expand_key(key)[0]

    def expand_type(self, value: str) -> str | None:
        """Vocab-relative expansion of a ``@type`` value, memoised; ``None`` if undefined."""
        if value in self.types:
            return self.types[value]
        try:
            result = _expand_iri(self, value, vocab=True)
        except Unsupported:
            result = None
        if len(self.types) < _MAX_MEMO_PER_CONTEXT:
            self.types[value] = result
        return result


_INITIAL: Final = _Context({}, None, None)


def _jsonld() -> Any:
    """``mosaics.vc.jsonld``, imported late: it imports this module to try the fast path."""
    from mosaics.vc import jsonld

    return jsonld


_documents: dict[str, Any] = {}
_url_lists: dict[tuple[str, ...], list[str]] = {}
_iri_tokens: dict[str, str] = {}  # IRI -> its N-Quads term, for IRIs that need no escaping


def _load(url: str) -> Any:
    """The ``@context`` of a bundled context document; anything else is unsupported."""
    doc = _documents.get(url)
    if doc is None:
        name = CONTEXT_FILES.get(url)
        if name is None:
            raise _unsupported(f"context not bundled: {url}")
        doc = json.loads((_CONTEXT_DIR / name).read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or "@context" not in doc:
            raise _unsupported(f"not a context document: {url}")
        _documents[url] = doc
    return doc["@context"]


# --- Context Processing (JSON-LD 1.1 API §4.1) ---------------------------------------------------


def _process_context(
    active: _Context, local: Any, *, override_protected: bool = False, propagate: bool = True
) -> _Context:
    """Context Processing Algorithm (JSON-LD 1.1 API §4.1.2), memoised on ``active``."""
    global _derived_count
    key = (id(local), override_protected, propagate)
    hit = active.derived.get(key)
    if hit is not None and hit[0] is local:
        if isinstance(hit[1], Unsupported):
            raise hit[1]
        return hit[1]
    try:
        result: _Context | Unsupported = _process_context_uncached(
            active, local, override_protected=override_protected, propagate=propagate
        )
    except Unsupported as exc:
        result = exc
    except RecursionError:
        result = _unsupported("context nesting too deep")
    if _derived_count < _MAX_DERIVED_CONTEXTS:
        _derived_count += 1
        active.derived[key] = (local, result)
    if isinstance(result, Unsupported):
        raise result
    return result


def _flatten_contexts(local: Any, seen: tuple[str, ...] = ()) -> list[dict[str, Any] | None]:
    """Resolve URLs to their bundled documents (JSON-LD 1.1 API §4.1.2 step 5.2)."""
    out: list[dict[str, Any] | None] = []
    for item in local if isinstance(local, list) else [local]:
        if isinstance(item, str):
            if item in seen:
                raise _unsupported("recursive context inclusion")
            out.extend(_flatten_contexts(_load(item), (*seen, item)))
        elif isinstance(item, dict) or item is None:
            out.append(item)
        else:
            raise _unsupported("invalid context")
    return out


def _process_context_uncached(
    active: _Context, local: Any, *, override_protected: bool, propagate: bool
) -> _Context:
    contexts = _flatten_contexts(local)
    if not contexts:
        raise _unsupported("empty context array")
    result = active
    # §4.1.2 step 2/3: a non-propagated (type-scoped) context remembers what to revert to.
    if not propagate and result.previous is None:
        result = result.clone()
        result.previous = active
    for ctx in contexts:
        if ctx is None:
            # §4.1.2 step 5.1: null resets to the initial context, which protected terms only
            # allow from a property-scoped context (VC 2.0's ``verifiableCredential``).
            if not override_protected and any(t.protected for t in result.terms.values()):
                raise _unsupported("nullifying a context with protected terms")
            result = _INITIAL
            continue
        for kw in ctx:
            if kw.startswith("@") and kw not in _CONTEXT_KEYWORDS:
                raise _unsupported(f"context keyword {kw}")
        if "@version" in ctx and ctx["@version"] != 1.1:
            raise _unsupported("@version")
        result = result.clone()
        if "@vocab" in ctx:  # §4.1.2 step 5.8
            vocab = ctx["@vocab"]
            if vocab is None:
                result.vocab = None
            elif not isinstance(vocab, str):
                raise _unsupported("@vocab")
            else:
                expanded = _expand_iri(result, vocab, vocab=True)
                if expanded is None or not _ABSOLUTE_IRI.match(expanded):
                    raise _unsupported("relative @vocab")
                result.vocab = expanded
        protected = ctx.get("@protected", False)
        if not isinstance(protected, bool):
            raise _unsupported("@protected")
        defined: dict[str, bool] = {"@protected": protected, "@version": True, "@vocab": True}
        for term, value in ctx.items():
            _create_term_definition(result, ctx, term, defined, override_protected)
            if isinstance(value, dict) and "@context" in value:
                # §4.2.2 step 21.3: a scoped context must itself be valid; pyld checks it now,
                # against the context as defined so far. Not memoised: ``result`` is still
                # being built, a cached derivation of it would miss the later terms.
                _process_context_uncached(
                    result, value["@context"], override_protected=True, propagate=True
                )
    return result


def _create_term_definition(
    active: _Context,
    local: dict[str, Any],
    term: str,
    defined: dict[str, bool],
    override_protected: bool,
) -> None:
    """Create Term Definition (JSON-LD 1.1 API §4.2.2), restricted to supported features."""
    if term in defined:
        if defined[term]:
            return
        raise _unsupported("cyclic term definition")
    defined[term] = False
    value = local[term]
    if term == "" or term.startswith("@"):
        raise _unsupported(f"term {term!r}")
    previous = active.terms.pop(term, None)
    simple = isinstance(value, str)
    if simple:
        value = {"@id": value}
    if not isinstance(value, dict):
        raise _unsupported("term definition shape")  # includes null (§4.2.2 step 8)
    for kw in value:
        if kw not in _TERM_KEYS:
            raise _unsupported(f"term definition keyword {kw}")
    colon = term.find(":")
    has_colon = colon > 0
    iri: str | None = None
    prefix = False
    if "@id" in value:  # §4.2.2 step 14
        id_ = value["@id"]
        if not isinstance(id_, str):
            raise _unsupported("null or invalid @id in term definition")
        if id_ not in _KEYWORDS and _KEYWORD_FORM.match(id_):
            raise _unsupported("reserved @id form")
        if id_ != term:
            expanded = _expand_iri(active, id_, vocab=True, local=local, defined=defined)
            if expanded is None or not (expanded in _KEYWORDS or _ABSOLUTE_IRI.match(expanded)):
                raise _unsupported("term IRI")
            if _IRI_FORM_TERM.match(term):  # §4.2.2 step 14.2.4
                again = dict(defined)
                again[term] = True
                if _expand_iri(active, term, vocab=True, local=local, defined=again) != expanded:
                    raise _unsupported("IRI-form term mapping elsewhere")
            iri = expanded
            prefix = (
                simple
                and not has_colon
                and (expanded.startswith("_:") or bool(_GEN_DELIM_END.match(expanded)))
            )
    if iri is None:  # §4.2.2 steps 15-17
        if has_colon:
            pfx = term[:colon]
            if pfx in local:  # pyld defines dependencies without overriding protection
                _create_term_definition(active, local, pfx, defined, False)
            parent = active.terms.get(pfx)
            iri = parent.iri + term[colon + 1 :] if parent is not None else term
        else:
            if active.vocab is None:
                raise _unsupported("term without IRI and no @vocab")
            iri = active.vocab + term
    if iri in ("@context", "@preserve"):
        raise _unsupported("aliasing @context")
    is_protected = bool(value.get("@protected")) or (
        defined["@protected"] and value.get("@protected", True) is not False
    )
    type_: str | None = None
    if "@type" in value:  # §4.2.2 step 13
        raw = value["@type"]
        if not isinstance(raw, str):
            raise _unsupported("@type in term definition")
        if raw in ("@json", "@none", "@id", "@vocab"):
            type_ = raw
        else:
            expanded = _expand_iri(active, raw, vocab=True, local=local, defined=defined)
            if expanded is None or not _ABSOLUTE_IRI.match(expanded) or expanded.startswith("_:"):
                raise _unsupported("term datatype")
            type_ = expanded
    container: tuple[str, ...] | None = None
    if "@container" in value:  # §4.2.2 step 19
        raw = value["@container"]
        container = tuple(raw) if isinstance(raw, list) else (raw,)
        if container not in _SUPPORTED_CONTAINERS:
            raise _unsupported(f"container {container}")
    context: Any = _NO_CONTEXT
    if "@context" in value:  # §4.2.2 step 21
        context = value["@context"]  # null: reset to the initial context when used
    mapping = _Term(
        iri=iri,
        type=type_,
        container=container,
        context=context,
        protected=is_protected,
        prefix=prefix,
        has_colon=has_colon,
    )
    # §4.2.2 step 27: a protected term may only be redefined identically.
    if (
        previous is not None
        and previous.protected
        and not override_protected
        and previous != mapping.with_protected()
    ):
        raise _unsupported("protected term redefinition")
    if previous is not None and previous.protected and not override_protected:
        mapping = mapping.with_protected()
    active.terms[term] = mapping
    defined[term] = True


def _expand_iri(
    active: _Context,
    value: str,
    *,
    vocab: bool,
    local: dict[str, Any] | None = None,
    defined: dict[str, bool] | None = None,
) -> str | None:
    """IRI Expansion (JSON-LD 1.1 API §5.2). Never resolves against a base: unsupported."""
    if value in _KEYWORDS:
        return value
    if _KEYWORD_FORM.match(value):
        return None  # §5.2.2 step 2: reserved, ignored
    if (
        local is not None
        and defined is not None
        and value in local
        and defined.get(value) is not True
    ):
        _create_term_definition(active, local, value, defined, False)
    if vocab and value in active.terms:
        return active.terms[value].iri
    colon = value.find(":")
    if colon > 0:
        pfx = value[:colon]
        suffix = value[colon + 1 :]
        if pfx == "_" or suffix.startswith("//"):
            return value
        if local is not None and defined is not None and pfx in local and not defined.get(pfx):
            _create_term_definition(active, local, pfx, defined, False)
        mapping = active.terms.get(pfx)
        if mapping is not None and mapping.prefix:
            return mapping.iri + suffix
        if _ABSOLUTE_IRI.match(value):
            return value
    if vocab and active.vocab is not None:
        return active.vocab + value
    raise _unsupported(f"relative IRI {value!r}")


def _intern_urls(context: Any) -> list[str]:
    """One list object per distinct list of bundled context URLs (the memo key of its use)."""
    urls = tuple(context) if isinstance(context, list) else (context,)
    if not all(isinstance(u, str) and u in CONTEXT_FILES for u in urls):
        raise _unsupported("inline or unknown context")
    interned = _url_lists.get(urls)
    if interned is None:
        if len(_url_lists) >= _MAX_TOP_LEVEL_CONTEXTS:
            raise _unsupported("too many distinct context lists")
        interned = _url_lists[urls] = list(urls)
    return interned


# --- Serialisation of RDF terms (N-Quads, RDFC-1.0 §4.3 / RDF 1.1 N-Quads) -------------------


def _scalar_literal(value: Any, datatype: str | None) -> tuple[str, str | None]:
    """Object to RDF for a native value (JSON-LD 1.1 API §8.6 steps 9-12).

    Returns the lexical form and the datatype IRI (``None`` for xsd:string). Numbers, and
    strings typed xsd:double, are written the way jsonld.js writes them, which is what
    ``mosaics.vc.jsonld`` does (its ``_js_literal``, used here so the two cannot drift apart).
    """
    if isinstance(value, bool):
        return ("true" if value else "false", datatype or _XSD_BOOLEAN)
    if isinstance(value, str) and datatype != _XSD_DOUBLE:
        return (value, datatype)
    if not isinstance(value, (int, float, str)):
        raise _unsupported(f"value of type {type(value).__name__}")
    jsonld = _jsonld()
    js_literal = getattr(jsonld, "_js_literal", None)
    if js_literal is None:
        raise _unsupported("no number conversion to follow")
    try:
        converted = js_literal(value, datatype)
    except Exception as exc:  # MalformedInput for non-finite or oversized numbers
        raise _unsupported("a number the general path rejects") from exc
    if not isinstance(converted, dict):
        raise _unsupported("a number left to pyld")
    lexical = converted["@value"]
    converted_type = converted.get("@type")
    if converted_type == getattr(jsonld, "_DOUBLE_PLACEHOLDER", None):
        converted_type = _XSD_DOUBLE
    if not isinstance(lexical, str) or not isinstance(converted_type, str):
        raise _unsupported("unexpected number conversion")
    return (lexical, converted_type)


def _json_literal(value: Any) -> tuple[str, str | None]:
    """A ``@json`` value: JCS (RFC 8785) text typed rdf:JSON (JSON-LD 1.1 API §8.6 step 6)."""
    from c14n.Canonicalize import canonicalize as jcs  # the JCS implementation pyld uses

    if value is None:
        raise _unsupported("null @json value")
    text = jcs(value)
    return (text.decode("utf-8") if isinstance(text, bytes) else str(text), _RDF_JSON)


# --- Expansion + Node Map + toRDF in one pass (JSON-LD 1.1 API §5.1, §7.2, §8.1) -------------

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph ("" = default graph)


def _always(_value: str) -> bool:
    return True


class _Emitter:
    """Collects the quads of one document as canonical N-Quads terms.

    Terms are written once, already escaped the way ``mosaics.vc.jsonld`` writes them (its
    ``escape_iri``/``escape_literal``); ``raw`` remembers the unescaped form of every IRI whose
    text differs from it (Hash Related Blank Node hashes predicates unescaped, like pyld).
    """

    __slots__ = ("counter", "escape_iri", "escape_literal", "is_absolute", "labels", "quads", "raw")

    def __init__(self) -> None:
        self.quads: set[Quad] = set()
        self.counter = 0
        self.labels: dict[str, str] = {}
        self.raw: dict[str, str] = {}  # IRI token -> IRI, where escaping changed it
        jsonld = _jsonld()
        self.escape_iri: Callable[[str], str] = jsonld.escape_iri
        self.escape_literal: Callable[[str], str] = jsonld.escape_literal
        # Its safe mode's own test, if it has one, on top of ours (both must accept).
        self.is_absolute: Callable[[str], bool] = getattr(jsonld, "_is_absolute", _always)

    def iri(self, value: str) -> str:
        known = _iri_tokens.get(value)
        if known is not None:
            return known
        if not _SAFE_IRI.match(value) or value.startswith("_:") or not self.is_absolute(value):
            raise _unsupported(f"not an absolute IRI: {value!r}")
        escaped = self.escape_iri(value)
        token = "<" + escaped + ">"
        if escaped != value:
            self.raw[token] = value
        elif len(_iri_tokens) < _MAX_IRI_TOKENS:
            _iri_tokens[value] = token  # only IRIs that need no escaping: no raw form to keep
        return token

    def literal(self, lexical: str, datatype: str | None, language: str | None = None) -> str:
        token = '"' + self.escape_literal(lexical) + '"'
        if language is not None:
            return token + "@" + language
        if datatype is not None and datatype != _XSD_STRING:
            return token + "^^" + self.iri(datatype)
        return token

    def blank(self) -> str:
        self.counter += 1
        return f"_:b{self.counter}"

    def node_id(self, value: Any, ctx: _Context) -> str:
        """Expand a node identifier (document-relative, not vocab-relative: §5.1.2 step 13.4.3)."""
        if not isinstance(value, str):
            raise _unsupported("non-string @id")
        expanded = _expand_iri(ctx, value, vocab=False)
        return self.reference(expanded)

    def reference(self, expanded: str | None) -> str:
        if expanded is None or expanded in _KEYWORDS:
            raise _unsupported("keyword as identifier")
        if expanded.startswith("_:"):
            # Node Map Generation relabels document blank nodes consistently (§7.2).
            label = self.labels.get(expanded)
            if label is None:
                label = self.labels[expanded] = self.blank()
            return label
        return self.iri(expanded)

    def node(
        self,
        ctx: _Context,
        active_property: str | None,
        element: dict[str, Any],
        graph: str,
        property_term: _Term | None,
    ) -> str:
        """Expand a node object and emit its quads into ``graph``; return its RDF term.

        Mirrors the map branch of the Expansion Algorithm (JSON-LD 1.1 API §5.1.2 steps 7-13).
        """
        # Step 8: a property-scoped context, from the definition of the active property.
        scoped = property_term.context if property_term is not None else _NO_CONTEXT
        # Step 7: revert a non-propagated type-scoped context unless this is a value object
        # or a lone node reference.
        type_scoped: _Context | None = ctx if ctx.previous is not None else None
        must_revert = True
        if type_scoped is not None and len(element) <= 2 and "@context" not in element:
            for key in sorted(element):
                expanded = type_scoped.peek_key(key)
                if expanded == "@value":
                    raise _unsupported("value object in node position")
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert and ctx.previous is not None:
            ctx = ctx.previous
        if scoped is not _NO_CONTEXT:
            ctx = _process_context(ctx, scoped, override_protected=True)
        if "@context" in element:  # step 9: an embedded context (bundled URLs only)
            ctx = _process_context(ctx, _intern_urls(element["@context"]))
        # Steps 10-11: type-scoped contexts, applied in lexicographical order of the types.
        types_ctx = ctx
        type_values: list[str] = []
        plan: list[tuple[str, Any, str, _Term | None]] = []
        for key in sorted(element):
            # keys not defined yet (before their type-scoped context) are not @type
            if ctx.peek_key(key) == "@type":
                value = element[key]
                values = value if isinstance(value, list) else [value]
                for t in values:
                    if not isinstance(t, str):
                        raise _unsupported("non-string type")
                type_values.extend(values)
                for t in sorted(values):
                    term = types_ctx.terms.get(t)
                    # pyld skips absent and null type-scoped contexts alike
                    if term is not None and term.context not in (_NO_CONTEXT, None):
                        ctx = _process_context(ctx, term.context, propagate=False)
        # Step 13: every entry, in lexicographical order of the keys.
        subject: str | None = None
        for key in sorted(element):
            if key == "@context":
                continue
            expanded, term = ctx.expand_key(key)
            if expanded is None:
                raise _unsupported(f"undefined term {key!r}")
            if expanded == "@id":
                if subject is not None:
                    raise _unsupported("colliding @id")
                subject = self.node_id(element[key], ctx)
            elif expanded == "@type":
                continue
            elif expanded in _KEYWORDS:
                raise _unsupported(f"keyword {expanded}")
            else:
                plan.append((key, element[key], expanded, term))
        if subject is None:
            if not plan and not type_values:
                raise _unsupported("empty node object")
            subject = self.blank()
        quads = self.quads
        for t in type_values:
            quads.add((subject, _RDF_TYPE, self.type_iri(types_ctx, t), graph))
        for key, value, expanded, term in plan:
            predicate = self.iri(expanded)
            for obj in self.property_values(ctx, key, term, value, graph):
                quads.add((subject, predicate, obj, graph))
        return subject

    def type_iri(self, ctx: _Context, value: str) -> str:
        expanded = ctx.expand_type(value)
        if expanded is None:
            raise _unsupported(f"undefined type {value!r}")
        return self.iri(expanded)

    def property_values(
        self, ctx: _Context, key: str, term: _Term | None, value: Any, graph: str
    ) -> list[str]:
        """Expand the value of one property and return the RDF objects (§5.1.2 step 13.7 ff.)."""
        term_ctx = ctx
        if term is not None and term.context is not _NO_CONTEXT:
            # Step 13.7: property-scoped context, propagated, may override protected terms.
            term_ctx = _process_context(ctx, term.context, override_protected=True)
        container = term.container if term is not None else None
        if term is not None and term.type == "@json":
            if container is not None:
                raise _unsupported("@json with a container")
            return [self.literal(*_json_literal(value))]
        # The values are expanded in the property-scoped context, where the key may mean
        # something else (VC 2.0's verifiableCredential resets it to the initial context). pyld
        # takes @list/@graph wrapping from the outer definition but "inside a list" for arrays
        # from the inner one; we only follow documents where the two agree on @list.
        inner_term = term_ctx.terms.get(key) if term_ctx is not ctx else term
        inner_container = inner_term.container if inner_term is not None else None
        if ("@list" in (inner_container or ())) != ("@list" in (container or ())):
            raise _unsupported("scoped context changes whether its own term is a list")
        items = value if isinstance(value, list) else [value]
        if container is not None and "@list" in container:
            objects: list[str] = []
            for item in items:
                if isinstance(item, list):
                    raise _unsupported("list of lists")
                objects.append(self.value(term_ctx, key, inner_term, item, graph))
            return [self.rdf_list(objects, graph)]
        if container is not None and "@graph" in container:
            # A graph container wraps each value in a graph object (§5.1.2 step 13.13); Node
            # Map Generation names that graph with a fresh blank node (§7.2 step 6.1).
            names: list[str] = []
            for item in items:
                if not isinstance(item, dict):
                    raise _unsupported("non-object value in a @graph container")
                name = self.blank()
                before = len(self.quads)
                self.value(term_ctx, key, inner_term, item, name)
                if len(self.quads) == before:
                    # A graph holding only a node reference: jsonld.js drops such members,
                    # and mosaics.vc.jsonld refuses them.
                    raise _unsupported("a graph with nothing in it")
                names.append(name)
            return names
        out: list[str] = []
        for item in items:
            if isinstance(item, list):
                raise _unsupported("nested array")
            out.append(self.value(term_ctx, key, inner_term, item, graph))
        return out

    def value(self, ctx: _Context, key: str, term: _Term | None, item: Any, graph: str) -> str:
        if isinstance(item, dict):
            if ctx.structural_keys().isdisjoint(item):
                return self.node(ctx, key, item, graph, term)
            if any(ctx.peek_key(k) == "@value" for k in item):
                return self.value_object(ctx, item)
            if any(ctx.peek_key(k) in ("@list", "@set", "@graph") for k in item):
                raise _unsupported("list, set or graph object")
            return self.node(ctx, key, item, graph, term)
        if item is None:
            raise _unsupported("null value")
        # Value Expansion (JSON-LD 1.1 API §5.3.2).
        type_ = term.type if term is not None else None
        if isinstance(item, str):
            if type_ == "@id":
                return self.reference(_expand_iri(ctx, item, vocab=False))
            if type_ == "@vocab":
                return self.reference(_expand_iri(ctx, item, vocab=True))
        if type_ is None or type_ in ("@id", "@vocab", "@none"):
            return self.literal(*_scalar_literal(item, None))
        return self.literal(*_scalar_literal(item, type_))

    def value_object(self, ctx: _Context, item: dict[str, Any]) -> str:
        """A value object written in the document (§5.1.2 steps 13.4.6-13.4.8, §5.1.2 step 15)."""
        # Value objects keep a type-scoped context (§5.1.2 step 7); keys resolve the same way.
        value: Any = None
        datatype: str | None = None
        language: str | None = None
        seen: set[str] = set()
        for key, raw in item.items():
            expanded = ctx.expand_key(key)[0]
            if expanded in seen:
                raise _unsupported("colliding keywords")
            if expanded == "@value":
                value = raw
            elif expanded == "@type":
                if not isinstance(raw, str):
                    raise _unsupported("value object @type")
                datatype = ctx.expand_type(raw)
                if datatype is None or datatype == "@json":
                    raise _unsupported("value object datatype")
            elif expanded == "@language":
                if not isinstance(raw, str) or not _LANGUAGE_TAG.match(raw):
                    raise _unsupported("language tag")
                language = raw.lower()
            else:
                raise _unsupported(f"value object entry {key!r}")
            seen.add(expanded)
        if value is None or isinstance(value, (dict, list)):
            raise _unsupported("null or structured @value")
        if language is not None:
            if datatype is not None or not isinstance(value, str):
                raise _unsupported("language with datatype or non-string")
            return self.literal(value, _RDF_LANGSTRING, language)
        return self.literal(*_scalar_literal(value, datatype))

    def rdf_list(self, objects: list[str], graph: str) -> str:
        """An RDF collection (JSON-LD 1.1 API §8.2 List to RDF Conversion)."""
        if not objects:
            return _RDF_NIL
        head = self.blank()
        node = head
        quads = self.quads
        for index, obj in enumerate(objects):
            quads.add((node, _RDF_FIRST, obj, graph))
            rest = _RDF_NIL if index == len(objects) - 1 else self.blank()
            quads.add((node, _RDF_REST, rest, graph))
            node = rest
        return head


def _emit(document: Mapping[str, Any]) -> _Emitter:
    if not isinstance(document, Mapping):
        raise _unsupported("document is not an object")
    if "@context" not in document or len(document) < 2:
        raise _unsupported("no @context or no properties")
    emitter = _Emitter()
    try:
        emitter.node(_INITIAL, None, dict(document), "", None)
    except RecursionError as exc:
        raise _unsupported("document nesting too deep") from exc
    if not emitter.quads:
        raise _unsupported("empty dataset")
    return emitter


def to_quads(document: Mapping[str, Any]) -> set[Quad]:
    """The RDF dataset of ``document`` as N-Quads terms; raise :class:`Unsupported` if unsure.

    Blank nodes carry arbitrary labels (``_:b1`` …); the graph is ``""`` for the default graph.
    """
    return _emit(document).quads


# --- RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) ---------------------------------------------


def _first_degree_line(quad: Quad, reference: str) -> str:
    """Hash First Degree Quads (RDFC-1.0 §4.6.3 step 3.1): _:a for the reference, _:z else."""
    s, p, o, g = quad
    if s[0] == "_":
        s = "_:a" if s == reference else "_:z"
    if o[0] == "_":
        o = "_:a" if o == reference else "_:z"
    if g:
        if g[0] == "_":
            g = "_:a" if g == reference else "_:z"
        return f"{s} {p} {o} {g} .\n"
    return f"{s} {p} {o} .\n"


_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")


def _sort(lines: list[str], key: Callable[[str], Any]) -> None:
    """Sort N-Quads lines the way ``mosaics.vc.jsonld`` does (UTF-16 code units, like
    rdf-canonize). That equals code-point order unless a character above U+FFFF occurs."""
    for line in lines:
        if not line.isascii() and _ASTRAL.search(line):
            lines.sort(key=key)
            return
    lines.sort()


class _Issuer:
    """Issue Identifier (RDFC-1.0 §4.5): ``prefix`` + counter, remembering the issuing order."""

    __slots__ = ("existing", "order", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.existing: dict[str, str] = {}
        self.order: list[str] = []

    def issue(self, node: str) -> str:
        issued = self.existing.get(node)
        if issued is None:
            issued = self.existing[node] = f"{self.prefix}{len(self.order)}"
            self.order.append(node)
        return issued

    def copy(self) -> _Issuer:
        twin = _Issuer(self.prefix)
        twin.existing = dict(self.existing)
        twin.order = list(self.order)
        return twin


class _WorkLimit(Exception):
    """More Hash N-Degree Quads calls than ``mosaics.vc.jsonld`` allows (a "poison" graph)."""


def _permutations(elements: list[str]) -> Iterator[list[str]]:
    """All orders of ``elements``, from sorted, by Steinhaus-Johnson-Trotter (as pyld)."""
    items = sorted(elements)
    left = dict.fromkeys(items, True)
    last = len(items) - 1
    while True:
        yield items
        mobile: str | None = None
        position = 0
        for index, item in enumerate(items):
            if (mobile is None or item > mobile) and (
                (left[item] and index > 0 and item > items[index - 1])
                or (not left[item] and index < last and item > items[index + 1])
            ):
                mobile, position = item, index
        if mobile is None:
            return
        swap = position - 1 if left[mobile] else position + 1
        items[position], items[swap] = items[swap], mobile
        for item in items:
            if item > mobile:
                left[item] = not left[item]


class _NDegree:
    """Hash N-Degree Quads (RDFC-1.0 §4.8) with Hash Related Blank Node (§4.7)."""

    def __init__(
        self,
        mentions: dict[str, list[Quad]],
        first_degree: dict[str, str],
        canonical: _Issuer,
        raw: dict[str, str],
        budget: int,
    ) -> None:
        self.mentions = mentions
        self.first_degree = first_degree
        self.canonical = canonical
        self.raw = raw
        self.budget = budget

    def related_hash(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """Hash Related Blank Node (RDFC-1.0 §4.7)."""
        identifier = self.canonical.existing.get(related) or issuer.existing.get(related)
        if identifier is None:
            identifier = self.first_degree[related]
        text = position
        if position != "g":
            predicate = quad[1]
            text += "<" + self.raw.get(predicate, predicate[1:-1]) + ">"
        return hashlib.sha256((text + identifier).encode("utf-8")).hexdigest()

    def hash(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """Hash N-Degree Quads (RDFC-1.0 §4.8.3)."""
        # mosaics.vc.jsonld bounds the calls like rdf-canonize (maxWorkFactor 1).
        self.budget -= 1
        if self.budget < 0:
            raise _WorkLimit
        # Steps 1-3: hashes of the related blank nodes, by position (s, o, g).
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.mentions[node]:
            s, _, o, g = quad
            for component, position in ((s, "s"), (o, "o"), (g, "g")):
                if component and component[0] == "_" and component != node:
                    digest = self.related_hash(component, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(component)
        data = hashlib.sha256()
        # Step 5: for each related hash in code-point order, the least path over orderings.
        for digest, related in sorted(related_by_hash.items()):
            data.update(digest.encode("utf-8"))
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in _permutations(related):
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for item in permutation:
                    if item in self.canonical.existing:
                        path += self.canonical.existing[item]
                    else:
                        if item not in issuer_copy.existing:
                            recursion.append(item)
                        path += issuer_copy.issue(item)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for item in recursion:
                    result_hash, result_issuer = self.hash(item, issuer_copy)
                    path += issuer_copy.issue(item) + "<" + result_hash + ">"
                    issuer_copy = result_issuer
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data.update(chosen_path.encode("utf-8"))
            if chosen_issuer is not None:
                issuer = chosen_issuer
        return data.hexdigest(), issuer


def _canonical_nquads(emitter: _Emitter) -> str | None:
    """RDFC-1.0 §4.4 (Canonicalization Algorithm) over the emitted quads.

    ``None`` when ``mosaics.vc.jsonld`` would give up (its work limit on Hash N-Degree Quads).
    """
    quads = emitter.quads
    sort_key = _jsonld().nquads_sort_key
    # §4.4.3 step 2: the blank node to quads map. Like pyld, a quad is recorded once for every
    # position in which the blank node occurs.
    mentions: dict[str, list[Quad]] = {}
    for quad in quads:
        s, _, o, g = quad
        if s[0] == "_":
            mentions.setdefault(s, []).append(quad)
        if o[0] == "_":
            mentions.setdefault(o, []).append(quad)
        if g and g[0] == "_":
            mentions.setdefault(g, []).append(quad)
    canonical = _Issuer("_:c14n")
    if mentions:
        # §4.4.3 steps 3-4: Hash First Degree Quads (§4.6) for every blank node.
        first_degree: dict[str, str] = {}
        by_hash: dict[str, list[str]] = {}
        for node, node_quads in mentions.items():
            lines = [_first_degree_line(q, node) for q in node_quads]
            _sort(lines, sort_key)
            digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
            first_degree[node] = digest
            by_hash.setdefault(digest, []).append(node)
        # Step 5: unique hashes name their blank nodes, in code-point order of the hashes.
        shared: list[tuple[str, list[str]]] = []
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                canonical.issue(nodes[0])
            else:
                shared.append((digest, nodes))
        if shared:
            # Step 6: Hash N-Degree Quads for the blank nodes that share a first-degree hash.
            n_degree = _NDegree(
                mentions,
                first_degree,
                canonical,
                emitter.raw,
                sum(len(nodes) for _, nodes in shared),
            )
            try:
                for _, nodes in shared:
                    results: list[tuple[str, _Issuer]] = []
                    for node in nodes:
                        if node in canonical.existing:
                            continue
                        temporary = _Issuer("_:b")
                        temporary.issue(node)
                        results.append(n_degree.hash(node, temporary))
                    for _, issuer in sorted(results, key=lambda result: result[0]):
                        for existing in issuer.order:
                            canonical.issue(existing)
            except _WorkLimit:
                return None
    labels = canonical.existing
    # §4.4.3 step 7 and §5: relabel, serialise, sort.
    out: list[str] = []
    for s, p, o, g in quads:
        if s[0] == "_":
            s = labels[s]
        if o[0] == "_":
            o = labels[o]
        if g:
            if g[0] == "_":
                g = labels[g]
            out.append(f"{s} {p} {o} {g} .\n")
        else:
            out.append(f"{s} {p} {o} .\n")
    _sort(out, sort_key)
    return "".join(out)


def canonicalize(document: Mapping[str, Any]) -> str | None:
    """RDFC-1.0 canonical N-Quads of ``document``, or ``None`` when this path is not sure.

    ``None`` means "use the general (pyld) path": the document uses a context, feature or term
    this fast path does not handle. Whenever a string is returned it is byte-for-byte what
    ``mosaics.vc.jsonld.canonicalize`` computes with pyld.
    """
    try:
        out = _canonical_nquads(_emit(document))
        if out is not None and not out.isascii():
            out.encode("utf-8")  # lone surrogates: let the general path report them
        return out
    except Unsupported:
        return None
    except Exception:
        # Lone surrogates (UnicodeEncodeError), hostile nesting (RecursionError), values that
        # are not JSON: whatever it is, the general path decides what it means. The tests call
        # :func:`to_quads` directly, where such errors surface.
        return None
