from __future__ import annotations

from mosaics.awards import urls_learner, urls_ob2, urls_share, urls_staff

app_name = "awards"

urlpatterns = [
    *urls_staff.urlpatterns,
    *urls_learner.urlpatterns,
    *urls_share.urlpatterns,
    *urls_ob2.urlpatterns,
]
