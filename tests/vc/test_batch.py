"""`mosaics.vc.batch.sign_and_verify`: many documents, one key, every proof verified.

The sequential and the pooled path must give exactly what `dataintegrity.sign` gives for the same
inputs (Ed25519 is deterministic), and a proof that does not verify must stop the batch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mosaics.vc import batch, dataintegrity, ob3
from mosaics.vc.errors import KeyFormatError, ProofError
from mosaics.vc.keys import Ed25519Multikey

ISSUER = "did:web:issuer.example"
METHOD = f"{ISSUER}#key-1"
CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SEED = bytes(range(32))


def _key() -> Ed25519Multikey:
    return Ed25519Multikey.from_seed(SEED, id=METHOD, controller=ISSUER)


def _documents(n: int) -> list[dict[str, Any]]:
    achievement = ob3.achievement(
        id="https://issuer.example/achievements/1",
        name="Batch signing",
        description="Signs many credentials at once.",
        criteria={"narrative": "Sign them all."},
    )
    return [
        ob3.achievement_credential(
            id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            issuer={"id": ISSUER, "type": ["Profile"], "name": "Issuer"},
            credential_subject=ob3.achievement_subject(
                achievement=achievement, id=f"did:example:learner{i}"
            ),
            valid_from="2026-03-01T09:30:00Z",
            name=f"Batch signing {i}",
        )
        for i in range(n)
    ]


def _expected(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    key = _key()
    return [
        dataintegrity.sign(document, key, verification_method=METHOD, created=CREATED)
        for document in documents
    ]


def _run(documents: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
    key = _key()
    arguments: dict[str, Any] = {
        "seed": SEED,
        "public_key": key.public_bytes(),
        "verification_method": METHOD,
        "created": CREATED,
    }
    arguments.update(kwargs)
    return batch.sign_and_verify(documents, **arguments)


def test_sequential_output_is_byte_identical_to_sign() -> None:
    documents = _documents(5)
    signed = _run(documents)
    assert signed == _expected(documents)
    assert [d["proof"][0]["proofValue"] for d in signed] == [
        d["proof"][0]["proofValue"] for d in _expected(documents)
    ]
    assert documents == _documents(5)  # the inputs are left alone


def test_pooled_output_is_byte_identical_to_sign_and_in_order() -> None:
    documents = _documents(7)
    signed = _run(documents, pool_threshold=2, chunk_size=2, workers=2)
    assert signed == _expected(documents)
    assert [d["id"] for d in signed] == [d["id"] for d in documents]


def test_an_empty_batch_is_empty() -> None:
    assert _run([]) == []


@pytest.mark.parametrize("pooled", [False, True])
def test_a_seed_that_is_not_the_public_keys_raises(pooled: bool) -> None:
    other = Ed25519Multikey.generate()
    options: dict[str, Any] = {"pool_threshold": 2, "chunk_size": 2, "workers": 2} if pooled else {}
    with pytest.raises(batch.BatchError) as raised:
        _run(_documents(4), public_key=other.public_bytes(), **options)
    assert raised.value.index == 0
    assert isinstance(raised.value, ProofError)
    assert "does not verify" in str(raised.value)
    assert SEED.hex() not in str(raised.value)


def test_the_first_failing_document_is_named_in_the_pool() -> None:
    documents = _documents(6)
    documents[3]["credentialSubject"]["undefinedTerm"] = "not in any context"
    with pytest.raises(batch.BatchError) as raised:
        _run(documents, pool_threshold=2, chunk_size=2, workers=2)
    assert raised.value.index == 3


def test_a_bad_seed_is_refused_before_any_work() -> None:
    with pytest.raises(KeyFormatError):
        _run(_documents(1), seed=b"short")


def test_the_job_never_shows_its_seed() -> None:
    job = batch._Job(SEED, _key().public_bytes(), METHOD, ISSUER, CREATED, "eddsa-rdfc-2022")
    assert SEED.hex() not in repr(job)
    assert repr(SEED) not in repr(job)
