"""A request Django refuses before any view (too many fields, too large) gets a page in words."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_body_too_large_gets_a_page_in_words(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {f"f{i}": "x" for i in range(20)})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
