"""mosaics.vc.keys: Ed25519 Multikey encodings, key files, did:key, did:web, offline resolution."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaics.vc import jsonld
from mosaics.vc.errors import DidResolutionError, KeyFormatError, ProofError
from mosaics.vc.keys import (
    DID_CONTEXT,
    MULTIKEY_CONTEXT,
    Ed25519Multikey,
    controller_document,
    did_key_document,
    did_web_document,
    did_web_from_url,
    did_web_to_url,
    read_key_file,
    resolve_verification_method,
    write_key_file,
)
from tests.conftest import CONFORMANCE_DIR

W3C_KEYS = json.loads((CONFORMANCE_DIR / "vc-di-eddsa/TestVectors/keyPair.json").read_text())
CHAIN_KEYS = json.loads(
    (CONFORMANCE_DIR / "vc-di-eddsa/TestVectors/proof-set-chain/multiKeyPairs.json").read_text()
)
OB3_KEY = json.loads((CONFORMANCE_DIR / "ob3-ldp-vector/obv3p0/keyPair.json").read_text())
ISSUER = "https://example.edu/issuers/565049"


def mb(header: bytes, body: bytes) -> str:
    return "z" + base58.b58encode(header + body).decode()


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair", [W3C_KEYS, *CHAIN_KEYS.values()], ids=["w3c", "chain1", "chain2", "chain3", "chain4"]
)
def test_vector_secret_keys_give_their_public_keys(pair: dict[str, str]) -> None:
    key = Ed25519Multikey.from_secret_multibase(pair["privateKeyMultibase"])
    assert key.public_key_multibase == pair["publicKeyMultibase"]
    assert key.secret_key_multibase() == pair["privateKeyMultibase"]
    assert key.public_key_multibase.startswith("z6Mk")
    assert key.secret_key_multibase().startswith("z3u2")


def test_ob3_vector_key_in_hex_and_in_the_64_byte_secret_form() -> None:
    key = Ed25519Multikey.from_secret_multibase(
        OB3_KEY["secretKeyMultibase"], id=OB3_KEY["id"], controller=OB3_KEY["controller"]
    )
    assert key.public_bytes().hex() == OB3_KEY["publicKeyHex"]
    assert key.public_key_multibase == OB3_KEY["publicKeyMultibase"]
    seed_and_public = OB3_KEY["privateKeyHex_seed_plus_public"]
    assert key.secret_seed_bytes().hex() == seed_and_public[:64]
    # We write the 32-byte seed form; it reads back to the same key.
    again = Ed25519Multikey.from_secret_multibase(key.secret_key_multibase())
    assert again.public_key_multibase == key.public_key_multibase
    assert key.id == OB3_KEY["id"]
    assert key.controller == ISSUER


def test_generated_keys_sign_and_verify() -> None:
    key = Ed25519Multikey.generate()
    signature = key.sign(b"hello")
    assert len(signature) == 64
    key.verify(signature, b"hello")
    key.public_key().verify(signature, b"hello")
    assert key.id == f"did:key:{key.public_key_multibase}#{key.public_key_multibase}"
    assert key.controller == key.did_key


def test_verify_raises_instead_of_returning_false() -> None:
    key = Ed25519Multikey.generate()
    signature = key.sign(b"hello")
    with pytest.raises(ProofError, match="does not verify"):
        key.verify(signature, b"hellO")
    with pytest.raises(ProofError):
        key.verify(bytes(64), b"hello")
    with pytest.raises(ProofError):
        Ed25519Multikey.generate().verify(signature, b"hello")


def test_public_keys_cannot_sign_or_export_secrets() -> None:
    public = Ed25519Multikey.generate().public_key()
    assert not public.has_secret
    with pytest.raises(KeyFormatError, match="public key only"):
        public.sign(b"x")
    with pytest.raises(KeyFormatError):
        public.secret_key_multibase()
    assert "secretKeyMultibase" not in public.to_key_file()


def test_repr_never_shows_the_secret() -> None:
    key = Ed25519Multikey.from_secret_multibase(W3C_KEYS["privateKeyMultibase"])
    assert W3C_KEYS["privateKeyMultibase"] not in repr(key)
    assert key.secret_seed_bytes().hex() not in repr(key)
    assert "with secret" in repr(key)


def test_raw_byte_import_and_export() -> None:
    key = Ed25519Multikey.from_seed(bytes(range(32)))
    assert Ed25519Multikey.from_seed(key.secret_seed_bytes()).public_bytes() == key.public_bytes()
    assert Ed25519Multikey.from_public_bytes(key.public_bytes()) == key.public_key()
    with pytest.raises(KeyFormatError, match="32 bytes"):
        Ed25519Multikey.from_seed(bytes(31))
    with pytest.raises(KeyFormatError, match="32 bytes"):
        Ed25519Multikey.from_public_bytes(bytes(33))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "non-empty"),
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "start with 'z'"),
        ("uAe0B", "start with 'z'"),
        ("z6Mk0OIl", "not valid base58btc"),
        ("z6Mkä", "not valid base58btc"),
        (mb(b"\xe7\x01", bytes(33)), "0xed01"),  # secp256k1 header
        (mb(b"\x80\x26", bytes(32)), "0xed01"),  # a secret key where a public key belongs
        (mb(b"\xed\x01", bytes(31)), "31 key bytes"),
        (mb(b"\xed\x01", bytes(33)), "33 key bytes"),
        ("z", "0xed01"),
    ],
)
def test_bad_public_keys_are_key_format_errors(value: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        Ed25519Multikey.from_public_multibase(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "start with 'z'"),
        ("z3u2O0", "not valid base58btc"),
        (W3C_KEYS["publicKeyMultibase"], "0x8026"),
        (mb(b"\x80\x26", bytes(31)), "31 bytes"),
        (mb(b"\x80\x26", bytes(48)), "48 bytes"),
        (mb(b"\x80\x26", bytes(32) + bytes(32)), "does not match"),
    ],
)
def test_bad_secret_keys_are_key_format_errors(value: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        Ed25519Multikey.from_secret_multibase(value)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_multibase_round_trips(seed: bytes) -> None:
    key = Ed25519Multikey.from_seed(seed)
    assert Ed25519Multikey.from_secret_multibase(key.secret_key_multibase()).public_bytes() == (
        key.public_bytes()
    )
    assert Ed25519Multikey.from_public_multibase(key.public_key_multibase).public_bytes() == (
        key.public_bytes()
    )


# --------------------------------------------------------------------------------------------
# Key files
# --------------------------------------------------------------------------------------------


def test_key_file_round_trip(tmp_path: Path) -> None:
    key = Ed25519Multikey.generate(id=f"{ISSUER}#key-1", controller=ISSUER)
    path = tmp_path / "issuer.key.json"
    write_key_file(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data == {
        "@context": MULTIKEY_CONTEXT,
        "id": f"{ISSUER}#key-1",
        "type": "Multikey",
        "controller": ISSUER,
        "publicKeyMultibase": key.public_key_multibase,
        "secretKeyMultibase": key.secret_key_multibase(),
    }
    again = read_key_file(path)
    assert again == key
    assert again.has_secret
    assert again.secret_key_multibase() == key.secret_key_multibase()


def test_public_key_file(tmp_path: Path) -> None:
    key = Ed25519Multikey.generate()
    path = tmp_path / "public.json"
    write_key_file(key, path, include_secret=False)
    assert "secretKeyMultibase" not in path.read_text()
    assert not read_key_file(path).has_secret


def test_key_file_accepts_the_older_private_key_name() -> None:
    key = Ed25519Multikey.from_key_file(W3C_KEYS)
    assert key.has_secret
    assert key.public_key_multibase == W3C_KEYS["publicKeyMultibase"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "JSON object"),
        ({"type": "JsonWebKey", "publicKeyMultibase": "z6Mk"}, "not 'Multikey'"),
        ({"type": "Multikey"}, "neither"),
        ({"type": "Multikey", "id": 5, "publicKeyMultibase": W3C_KEYS["publicKeyMultibase"]}, "id"),
        (
            {
                "publicKeyMultibase": CHAIN_KEYS["keyPair1"]["publicKeyMultibase"],
                "secretKeyMultibase": W3C_KEYS["privateKeyMultibase"],
            },
            "does not match",
        ),
    ],
)
def test_bad_key_files(data: Any, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        Ed25519Multikey.from_key_file(data)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFormatError, match="Cannot read"):
        read_key_file(tmp_path / "nope.json")


# --------------------------------------------------------------------------------------------
# did:key and did:web documents
# --------------------------------------------------------------------------------------------


def test_did_key_document() -> None:
    key = Ed25519Multikey.from_public_multibase(W3C_KEYS["publicKeyMultibase"])
    did = "did:key:" + W3C_KEYS["publicKeyMultibase"]
    method = f"{did}#{W3C_KEYS['publicKeyMultibase']}"
    assert key.did_key == did
    assert key.did_key_verification_method == method
    document = did_key_document(key)
    assert document["@context"] == [DID_CONTEXT, MULTIKEY_CONTEXT]
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": W3C_KEYS["publicKeyMultibase"],
        }
    ]
    for relationship in ("assertionMethod", "authentication", "capabilityInvocation"):
        assert document[relationship] == [method]
    # JSON-LD processors in safe mode accept it (assertionMethod etc. are defined).
    jsonld.check_safe(document)


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:example.com:user:alice", "https://example.com/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ],
)
def test_did_web_url_mapping(did: str, url: str) -> None:
    assert did_web_to_url(did) == url
    assert did_web_to_url(did + "#key-1") == url
    assert did_web_from_url(url) == did


def test_did_web_from_site_and_path_urls() -> None:
    assert did_web_from_url("https://example.com") == "did:web:example.com"
    assert did_web_from_url("https://example.com/") == "did:web:example.com"
    assert did_web_from_url("https://example.com/issuers/7") == "did:web:example.com:issuers:7"


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:example.com::x",
        "did:web:exa mple.com",
        "did:web:example.com%2Fevil",
        "did:web:user%40example.com",
    ],
)
def test_bad_did_web(did: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_to_url(did)


@pytest.mark.parametrize(
    "url", ["http://example.com", "https://example.com/a?b=1", "https://u:p@example.com", "ftp://x"]
)
def test_urls_did_web_cannot_express(url: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_from_url(url)


def test_did_web_document_lists_every_key() -> None:
    first, second = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    did = "did:web:example.com:issuers:7"
    document = did_web_document(did, [first, second.with_identity(id=f"{did}#key-2")])
    methods = [m["id"] for m in document["verificationMethod"]]
    assert methods == [f"{did}#{first.public_key_multibase}", f"{did}#key-2"]
    assert document["assertionMethod"] == methods
    assert all(m["controller"] == did for m in document["verificationMethod"])
    jsonld.check_safe(document)
    with pytest.raises(KeyFormatError):
        did_web_document(did, [])


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


def test_resolve_did_key() -> None:
    method = "did:key:{0}#{0}".format(W3C_KEYS["publicKeyMultibase"])
    resolved = resolve_verification_method(method)
    assert resolved.source == "did:key"
    assert resolved.controller == "did:key:" + W3C_KEYS["publicKeyMultibase"]
    assert resolved.key.public_key_multibase == W3C_KEYS["publicKeyMultibase"]
    assert not resolved.key.has_secret


def test_did_key_needs_a_fragment_that_repeats_the_key() -> None:
    did = "did:key:" + W3C_KEYS["publicKeyMultibase"]
    with pytest.raises(DidResolutionError, match="needs a"):
        resolve_verification_method(did)
    with pytest.raises(DidResolutionError, match="not repeat"):
        resolve_verification_method(f"{did}#key-1")
    with pytest.raises(KeyFormatError):
        resolve_verification_method("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme#x")


def test_resolve_key_from_the_fragment_as_the_1edtech_validator_does() -> None:
    resolved = resolve_verification_method(OB3_KEY["id"])
    assert resolved.source == "fragment"
    assert resolved.controller == ISSUER
    assert resolved.key.public_key_multibase == OB3_KEY["publicKeyMultibase"]
    with pytest.raises(DidResolutionError, match="Cannot resolve"):
        resolve_verification_method(OB3_KEY["id"], allow_fragment_key=False)
    with pytest.raises(DidResolutionError, match="Cannot resolve"):
        resolve_verification_method(f"{ISSUER}#key-1")


def test_resolve_did_web_only_from_supplied_documents() -> None:
    key = Ed25519Multikey.generate()
    did = "did:web:example.com"
    document = did_web_document(did, [key])
    method = f"{did}#{key.public_key_multibase}"
    with pytest.raises(DidResolutionError, match="never fetches"):
        resolve_verification_method(method)
    for documents in ({did: document}, {"https://example.com/.well-known/did.json": document}):
        resolved = resolve_verification_method(method, documents=documents)
        assert resolved.source == "controller-document"
        assert resolved.controller == did
        assert resolved.key.public_bytes() == key.public_bytes()


def test_a_supplied_controller_document_beats_the_fragment_convention() -> None:
    listed, other = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    document = controller_document(ISSUER, [listed])
    method = f"{ISSUER}#{other.public_key_multibase}"
    with pytest.raises(DidResolutionError, match="does not list"):
        resolve_verification_method(method, documents={ISSUER: document})


def test_the_purpose_must_be_granted_by_the_controller_document() -> None:
    key = Ed25519Multikey.generate()
    document = controller_document(ISSUER, [key], relationships=["authentication"])
    method = f"{ISSUER}#{key.public_key_multibase}"
    with pytest.raises(DidResolutionError, match=r"does not authorise .* for assertionMethod"):
        resolve_verification_method(method, documents={ISSUER: document})
    resolved = resolve_verification_method(
        method, documents={ISSUER: document}, purpose="authentication"
    )
    assert resolved.controller == ISSUER


def test_controller_document_must_be_about_the_controller() -> None:
    key = Ed25519Multikey.generate()
    document = controller_document("https://elsewhere.example/", [key])
    method = f"{ISSUER}#{key.public_key_multibase}"
    with pytest.raises(DidResolutionError, match="must be equal"):
        resolve_verification_method(method, documents={ISSUER: document})


def test_verification_method_controlled_by_someone_else_is_refused() -> None:
    key = Ed25519Multikey.generate()
    document = controller_document(ISSUER, [key])
    document["verificationMethod"][0]["controller"] = "https://mallory.example/"
    with pytest.raises(DidResolutionError, match="controlled by"):
        resolve_verification_method(document["assertionMethod"][0], documents={ISSUER: document})


def test_relative_ids_embedded_methods_and_other_key_types() -> None:
    key = Ed25519Multikey.generate()
    x = __import__("base64").urlsafe_b64encode(key.public_bytes()).rstrip(b"=").decode()
    document = {
        "@context": [DID_CONTEXT],
        "id": "did:web:example.org",
        "verificationMethod": [
            {"id": "#jwk", "type": "JsonWebKey", "controller": "did:web:example.org",
             "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x}},
            {"id": "#ed2020", "type": "Ed25519VerificationKey2020",
             "controller": "did:web:example.org", "publicKeyMultibase": key.public_key_multibase},
            {"id": "#rsa", "type": "RsaVerificationKey2018", "controller": "did:web:example.org"},
        ],
        "assertionMethod": [
            "#jwk",
            "#ed2020",
            "#rsa",
            {"id": "#embedded", "type": "Multikey", "controller": "did:web:example.org",
             "publicKeyMultibase": key.public_key_multibase},
        ],
    }  # fmt: skip
    documents = {"did:web:example.org": document}
    for fragment in ("jwk", "ed2020", "embedded"):
        resolved = resolve_verification_method(
            f"did:web:example.org#{fragment}", documents=documents
        )
        assert resolved.key.public_bytes() == key.public_bytes()
    with pytest.raises(KeyFormatError, match="RsaVerificationKey2018"):
        resolve_verification_method("did:web:example.org#rsa", documents=documents)


def test_standalone_verification_method_document_with_its_controller() -> None:
    key = Ed25519Multikey.generate(id="https://keys.example/k1", controller=ISSUER)
    method_document = {"@context": MULTIKEY_CONTEXT, **key.verification_method()}
    issuer_document = controller_document(ISSUER, [])
    issuer_document["assertionMethod"] = [key.id]
    issuer_document["verificationMethod"] = [key.verification_method()]
    documents = {key.id: method_document, ISSUER: issuer_document}
    resolved = resolve_verification_method(key.id, documents=documents)
    assert resolved.controller == ISSUER
    with pytest.raises(DidResolutionError, match="was not supplied"):
        resolve_verification_method(key.id, documents={key.id: method_document})
    # The controller may reference the method by id only.
    del issuer_document["verificationMethod"]
    assert resolve_verification_method(key.id, documents=documents).key == key.public_key()
    issuer_document["assertionMethod"] = []
    with pytest.raises(DidResolutionError, match="does not list"):
        resolve_verification_method(key.id, documents=documents)


# --------------------------------------------------------------------------------------------
# Secrets never reach a message; key files are written safely
# --------------------------------------------------------------------------------------------

SECRET = "z3u2Vtgb2ySJPAHejBTxwbVZ93wXDGqhJ3ZVfUhaUDSGSJpx"


def corruptions(secret: str) -> list[str]:
    """One-character corruptions of a secret key, as typos make them."""
    replaced = secret[-1] + ("y" if secret[-1] != "y" else "w")
    return [
        secret[:-1] + "0",  # a character outside the base58 alphabet
        secret[:20] + "l" + secret[21:],  # another one, in the middle
        secret[1:],  # the multibase prefix lost
        secret[:-1] + replaced[1],  # a valid character changed: another seed, another public key
        secret[:-1],  # one character short: wrong length
        secret + "x",  # one character too many
        secret[:4] + "ä" + secret[5:],  # not even ASCII
        "x" + secret[1:],  # a wrong prefix
        "z" + secret[2:],  # the multicodec header damaged
    ]


def leaks(secret: str, text: str) -> list[str]:
    """Every 8-character piece of ``secret`` (or of it without its prefix) found in ``text``."""
    pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
    return sorted(piece for piece in pieces if piece in text)


def everything_said(exc: BaseException) -> str:
    """What an exception can show: its text, its repr, and those of its whole chain."""
    said = []
    seen: BaseException | None = exc
    while seen is not None:
        said += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(said)


@pytest.mark.parametrize("bad", corruptions(SECRET))
def test_a_corrupted_secret_never_appears_in_the_error(bad: str, tmp_path: Path) -> None:
    public = Ed25519Multikey.from_secret_multibase(SECRET).public_key_multibase
    data = {"type": "Multikey", "publicKeyMultibase": public, "secretKeyMultibase": bad}
    path = tmp_path / "k.json"
    path.write_text(json.dumps(data))
    attempts = [
        lambda: Ed25519Multikey.from_key_file(data),
        lambda: Ed25519Multikey.from_key_file(json.dumps(data)),
        lambda: read_key_file(path),
    ]
    for attempt in attempts:
        with pytest.raises(KeyFormatError) as caught:
            attempt()
        said = everything_said(caught.value)
        assert "secretKeyMultibase" in str(caught.value) or "secret key" in str(caught.value)
        assert not leaks(SECRET, said), said
        assert not leaks(bad, said), said
    # On its own, a changed valid character is just another secret key: no error to check.
    error = raised_by(lambda: Ed25519Multikey.from_secret_multibase(bad))
    assert error is None or not leaks(SECRET, everything_said(error))


def raised_by(attempt: Callable[[], object]) -> KeyFormatError | None:
    try:
        attempt()
    except KeyFormatError as exc:
        return exc
    return None


def test_the_secret_error_says_what_is_wrong() -> None:
    with pytest.raises(KeyFormatError, match="must start with 'z'"):
        Ed25519Multikey.from_secret_multibase(SECRET[1:])
    with pytest.raises(KeyFormatError, match="base58 alphabet at character 48 of 48"):
        Ed25519Multikey.from_secret_multibase(SECRET[:-1] + "0")
    with pytest.raises(KeyFormatError, match="holds 31 bytes"):
        Ed25519Multikey.from_secret_multibase(mb(b"\x80\x26", bytes(31)))
    with pytest.raises(KeyFormatError, match="header is not 0x8026") as caught:
        Ed25519Multikey.from_secret_multibase(mb(b"\x12\x34", bytes(32)))
    assert "1234" not in str(caught.value)  # bytes of the value are not shown either


def test_a_secret_in_the_public_key_field_is_not_echoed() -> None:
    for value in (SECRET, SECRET[:-1] + "0", SECRET[1:]):
        with pytest.raises(KeyFormatError) as caught:
            Ed25519Multikey.from_key_file({"publicKeyMultibase": value})
        assert not leaks(value, everything_said(caught.value))
    with pytest.raises(KeyFormatError, match="0x8026 \\(a secret key\\)"):
        Ed25519Multikey.from_public_multibase(SECRET)
    # A public key is no secret: its value is shown, to help.
    with pytest.raises(KeyFormatError, match="z6Mk0OIl"):
        Ed25519Multikey.from_public_multibase("z6Mk0OIl")


def test_a_key_file_that_is_not_json_does_not_echo_it() -> None:
    text = '{"secretKeyMultibase": "' + SECRET + '",}'
    with pytest.raises(KeyFormatError, match="not JSON") as caught:
        Ed25519Multikey.from_key_file(text)
    assert not leaks(SECRET, everything_said(caught.value))


def test_write_key_file_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text("old")
    path.chmod(0o644)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_key_file(Ed25519Multikey.generate(), path)
    assert path.read_text() == "old"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_write_key_file_overwrite_makes_a_world_readable_file_private(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text("old contents that are longer than nothing" * 10)
    path.chmod(0o644)
    key = Ed25519Multikey.generate()
    write_key_file(key, path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path).secret_key_multibase() == key.secret_key_multibase()
    assert json.loads(path.read_text())["secretKeyMultibase"] == key.secret_key_multibase()


@pytest.mark.parametrize("overwrite", [False, True])
def test_write_key_file_never_follows_a_symlink(tmp_path: Path, overwrite: bool) -> None:
    target = tmp_path / "target.txt"
    target.write_text("someone else's file")
    target.chmod(0o644)
    link = tmp_path / "k.json"
    link.symlink_to(target)
    with pytest.raises(OSError):
        write_key_file(Ed25519Multikey.generate(), link, overwrite=overwrite)
    assert target.read_text() == "someone else's file"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    # A dangling link is refused too: nothing is created where it points.
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(OSError):
        write_key_file(Ed25519Multikey.generate(), dangling, overwrite=overwrite)
    assert not (tmp_path / "nowhere.json").exists()


def test_write_key_file_refuses_a_hard_linked_file(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text("old")
    (tmp_path / "other-name.json").hardlink_to(path)
    with pytest.raises(PermissionError, match="hard links"):
        write_key_file(Ed25519Multikey.generate(), path, overwrite=True)
    assert path.read_text() == "old"


def test_write_key_file_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_key_file(Ed25519Multikey.generate(), tmp_path, overwrite=True)
