from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from mosaics import settings as mosaics_settings


@pytest.mark.parametrize("value", ["yes please", "2", "maybe"])
def test_env_bool_refuses_a_malformed_value_loudly(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be a boolean"):
        mosaics_settings.env_bool("SOME_FLAG")


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("0", False), ("", True)])
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("SOME_FLAG", value)
    assert mosaics_settings.env_bool("SOME_FLAG", True) is expected


def test_env_int_refuses_a_malformed_value_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be an integer"):
        mosaics_settings.env_int("SOME_NUMBER", 1)


def test_env_list_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_HOSTS", " a.example, b.example ,,")
    assert mosaics_settings.env_list("SOME_HOSTS") == ["a.example", "b.example"]


def test_debug_is_off_unless_asked() -> None:
    from django.conf import settings

    assert settings.DEBUG is False
