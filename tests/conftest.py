"""Suite-wide configuration. Credential-core tests (tests/vc) need no database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

TESTS_DIR = Path(__file__).resolve().parent
CONFORMANCE_DIR = TESTS_DIR / "conformance"
#: The key encryption key of the test suite (base64url of 32 bytes; a test value, no secret).
TEST_KEK = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM"

# No timed assertions: hypothesis's per-example deadline and its "too slow" health check would
# make results depend on how busy the machine is. Tests that set their own settings keep them.
settings.register_profile(
    "mosaics", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("mosaics")


@pytest.fixture(autouse=True, scope="session")
def _static_files_from_the_source_tree(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Serve static files straight from the apps: the suite never runs collectstatic."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # Uploads go to a throwaway directory; allauth's rate limits would make repeated sign-ins
    # in one test session depend on order.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.ACCOUNT_RATE_LIMITS = False
    # Issuer keys are encrypted under a fixed test key encryption key (never var/'s file).
    settings.KEY_ENCRYPTION_KEYS = [TEST_KEK]
    # Personas sign in with passwords; the production hasher costs ~1 s per person by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A module that touched default_storage or staticfiles_storage while being collected
    # would keep the production backends: forget every storage made before the switch above.
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    storages._storages = {}
    storages._backends = None
    default_storage._wrapped = empty
    staticfiles_storage._wrapped = empty


def pytest_report_header() -> str:
    database = os.environ.get("DATABASE_URL", "sqlite (default)")
    return f"mosaics: DATABASE_URL={database.split('@')[-1]}"


# Personas and factories for the web tests (tests/factories.py).
pytest_plugins = ["tests.personas"]
