"""Sign and verify throughput: mosaics.vc against the JavaScript reference stack, same run.

    .venv/bin/python bench/run.py            # full run, a table (about 1-2 minutes)
    .venv/bin/python bench/run.py --quick    # a short run
    .venv/bin/python bench/run.py --json     # the same figures as JSON

Measures, on one typical Open Badges 3.0 credential (``bench/credential.json``: an
OpenBadgeCredential with an achievement, two alignments, two result descriptions and results,
two evidence items; about 4 KB, 87 canonical N-Quads) and one Ed25519 key:

* ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022`` **sign** (``mosaics.vc.dataintegrity.sign`` /
  ``jsigs.sign``) and **verify** (proof verification: ``mosaics.vc.dataintegrity.verify`` /
  ``jsigs.verify`` with ``AssertionProofPurpose``, did:key resolved offline on both sides);
* raw **Ed25519 sign** of 64 bytes (``cryptography`` / ``node:crypto``; both are OpenSSL), the
  floor under every proof: what signing would cost with free canonicalization.

Each operation is measured on one core (one process / the main thread; the best of three
windows) and on all cores (one process per core through ``multiprocessing`` / one
``worker_thread`` per core, released together by a barrier, one window; the rate is the sum of
the workers' rates). Python and JavaScript are
measured one after the other for each operation, so both see the same machine load. The table
gives ops/s, the ratio Python/JS (above 1: Python is faster) and the all-cores rate per core.
Nothing here asserts anything about speed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/run.py` from anywhere, without installing
    sys.path.insert(0, str(REPO))

CREDENTIAL_FILE = REPO / "bench" / "credential.json"
JS_BENCH = REPO / "interop" / "bench.mjs"
JS_INSTALLED = REPO / "interop" / "node_modules" / "@digitalbazaar" / "vc" / "package.json"
#: RFC 8032 §7.1 test 1 secret key: a public, fixed key (did:key:z6MktwupdmLX…) for a fixed
#: credential, so proofValues are reproducible across runs and implementations.
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
CREATED = "2025-06-30T09:00:00Z"
#: distinct credentials (only ``id`` differs) cycled through, so no result can come from a cache
VARIANTS = 16

RDFC, JCS = "eddsa-rdfc-2022", "eddsa-jcs-2022"
FLOOR = "Ed25519 sign"
OPERATIONS = (f"{RDFC} sign", f"{RDFC} verify", f"{JCS} sign", f"{JCS} verify", FLOOR)

# JavaScript needs its warm-up: jsonld.js runs about twice as fast once the JIT has settled
FULL = {"duration": 2.0, "warmup": 1.5}
QUICK = {"duration": 0.4, "warmup": 0.2}


@dataclass(frozen=True)
class Measurement:
    ops: int
    seconds: float
    rate: float
    workers: int = 1


@dataclass
class Row:
    operation: str
    python_single: Measurement
    python_all: Measurement | None
    js_single: Measurement | None = None
    js_all: Measurement | None = None


# --------------------------------------------------------------------------------------------
# Python side
# --------------------------------------------------------------------------------------------


def _variants(credential: dict[str, Any], count: int) -> list[dict[str, Any]]:
    return [{**credential, "id": f"urn:example:bench:{i}"} for i in range(count)]


def prepare(
    operation: str, credential: dict[str, Any], variants: int = VARIANTS
) -> Callable[[], object]:
    """A zero-argument callable doing ``operation`` once (on the next variant each call)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from mosaics.vc import dataintegrity
    from mosaics.vc.keys import Ed25519Multikey

    if operation == FLOOR:
        private = Ed25519PrivateKey.from_private_bytes(SEED)
        data = os.urandom(64)
        return lambda: private.sign(data)
    cryptosuite, action = operation.split(" ")
    key = Ed25519Multikey.from_seed(SEED)
    credentials = _variants(credential, variants)
    counter = iter(range(1 << 62))

    if action == "sign":

        def sign() -> object:
            document = credentials[next(counter) % variants]
            return dataintegrity.sign(document, key, cryptosuite=cryptosuite, created=CREATED)  # type: ignore[arg-type]

        return sign
    if action == "verify":
        signed = [
            dataintegrity.sign(c, key, cryptosuite=cryptosuite, created=CREATED)  # type: ignore[arg-type]
            for c in credentials
        ]

        def verify() -> object:
            return dataintegrity.verify(signed[next(counter) % variants])

        return verify
    raise ValueError(f"unknown operation {operation!r}")


def warm_up(run: Callable[[], object], warmup: float, iterations: int | None) -> None:
    end = time.perf_counter() + warmup
    run()
    while iterations is None and time.perf_counter() < end:
        run()


def timed(run: Callable[[], object], duration: float, iterations: int | None) -> Measurement:
    ops = 0
    start = time.perf_counter()
    if iterations is not None:
        for ops in range(1, iterations + 1):  # noqa: B007 - ops is the count afterwards
            run()
    else:
        end = start + duration
        while True:
            run()
            ops += 1
            if time.perf_counter() >= end:
                break
    seconds = time.perf_counter() - start
    return Measurement(ops=ops, seconds=seconds, rate=ops / seconds)


def best_of(
    run: Callable[[], object], duration: float, iterations: int | None, windows: int = 3
) -> Measurement:
    """The fastest of ``windows`` timed windows (each ``duration / windows`` long): on a shared
    machine, interference only ever slows a window down, so the best one is the least noisy."""
    if iterations is not None:
        return timed(run, duration, iterations)
    return max((timed(run, duration / windows, None) for _ in range(windows)), key=lambda m: m.rate)


def _worker(
    operation: str,
    credential: dict[str, Any],
    settings: dict[str, Any],
    barrier: Any,
    results: Any,
) -> None:
    run = prepare(operation, credential, settings["variants"])
    warm_up(run, settings["warmup"], settings["iterations"])
    barrier.wait()
    results.put(asdict(timed(run, settings["duration"], settings["iterations"])))


def python_all_cores(
    operation: str, credential: dict[str, Any], settings: dict[str, Any], workers: int
) -> Measurement:
    # fork where there is one: workers inherit the imported modules and start at once
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    barrier = context.Barrier(workers)
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(operation, credential, settings, barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    measured = [Measurement(**results.get(timeout=600)) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a {operation} worker exited with {process.exitcode}")
    return Measurement(
        ops=sum(m.ops for m in measured),
        seconds=max(m.seconds for m in measured),
        rate=sum(m.rate for m in measured),
        workers=workers,
    )


# --------------------------------------------------------------------------------------------
# JavaScript side
# --------------------------------------------------------------------------------------------


def js_unavailable() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not JS_INSTALLED.is_file():
        return "interop/node_modules is missing (npm ci --prefix interop)"
    return None


def js_measure(
    operation: str, credential: dict[str, Any], settings: dict[str, Any], workers: int
) -> tuple[Measurement, Measurement | None, str]:
    from mosaics.vc.keys import Ed25519Multikey

    key = Ed25519Multikey.from_seed(SEED)
    config = {
        "credential": credential,
        "key": {
            "publicKeyMultibase": key.public_key_multibase,
            "secretKeyMultibase": key.secret_key_multibase(),
            "id": key.id,
            "controller": key.controller,
        },
        "created": CREATED,
        "operations": [operation],
        "duration": settings["duration"],
        "warmup": settings["warmup"],
        "iterations": settings["iterations"],
        "workers": workers,
        "variants": settings["variants"],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    try:
        completed = subprocess.run(
            ["node", str(JS_BENCH), handle.name],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        os.unlink(handle.name)
    if completed.returncode != 0:
        raise RuntimeError(f"interop/bench.mjs failed:\n{completed.stderr}")
    output = json.loads(completed.stdout)
    result = output["results"][operation]
    single = Measurement(**{k: result["single"][k] for k in ("ops", "seconds", "rate")})
    everything = result.get("all")
    all_cores = Measurement(**everything) if everything else None
    return single, all_cores, str(output["node"])


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _ratio(python: Measurement | None, js: Measurement | None) -> float | None:
    if python is None or js is None or js.rate == 0:
        return None
    return python.rate / js.rate


def _fmt_rate(m: Measurement | None) -> str:
    return "n/a" if m is None else f"{m.rate:,.1f}"


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _per_core(m: Measurement | None) -> str:
    return "n/a" if m is None else f"{m.rate / m.workers:,.1f}"


def table(rows: Sequence[Row], info: dict[str, Any]) -> str:
    workers = info["workers"]
    lines = [
        f"Mosaics bench: {info['credential']}",
        f"Python {info['python']} (mosaics.vc) vs Node {info.get('node') or 'n/a'} "
        f"(@digitalbazaar/vc {info['js_stack'].get('@digitalbazaar/vc', '?')}); "
        f"{info['cpus']} CPUs, load average at start {info['load_average']}; "
        f"{info['mode']}",
    ]
    if info.get("js_note"):
        lines.append(f"JavaScript not measured: {info['js_note']}")
    header = (
        f"{'operation':<24}{'Python':>10}{'JS':>10}{'Py/JS':>8}   "
        f"{'Python':>10}{'JS':>10}{'Py/JS':>8}{'Py/core':>10}{'JS/core':>10}"
    )
    group = (
        f"{'':<24}{'---- 1 core (ops/s) ----':^28}   {f'---- all {workers} cores (ops/s) ----':^48}"
    )
    lines += ["", group, header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.operation:<24}{_fmt_rate(row.python_single):>10}{_fmt_rate(row.js_single):>10}"
            f"{_fmt_ratio(_ratio(row.python_single, row.js_single)):>8}   "
            f"{_fmt_rate(row.python_all):>10}{_fmt_rate(row.js_all):>10}"
            f"{_fmt_ratio(_ratio(row.python_all, row.js_all)):>8}"
            f"{_per_core(row.python_all):>10}{_per_core(row.js_all):>10}"
        )
    lines += [
        "",
        "Py/JS above 1: mosaics.vc is faster. verify = proof verification only (offline did:key).",
        f"'{FLOOR}' is the floor: raw Ed25519 over 64 bytes (OpenSSL on both sides).",
    ]
    return "\n".join(lines)


def as_json(rows: Sequence[Row], info: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"info": info, "results": {}}
    for row in rows:
        out["results"][row.operation] = {
            "python": {
                "single": asdict(row.python_single),
                "all": asdict(row.python_all) if row.python_all else None,
            },
            "js": {
                "single": asdict(row.js_single) if row.js_single else None,
                "all": asdict(row.js_all) if row.js_all else None,
            },
            "ratio_python_over_js": {
                "single": _ratio(row.python_single, row.js_single),
                "all": _ratio(row.python_all, row.js_all),
            },
        }
    return out


def _js_stack_versions() -> dict[str, str]:
    try:
        package = json.loads((REPO / "interop" / "package.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(package.get("dependencies", {}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short measurements (~15 s)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--duration", type=float, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per measurement")
    parser.add_argument(
        "--iterations", type=int, help="a fixed number of operations per measurement instead"
    )
    parser.add_argument("--workers", type=int, help="processes for 'all cores' (default: CPUs)")
    parser.add_argument("--no-js", action="store_true", help="measure mosaics.vc only")
    parser.add_argument("--single-only", action="store_true", help="skip the all-cores runs")
    args = parser.parse_args(argv)

    settings: dict[str, Any] = dict(QUICK if args.quick else FULL)
    if args.duration is not None:
        settings["duration"] = args.duration
    if args.warmup is not None:
        settings["warmup"] = args.warmup
    settings["iterations"] = args.iterations
    # tiny runs need no more distinct credentials than operations
    settings["variants"] = min(VARIANTS, args.iterations or VARIANTS)
    cpus = os.cpu_count() or 1
    workers = args.workers or cpus

    credential = json.loads(CREDENTIAL_FILE.read_text("utf-8"))
    from mosaics.vc.jsonld import canonicalize

    quads = len(canonicalize(credential).splitlines())
    size = len(json.dumps(credential, separators=(",", ":")).encode())
    js_note = "skipped (--no-js)" if args.no_js else js_unavailable()
    mode = (
        f"{settings['iterations']} ops per measurement"
        if settings["iterations"]
        else f"{settings['duration']} s per measurement after {settings['warmup']} s warm-up"
    )
    info: dict[str, Any] = {
        "credential": f"OpenBadgeCredential, {size:,} bytes of JSON, {quads} canonical N-Quads",
        "python": platform.python_version(),
        "node": None,
        "js_stack": _js_stack_versions(),
        "cpus": cpus,
        "workers": workers,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "mode": mode,
        "settings": settings,
        "js_note": js_note,
    }

    rows = []
    for operation in OPERATIONS:
        print(f"… {operation}", file=sys.stderr, flush=True)
        run = prepare(operation, credential, settings["variants"])
        warm_up(run, settings["warmup"], settings["iterations"])
        row = Row(
            operation=operation,
            python_single=best_of(run, settings["duration"], settings["iterations"]),
            python_all=None
            if args.single_only
            else python_all_cores(operation, credential, settings, workers),
        )
        if js_note is None:
            row.js_single, row.js_all, info["node"] = js_measure(
                operation, credential, settings, 0 if args.single_only else workers
            )
        rows.append(row)

    if args.json:
        print(json.dumps(as_json(rows, info), indent=2))
    else:
        print(table(rows, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
