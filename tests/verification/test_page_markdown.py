"""A badge's description and criteria are markdown: the verification page renders them cleaned
(nh3), so a hostile badge can neither run script nor smuggle javascript: links."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOSTILE = (
    "**Bold claim** <script>alert(1)</script> [click](javascript:alert(1)) "
    "<img src=x onerror=alert(1)>"
)


def test_markdown_of_a_badge_is_rendered_clean(client: Any) -> None:
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:6b1a5d1e-4a4b-4c8e-9a57-2f3c1d9e0a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "type": ["Profile"],
            "name": "Somewhere",
        },
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "A badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://example.org/achievements/1",
                "type": ["Achievement"],
                "name": "Something",
                "description": HOSTILE,
                "criteria": {"narrative": HOSTILE},
            },
        },
    }
    response = client.post(
        reverse("verification:verify"), {"method": "paste", "text": json.dumps(credential)}
    )
    assert response.status_code < 500
    html = response.content.decode()
    # What the visitor pasted is echoed, escaped, in the form; the result is the rest.
    result = re.sub(r"<textarea.*?</textarea>", "", html, flags=re.DOTALL)
    assert "<strong>Bold claim</strong>" in result
    assert "<script>alert(1)" not in result
    assert 'href="javascript:' not in result
    assert "<img src=x" not in result
    assert "onerror=" not in result.replace("&lt;img src=x onerror=", "")
