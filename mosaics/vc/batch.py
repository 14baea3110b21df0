"""Sign many documents with one Ed25519 key and verify every proof, on several CPUs if it pays.

:func:`sign_and_verify` is what a bulk issue needs: each unsigned document gets a Data Integrity
proof (:func:`mosaics.vc.dataintegrity.sign`, byte for byte the same output) and each proof is
then verified on its own with the given public key (:func:`mosaics.vc.dataintegrity.verify`,
which canonicalizes the signed document again, independently of signing). The signed documents
come back in order; the first document that cannot be signed or whose proof does not verify
raises :class:`BatchError` and nothing is returned.

A large batch (``pool_threshold`` documents or more, with more than one CPU) is cut into chunks
that this process and a :class:`concurrent.futures.ProcessPoolExecutor` of one worker per
further CPU sign and verify in parallel. The pool
uses the ``spawn`` start method, never ``fork``: a forked child would inherit the parent's open
sockets and locks (a database connection, a logging handler), while a spawned one starts a
fresh interpreter and needs nothing but this package (:func:`_work` is all a worker runs). The
secret seed reaches the workers only as an argument sent through the pool's pipe; it is never
logged, written or put into an error message.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from mosaics.vc import dataintegrity
from mosaics.vc.dataintegrity import Cryptosuite
from mosaics.vc.errors import ProofError
from mosaics.vc.keys import Ed25519Multikey, ResolvedKey

__all__ = ["CHUNK_SIZE", "POOL_THRESHOLD", "BatchError", "sign_and_verify"]

POOL_THRESHOLD: Final = 400
"""From this many documents on (and with more than one CPU), a process pool does the work."""

CHUNK_SIZE: Final = 250
"""Documents per pool task: large enough to amortise the pipe, small enough to balance."""


class BatchError(ProofError):
    """Document ``index`` (0-based) of a batch could not be signed, or its proof did not verify."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"Document {index} of the batch: {reason}")
        self.index = index
        self.reason = reason


@dataclass(frozen=True)
class _Job:
    """What a worker needs to sign and verify a chunk. Holds the secret seed: never log it."""

    seed: bytes
    public_key: bytes
    verification_method: str
    controller: str
    created: datetime | str
    cryptosuite: Cryptosuite

    def __repr__(self) -> str:  # the seed stays out of any traceback or log line
        return f"<_Job {self.verification_method} {self.cryptosuite}>"


@dataclass(frozen=True)
class _Failure:
    index: int
    reason: str


def _work(job: _Job, start: int, documents: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Sign and verify ``documents`` (the batch's from ``start``); stop at the first failure.

    Returns the signed documents, or the ones before the failure followed by a :class:`_Failure`
    (exceptions are not sent back through the pipe: some cannot be pickled).
    """
    key = Ed25519Multikey.from_seed(job.seed, id=job.verification_method, controller=job.controller)
    public = ResolvedKey(
        Ed25519Multikey.from_public_bytes(
            job.public_key, id=job.verification_method, controller=job.controller
        ),
        job.controller,
        job.verification_method,
        "controller-document",
    )

    def resolve(verification_method: str, purpose: str) -> ResolvedKey:
        if verification_method != job.verification_method:
            raise ProofError("The proof names another verification method than the batch key.")
        return public

    signed: list[Any] = []
    for offset, document in enumerate(documents):
        try:
            secured = dataintegrity.sign(
                document,
                key,
                cryptosuite=job.cryptosuite,
                verification_method=job.verification_method,
                created=job.created,
            )
            dataintegrity.verify(secured, resolver=resolve)
        except Exception as exc:  # reported with its position, raised again by _collect
            signed.append(_Failure(start + offset, f"{type(exc).__name__}: {exc}"))
            return signed
        signed.append(secured)
    return signed


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _collect(results: list[Any], into: list[dict[str, Any]]) -> None:
    for item in results:
        if isinstance(item, _Failure):
            raise BatchError(item.index, item.reason)
        into.append(item)


def sign_and_verify(
    documents: Sequence[Mapping[str, Any]],
    *,
    seed: bytes,
    public_key: bytes,
    verification_method: str,
    created: datetime | str,
    controller: str | None = None,
    cryptosuite: Cryptosuite = "eddsa-rdfc-2022",
    pool_threshold: int = POOL_THRESHOLD,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Sign every document with one key, verify every proof, return the signed documents in order.

    ``seed`` is the key's 32-byte Ed25519 secret seed; ``public_key`` the 32 raw bytes each proof
    is verified with (the key the verifiers will resolve, so a seed that does not belong to it
    fails); ``verification_method`` the proofs' ``verificationMethod`` and ``controller`` its
    controller (default: the part before ``#``). ``created`` (a timezone-aware datetime or an
    XSD dateTime) is every proof's ``created``. Each signed document equals
    ``dataintegrity.sign(document, key, cryptosuite=..., verification_method=..., created=...)``.

    With ``pool_threshold`` documents or more and at least one helper process (``workers``,
    default one fewer than the CPUs this process may use) the work is cut into chunks of
    ``chunk_size`` documents, shared between a spawned process pool and this process; otherwise
    it is done here, one document after the other.

    Raises :class:`BatchError` (a :class:`~mosaics.vc.errors.ProofError`) for the first document
    that cannot be signed or whose proof does not verify, with its index;
    :class:`~mosaics.vc.errors.KeyFormatError` for a seed or public key of the wrong size.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1.")
    Ed25519Multikey.from_seed(seed)  # a bad seed fails here, with a clear message
    Ed25519Multikey.from_public_bytes(public_key)
    job = _Job(
        seed=seed,
        public_key=public_key,
        verification_method=verification_method,
        controller=controller or verification_method.split("#", 1)[0],
        created=created,
        cryptosuite=cryptosuite,
    )
    items = list(documents)
    signed: list[dict[str, Any]] = []
    starts = list(range(0, len(items), chunk_size))
    helpers = min(workers if workers is not None else _cpus() - 1, len(starts) - 1)
    if len(items) < pool_threshold or helpers < 1:
        _collect(_work(job, 0, items), signed)
        return signed
    # This process works too. The pool takes chunks from the end (they are submitted last
    # first); this process takes them from the front, each one whose task no worker has started
    # yet (cancelled, then done here) — so the seconds the workers need to start are not lost.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=helpers, mp_context=context) as pool:
        futures: dict[int, Future[list[Any]]] = {
            start: pool.submit(_work, job, start, items[start : start + chunk_size])
            for start in reversed(starts)
        }
        try:
            for start in starts:
                future = futures[start]
                if future.cancel():
                    _collect(_work(job, start, items[start : start + chunk_size]), signed)
                else:
                    _collect(future.result(), signed)
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
    return signed
