"""The learning journey's pages (namespace `learning`): one module per part of it."""

from __future__ import annotations

from mosaics.learning import (
    urls_assessment,
    urls_attestation,
    urls_demonstration,
    urls_enrolment,
    urls_submission,
)

app_name = "learning"

urlpatterns = [
    *urls_enrolment.urlpatterns,
    *urls_demonstration.urlpatterns,
    *urls_attestation.urlpatterns,
    *urls_submission.urlpatterns,
    *urls_assessment.urlpatterns,
]
