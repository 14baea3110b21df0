"""The public catalogue: browse and search without signing in, the detail pages, and the
machine-readable Achievement (OB 3.0 JSON-LD) and BadgeClass (OB 2.0).

Only published, superseded and retired versions are ever public; drafts and versions under
review answer 404 whoever asks (the design pages are where their authors see them).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from mosaics.catalogue import documents, search
from mosaics.catalogue.models import DeliveryMode, Level, MicroCredential, Version
from mosaics.endorsements.models import Endorsement
from mosaics.learning.views_enrolment import enrolment_box
from mosaics.organisations.models import Organisation
from mosaics.pathways.models import Pathway

PUBLIC_STATES = (Version.State.PUBLISHED, Version.State.SUPERSEDED, Version.State.RETIRED)
JSON_LD = "application/ld+json"


# ---------------------------------------------------------------------------------- search


class CatalogueSearchForm(forms.Form):
    """The GET form of the catalogue. Every field is optional; a value that does not parse is
    dropped (the page shows the catalogue unfiltered by it), never an error page."""

    q = forms.CharField(label=_("Search micro-credentials"), required=False, strip=True)
    skill = forms.CharField(
        label=_("Skill or competency"),
        required=False,
        strip=True,
        help_text=_("A skill's name or its framework code, e.g. an ESCO or NOC code."),
    )
    school = forms.ChoiceField(label=_("School or faculty"), required=False)
    partner = forms.ChoiceField(label=_("Endorsed by"), required=False)
    level = forms.MultipleChoiceField(
        label=_("Level"),
        required=False,
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    delivery = forms.MultipleChoiceField(
        label=_("Delivery mode"),
        required=False,
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.MultipleChoiceField(
        label=_("Language of instruction"),
        required=False,
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        data: Any,
        *,
        schools: list[Organisation],
        partners: list[Organisation],
    ) -> None:
        super().__init__(data)
        any_choice = [("", _("Any"))]
        self.fields["school"].choices = any_choice + [(o.slug, o.name) for o in schools]  # type: ignore[attr-defined]
        self.fields["partner"].choices = any_choice + [(o.slug, o.name) for o in partners]  # type: ignore[attr-defined]

    def parsed(self) -> tuple[str, search.Filters]:
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that parsed

        def text(name: str) -> str:
            return str(data.get(name) or "")[: search.MAX_QUERY_LENGTH * 25]

        return text("q"), search.Filters(
            skill=text("skill"),
            school=text("school"),
            partner=text("partner"),
            levels=tuple(data.get("level") or ()),
            delivery_modes=tuple(data.get("delivery") or ()),
            languages=tuple(data.get("language") or ()),
        )


def _schools_offering() -> list[Organisation]:
    """Schools (and institutions issuing directly) with something published."""
    published = Version.objects.published().filter(
        micro_credential__issuer__organisation=OuterRef("pk")
    )
    return list(
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.SCHOOL, Organisation.Kind.INSTITUTION]
        )
        .filter(Exists(published))
        .order_by("name")
    )


def _partners_endorsing() -> list[Organisation]:
    """Partners with a current endorsement of something published."""
    endorsing = Endorsement.objects.current().filter(
        endorser__organisation=OuterRef("pk"), version__state=Version.State.PUBLISHED
    )
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.PARTNER)
        .filter(Exists(endorsing))
        .order_by("name")
    )


def _pathways_matching(query: str) -> QuerySet[Pathway]:
    pathways = Pathway.objects.filter(state=Pathway.State.PUBLISHED)
    for word in search.words(query):
        pathways = pathways.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return pathways.select_related("issuer__organisation").order_by("title", "pk")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Browse and search the published micro-credentials and pathways (GET form, no JS)."""
    schools, partners = _schools_offering(), _partners_endorsing()
    form = CatalogueSearchForm(request.GET or None, schools=schools, partners=partners)
    query, filters = form.parsed() if form.is_bound else ("", search.Filters())
    paginator = Paginator(search.search(query, filters), search.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    # The pagination links keep the query and the filters.
    params = request.GET.copy()
    params.pop("page", None)
    pathways = [] if filters.active else list(_pathways_matching(query))
    return render(
        request,
        "catalogue/public_index.html",
        {
            "form": form,
            "query": query,
            "filters": filters,
            "searching": bool(query) or filters.active,
            "page": page,
            "paginator": paginator,
            "page_query": params.urlencode(),
            "pathways": pathways,
        },
    )


# ---------------------------------------------------------------------------------- detail


def _get_public_version(slug: str, number: int | None = None) -> Version:
    """A version anyone may see: the exact `number` (published, superseded or retired), or,
    without a number, the current one — the published version, else the latest retired or
    superseded one (a retired micro-credential still has its page). Never a draft."""
    micro_credential = get_object_or_404(
        MicroCredential.objects.select_related("issuer__organisation__parent"), slug=slug
    )
    versions = Version.objects.filter(micro_credential=micro_credential, state__in=PUBLIC_STATES)
    if number is not None:
        version = versions.filter(number=number).first()
    else:
        version = (
            versions.filter(state=Version.State.PUBLISHED).first()
            or versions.order_by("-number").first()
        )
    if version is None:
        raise Http404
    version.micro_credential = micro_credential
    return version


def _prefers_json(request: HttpRequest) -> bool:
    if "accept" not in request.headers:
        return False
    preferred = request.get_preferred_type(["text/html", JSON_LD, "application/json"])
    return preferred in (JSON_LD, "application/json")


def _json(document: dict[str, Any], content_type: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=content_type
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _achievement_response(version: Version) -> HttpResponse:
    return _json(documents.achievement_document(version), f"{JSON_LD}; charset=utf-8")


def _pathways_with(micro_credential: MicroCredential) -> list[Pathway]:
    return list(
        Pathway.objects.filter(
            state=Pathway.State.PUBLISHED, groups__items__micro_credential=micro_credential
        )
        .distinct()
        .order_by("title", "pk")
    )


def _render_version(request: HttpRequest, version: Version) -> HttpResponse:
    micro_credential = version.micro_credential
    current = (
        version
        if version.state == Version.State.PUBLISHED
        else Version.objects.filter(
            micro_credential=micro_credential, state=Version.State.PUBLISHED
        ).first()
    )
    competencies = list(
        version.competencies.select_related("passing_level").prefetch_related(
            "levels", "alignments"
        )
    )
    endorsements = documents.current_endorsements(version)
    for endorsement in endorsements:
        endorsement.uuid = str(endorsement.credential_id).removeprefix("urn:uuid:")
    json_url = reverse(
        "catalogue:achievement_json",
        kwargs={"slug": micro_credential.slug, "number": version.number},
    )
    response = render(
        request,
        "catalogue/public_detail.html",
        {
            "version": version,
            "micro_credential": micro_credential,
            "issuer": micro_credential.issuer,
            "current": current,
            "is_current": current is not None and current.pk == version.pk,
            "retired": current is None,
            "competencies": competencies,
            "prompts": list(version.reflection_prompts.all()),
            "goals": list(version.goals.all()),
            "endorsements": endorsements,
            "pathways": _pathways_with(micro_credential),
            "image_url": documents.image_url(version),
            "json_url": json_url,
            "badgeclass_url": reverse(
                "catalogue:badgeclass",
                kwargs={"slug": micro_credential.slug, "number": version.number},
            ),
            "now": timezone.now(),
            # The current version's page offers enrolment (places, window, the enrol form).
            "enrolment": (
                enrolment_box(request, micro_credential, current)
                if current is not None and current.pk == version.pk
                else None
            ),
        },
    )
    response["Link"] = f'<{json_url}>; rel="alternate"; type="{JSON_LD}"'
    return response


def _negotiated(request: HttpRequest, version: Version) -> HttpResponse:
    if _prefers_json(request):
        response = _achievement_response(version)
    else:
        response = _render_version(request, version)
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The current version's page (or its Achievement, when the client asks for JSON-LD)."""
    return _negotiated(request, _get_public_version(slug))


@require_safe
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """An exact version's page: the Achievement id that awards and endorsements point at."""
    return _negotiated(request, _get_public_version(slug, number))


@require_safe
def achievement_json(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _achievement_response(_get_public_version(slug, number))


@require_safe
def badgeclass_json(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_public_version(slug, number)
    return _json(documents.badgeclass_document(version), "application/json; charset=utf-8")


__all__ = [
    "CatalogueSearchForm",
    "achievement_json",
    "badgeclass_json",
    "detail",
    "index",
    "version_detail",
]
