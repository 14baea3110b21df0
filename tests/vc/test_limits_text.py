"""load_json: a lone UTF-16 surrogate escape is not text (nothing could sign or show it); a
surrogate pair is an ordinary character."""

from __future__ import annotations

import pytest

from mosaics.vc import verify
from mosaics.vc.errors import MalformedInput
from mosaics.vc.limits import load_json


def test_a_surrogate_pair_is_a_character() -> None:
    assert load_json(b'{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}


@pytest.mark.parametrize(
    "text", [b'{"a": "\\udcff"}', b'{"\\ud800": 1}', b'["x\\uDFFFy"]', b'{"a": "\\ude00\\ud83d"}']
)
def test_a_lone_surrogate_is_refused_in_words(text: bytes) -> None:
    with pytest.raises(MalformedInput, match="surrogate"):
        load_json(text)


def test_the_verifier_reports_it_and_never_raises() -> None:
    report = verify.verify(
        b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "\\udcff"}'
    )
    assert report.status == "invalid"
