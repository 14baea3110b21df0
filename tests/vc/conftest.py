"""Fixtures shared by the credential-core tests (``tests/vc``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import interop


@pytest.fixture(scope="session")
def js_bridge() -> Iterator[interop.Bridge]:
    """The JavaScript reference stack (``node interop/bridge.mjs``), one process per session.

    Skips with the reason when Node or ``interop/node_modules`` is missing, but fails when the
    ``CI`` environment variable is set: CI must run the interop tests.
    """
    reason = interop.unavailable_reason()
    if reason is not None:
        if interop.must_run():
            pytest.fail(f"interop tests must run in CI, but: {reason}", pytrace=False)
        pytest.skip(reason)
    with interop.bridge() as running:
        yield running
