"""Hostile input to every form of the learner's journey (issue 5) and the account pages:
never a 500, a refusal in words, and nothing saved before is lost.

Each form is posted by the person allowed to use it, from a state that already holds saved
work (a draft narrative, evidence, an attestation request, a reflection, a submission). Each
hostile value — empty, whitespace, 100,000 characters, NUL and other control characters,
right-to-left overrides, HTML and script, markdown with `javascript:` links, huge and negative
numbers, impossible dates, a bare word — goes into all the fields at once; then each field in
turn gets the values that matter for its kind (`KIND_VALUES`); then lists where one value is
expected, nothing at all, junk fields, and raw bodies with a lone surrogate (`%ED%A0%80`) and
bytes that are not UTF-8. Each attempt runs in a rolled-back transaction and is judged by
`_judge`:

- the answer (and the page a redirect leads to) is never a server error;
- a refusal says what is wrong (an error summary, a field's error or an error message) and
  changes nothing: every learning row, the micro-credential's settings, the people, the audit
  log and the outbox are as they were;
- values that cannot be right (NUL, text over the limit, a choice that is not offered, a date
  that does not exist) are refused, not silently stored.

Uploads get files that lie about their type, bombs, empty and oversized files and hostile
names; the link form gets links no assessor should follow; the supervisor's page gets hostile
tokens; the scoring form gets levels that are not the competency's; what the learner wrote
is shown to the supervisor and the assessors without scripts or `javascript:` links; and the
`mosaics notifications` command gets hostile arguments.

CI runs this module on SQLite and on PostgreSQL, where NUL in text is refused by the database
itself: a NUL that got past a form would be a 500 there only.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.models import MicroCredential
from mosaics.learning.actions.attestation import attestation_request
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Conflict,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    ReflectionAnswer,
    Submission,
)
from mosaics.learning.tokens import attestation_token
from mosaics.notifications.models import Notification
from mosaics.portfolio.models import ExternalBadge
from tests import factories as f
from tests.learning import builders as b

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

LONG = "x" * 100_000
NUL = "before\x00after"
HOSTILE: dict[str, str] = {
    "empty": "",
    "whitespace": " \t\r\n\u00a0\u2003 ",
    "long": LONG,
    "nul": NUL,
    "control": "a\x01\x07\x08\x1b[31mred\x7f\x85",
    "rtl": "\u202egnp.exe\u202c \u2067x\u2069",
    "html": '<script>alert(1)</script><img src=x onerror="alert(2)">',
    "markdown": '[click](javascript:alert(1)) <a href="javascript:alert(2)">x</a> ![i](data:x)',
    "huge": "9" * 30,
    "negative": "-1",
    "float": "1e309",
    "bad date": "2026-02-30",
    "year zero": "0000-01-01",
    "year 99999": "99999-01-01",
    "word": "queue",  # a bare word: `redirect` takes it for a view's name
}
"""Values every field gets in turn (each is also tried in every field at once)."""

#: Which values each kind of field must refuse (the others may be accepted, if harmless).
ALWAYS = {"nul", "long"}
NOT_TEXT = set(HOSTILE) - {"empty", "whitespace"}
MUST_REFUSE: dict[str, set[str]] = {
    "text": ALWAYS,  # optional free text: anything printable is someone's words
    "required": ALWAYS | {"empty", "whitespace"},
    "choice": set(HOSTILE) - {"empty"},  # nothing here is one of the choices
    "required choice": set(HOSTILE),
    "date": NOT_TEXT,  # optional: empty means "no date"
    "number": NOT_TEXT,  # optional: empty means "no limit"
    "email": set(HOSTILE),
    "url": set(HOSTILE),
    "other": set(),  # checkboxes, `next`: anything goes, but never a 500
}

#: A raw urlencoded value: a lone surrogate (U+D800), then bytes that are not UTF-8.
RAW_ESCAPES = ("%ED%A0%80", "%FF%FE", "%C0%AF", "%00")

User = get_user_model()

# --------------------------------------------------------------------------------------------
# The state the forms start from
# --------------------------------------------------------------------------------------------

SAVED_NARRATIVE = "I cleaned the sales data and presented the trend to the team."
SAVED_SUMMARY = "I learned to turn raw data into a decision."


@dataclass
class Journey:
    world: Any
    version: Any
    enrolment: Enrolment
    first: Any
    second: Any
    third: Any
    draft: Demonstration
    submitted: Demonstration
    draft_item: EvidenceItem
    submitted_item: EvidenceItem
    attestation: Attestation
    reflection: Reflection
    open_version: Any
    second_learner: Any
    submission: Submission
    conflict: Conflict
    badge: ExternalBadge
    others_badge: ExternalBadge

    @property
    def slug(self) -> str:
        return str(self.version.micro_credential.slug)

    def competency_url(self, name: str, competency: Any | None = None) -> str:
        competency = competency or self.first
        return reverse(name, kwargs={"slug": self.slug, "competency": competency.pk})


def _external_badge(owner: Any, title: str) -> ExternalBadge:
    return ExternalBadge.objects.create(
        owner=owner,
        format=ExternalBadge.Format.OB3_JSON,
        payload="{}",
        verified=True,
        status="valid",
        title=title,
    )


@pytest.fixture
def journey(world: Any) -> Journey:
    learner = world.learner
    learner.display_name = "Sam Learner"
    learner.legal_name = "Samantha Learner"
    learner.save(update_fields=["display_name", "legal_name"])
    version = b.learning_version(world.issuer, competencies=3, title="Data Storytelling")
    enrolment = b.enrolment(learner, version)
    first, second, third = version.competencies.order_by("position", "pk")[:3]
    draft = b.demonstration(enrolment, first, submitted=False, narrative=SAVED_NARRATIVE)
    submitted = b.demonstration(enrolment, second)
    # The third competency is being revised: a submitted version and a draft after it.
    b.demonstration(enrolment, third)
    b.demonstration(enrolment, third, submitted=False, number=2)
    attestation = attestation_request(
        actor=learner,
        demonstration=submitted,
        supervisor_name="Pat Manager",
        supervisor_email="pat@example.org",
        supervisor_role="Team lead",
        message="Thanks for supervising my data project.",
    )
    reflection = b.reflection(enrolment, submitted=False)
    open_version = b.learning_version(world.issuer, title="Spreadsheet Modelling")
    second_learner = f.UserFactory(username="robin", display_name="Robin Learner")
    assessed_version = b.learning_version(world.issuer, title="Presenting Findings")
    submission = b.submission(b.enrolment(second_learner, assessed_version))
    conflict = Conflict.objects.create(
        assessor=world.assessor, learner=f.UserFactory(username="cousin"), reason="My cousin"
    )
    return Journey(
        world=world,
        version=version,
        enrolment=enrolment,
        first=first,
        second=second,
        third=third,
        draft=draft,
        submitted=submitted,
        draft_item=draft.items.get(),
        submitted_item=submitted.items.get(),
        attestation=attestation,
        reflection=reflection,
        open_version=open_version,
        second_learner=second_learner,
        submission=submission,
        conflict=conflict,
        badge=_external_badge(learner, "Excel Expert"),
        others_badge=_external_badge(second_learner, "Someone else's badge"),
    )


# --------------------------------------------------------------------------------------------
# Judging one attempt
# --------------------------------------------------------------------------------------------


def _snapshot() -> dict[str, Any]:
    """Everything a hostile request could change or lose, row by row."""
    models = (
        Enrolment,
        Demonstration,
        EvidenceItem,
        Attestation,
        Reflection,
        ReflectionAnswer,
        Submission,
        Assessment,
        CompetencyScore,
        Conflict,
        AuditEntry,
        Notification,
        MicroCredential,
        User,
    )
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in models}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


ERROR_MARKS = ('class="form-errors"', 'class="errorlist', "message-error", 'role="alert"')


@dataclass
class Outcome:
    status: int
    page: str
    """The answer's page, or the page its redirect leads to."""
    final_status: int
    changed: list[str]

    @property
    def says_what_is_wrong(self) -> bool:
        return any(mark in self.page for mark in ERROR_MARKS)

    @property
    def refused(self) -> bool:
        """Refused: an error answer, or a redirect to a page with an error message."""
        return self.status >= 400 or (self.status in (301, 302, 303) and self.says_what_is_wrong)


def _read(response: Any) -> str:
    if getattr(response, "streaming", False):
        return ""
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("text/html"):
        return ""
    return response.content.decode("utf-8", "replace")


def attempt(
    client: Client,
    url: str,
    data: Any = None,
    *,
    method: str = "post",
    before: dict[str, Any] | None = None,
    **extra: Any,
) -> Outcome:
    """One request in a rolled-back transaction; a redirect is followed (in it) to read the
    message it leads to. `before`: the snapshot of the state it starts from, if known (each
    attempt is rolled back, so it is the same for a series of attempts)."""
    if before is None:
        before = _snapshot()
    with transaction.atomic():
        if method == "post":
            response = client.post(url, data if data is not None else {}, **extra)
        else:
            response = client.get(url, data or {}, **extra)
        after = _snapshot()
        final = response
        if response.status_code in (301, 302, 303):
            final = client.get(response["Location"])
        transaction.set_rollback(True)
    return Outcome(
        status=response.status_code,
        page=_read(final),
        final_status=final.status_code,
        changed=_changes(before, after),
    )


def _judge(outcome: Outcome, label: str, *, must_refuse: bool) -> list[str]:
    """What is wrong with the answer to one hostile request ([] when nothing)."""
    problems = []
    if outcome.status >= 500 or outcome.final_status >= 500:
        return [f"{label}: server error {outcome.status}/{outcome.final_status}"]
    if outcome.refused:
        if outcome.changed:
            problems.append(f"{label}: refused ({outcome.status}) yet changed {outcome.changed}")
        if outcome.status not in (403, 404, 405, 410) and not outcome.says_what_is_wrong:
            problems.append(f"{label}: refused ({outcome.status}) without saying why")
    elif must_refuse:
        problems.append(f"{label}: accepted ({outcome.status}), changed {outcome.changed}")
    return problems


def _client(user: Any | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# --------------------------------------------------------------------------------------------
# The forms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    driver: Callable[[Journey], Any]
    """Who posts it (None: no account, the supervisor)."""
    url: Callable[[Journey], str]
    page: Callable[[Journey], str]
    """The page that shows the form (its fields must be there)."""
    base: Callable[[Journey], dict[str, Any]]
    """Values a person would send (every field given, right or wrong, is in `kinds`)."""
    kinds: dict[str, str] = field(default_factory=dict)
    """Each field's kind (`MUST_REFUSE`); fields of other names get the values too."""
    bare: bool = False
    """A button with no fields but the CSRF token (junk fields are ignored)."""


def _learner(j: Journey) -> Any:
    return j.world.learner


def _page(name: str, **kwargs: Callable[[Journey], Any]) -> Callable[[Journey], str]:
    return lambda j: reverse(name, kwargs={k: v(j) for k, v in kwargs.items()})


def _slug(j: Journey) -> str:
    return j.slug


def _demonstration_page(j: Journey) -> str:
    return j.competency_url("learning:demonstration")


def _submitted_page(j: Journey) -> str:
    return j.competency_url("learning:demonstration", j.second)


def _attest_url(j: Journey) -> str:
    return reverse("learning:attest", kwargs={"token": attestation_token(j.attestation)})


def _assess_url(j: Journey) -> str:
    return reverse("learning:assess", kwargs={"uuid": j.submission.uuid})


def _scores(j: Journey) -> dict[str, Any]:
    data: dict[str, Any] = {"decision": "revise", "feedback": "Show the data you cleaned."}
    for competency in j.submission.enrolment.version.competencies.order_by("position", "pk"):
        data[f"level-{competency.pk}"] = str(competency.levels.order_by("position").first().pk)
        data[f"feedback-{competency.pk}"] = "Say more about the setting."
    return data


def _score_kinds(j: Journey) -> dict[str, str]:
    kinds = {"decision": "required choice", "feedback": "text"}
    for competency in j.submission.enrolment.version.competencies.all():
        kinds[f"level-{competency.pk}"] = "required choice"
        kinds[f"feedback-{competency.pk}"] = "text"
    return kinds


def _reflection_base(j: Journey) -> dict[str, Any]:
    data: dict[str, Any] = {"summary": SAVED_SUMMARY, "share_summary": "on"}
    for prompt in j.version.reflection_prompts.all():
        data[f"answer_{prompt.pk}"] = f"My answer to: {prompt.text}"
    return data


FORMS: dict[str, Form] = {
    # --- enrolment ---------------------------------------------------------------------------
    "learning:enrol": Form(
        _learner,
        _page("learning:enrol", slug=lambda j: j.open_version.micro_credential.slug),
        _page("catalogue:detail", slug=lambda j: j.open_version.micro_credential.slug),
        lambda j: {"route": "standard"},
        {"route": "required choice"},
    ),
    "learning:withdraw": Form(
        _learner,
        _page("learning:withdraw", slug=_slug),
        _page("learning:withdraw", slug=_slug),
        lambda j: {},
        bare=True,
    ),
    "learning:enrolment_settings": Form(
        lambda j: j.world.tlc_admin,
        _page("learning:enrolment_settings", slug=_slug),
        _page("learning:enrolment_settings", slug=_slug),
        lambda j: {"capacity": "30", "opens": "2026-01-05T09:00", "closes": "2026-03-01T17:00"},
        {"capacity": "number", "opens": "date", "closes": "date"},
    ),
    # --- demonstrations and evidence ------------------------------------------------------------
    "learning:demonstration": Form(
        _learner,
        _demonstration_page,
        _demonstration_page,
        lambda j: {
            "narrative": SAVED_NARRATIVE,
            "setting_organisation": "Prairie Analytics",
            "setting_role": "Analyst intern",
            "setting_kind": "industry",
            "setting_start": "2025-09-01",
            "setting_end": "2025-12-19",
        },
        {
            "narrative": "text",
            "setting_organisation": "text",
            "setting_role": "text",
            "setting_kind": "choice",
            "setting_start": "date",
            "setting_end": "date",
        },
    ),
    "learning:evidence_add (link)": Form(
        _learner,
        lambda j: j.competency_url("learning:evidence_add"),
        _demonstration_page,
        lambda j: {
            "kind": "link",
            "link-url": "https://example.org/dashboard",
            "link-title": "Dashboard",
            "link-description": "The dashboard I built.",
            "link-visibility": "private",
        },
        {
            "kind": "required choice",
            "link-url": "url",
            "link-title": "required",
            "link-description": "text",
            "link-visibility": "required choice",
        },
    ),
    "learning:evidence_add (badge)": Form(
        _learner,
        lambda j: j.competency_url("learning:evidence_add"),
        _demonstration_page,
        lambda j: {
            "kind": "badge",
            "badge-badge": f"external:{j.badge.uuid}",
            "badge-title": "",
            "badge-description": "A badge I earned at work.",
            "badge-visibility": "public",
        },
        {
            "kind": "required choice",
            "badge-badge": "required choice",
            "badge-title": "text",
            "badge-description": "text",
            "badge-visibility": "required choice",
        },
    ),
    "learning:evidence_add (file)": Form(
        _learner,
        lambda j: j.competency_url("learning:evidence_add"),
        _demonstration_page,
        lambda j: {
            "kind": "file",
            "file-file": SimpleUploadedFile("notes.txt", b"What I did, step by step.\n"),
            "file-title": "Notes",
            "file-description": "My notes.",
            "file-visibility": "excluded",
        },
        {
            "kind": "required choice",
            "file-title": "text",
            "file-description": "text",
            "file-visibility": "required choice",
        },
    ),
    "learning:evidence_visibility (draft)": Form(
        _learner,
        _page("learning:evidence_visibility", uuid=lambda j: j.draft_item.uuid),
        _demonstration_page,
        lambda j: {"visibility": "excluded"},
        {"visibility": "required choice"},
    ),
    "learning:evidence_visibility (submitted)": Form(
        _learner,
        _page("learning:evidence_visibility", uuid=lambda j: j.submitted_item.uuid),
        _submitted_page,
        lambda j: {"visibility": "private"},
        {"visibility": "required choice"},
    ),
    "learning:evidence_remove": Form(
        _learner,
        _page("learning:evidence_remove", uuid=lambda j: j.draft_item.uuid),
        _demonstration_page,
        lambda j: {},
        bare=True,
    ),
    "learning:demonstration_submit": Form(
        _learner,
        lambda j: j.competency_url("learning:demonstration_submit"),
        _demonstration_page,
        lambda j: {},
        bare=True,
    ),
    "learning:demonstration_revise": Form(
        _learner,
        lambda j: j.competency_url("learning:demonstration_revise", j.second),
        _submitted_page,
        lambda j: {},
        bare=True,
    ),
    "learning:demonstration_discard": Form(
        _learner,
        lambda j: j.competency_url("learning:demonstration_discard", j.third),
        lambda j: j.competency_url("learning:demonstration", j.third),
        lambda j: {},
        bare=True,
    ),
    # --- attestation -----------------------------------------------------------------------------
    "learning:attestation_request": Form(
        _learner,
        _page("learning:attestation_request", uuid=lambda j: j.submitted.uuid),
        _page("learning:attestation_request", uuid=lambda j: j.submitted.uuid),
        lambda j: {
            "supervisor_name": "Alex Supervisor",
            "supervisor_email": "alex@example.org",
            "supervisor_role": "Manager",
            "message": "Please confirm my work on the dashboard.",
        },
        {
            "supervisor_name": "required",
            "supervisor_email": "email",
            "supervisor_role": "text",
            "message": "text",
        },
    ),
    "learning:attestation_resend": Form(
        _learner,
        _page("learning:attestation_resend", uuid=lambda j: j.attestation.uuid),
        _page("learning:attestation_request", uuid=lambda j: j.submitted.uuid),
        lambda j: {},
        bare=True,
    ),
    "learning:attestation_cancel": Form(
        _learner,
        _page("learning:attestation_cancel", uuid=lambda j: j.attestation.uuid),
        _page("learning:attestation_request", uuid=lambda j: j.submitted.uuid),
        lambda j: {},
        bare=True,
    ),
    "learning:attest": Form(
        lambda j: None,
        _attest_url,
        _attest_url,
        lambda j: {"answer": "dispute", "comment": "They built the dashboard with a colleague."},
        {"answer": "required choice", "comment": "text"},
    ),
    # --- reflection, submitting, the route -------------------------------------------------------
    "learning:reflection": Form(
        _learner,
        _page("learning:reflection", slug=_slug),
        _page("learning:reflection", slug=_slug),
        _reflection_base,
        {"summary": "text", "share_summary": "other"},  # + one text field per prompt
    ),
    "learning:submit": Form(
        _learner,
        _page("learning:submit", slug=_slug),
        _page("learning:submit", slug=_slug),
        lambda j: {"confirm": "on"},
        {"confirm": "other"},
    ),
    "learning:route": Form(
        _learner,
        _page("learning:route", slug=_slug),
        _page("learning:route", slug=_slug),
        lambda j: {
            "route": "prior_learning",
            "next": reverse("learning:submit", kwargs={"slug": j.slug}),
        },
        {"route": "required choice", "next": "other"},
    ),
    "learning:submission_withdraw": Form(
        lambda j: j.second_learner,
        _page(
            "learning:submission_withdraw",
            slug=lambda j: j.submission.enrolment.micro_credential.slug,
            number=lambda j: j.submission.number,
        ),
        _page(
            "learning:submission",
            slug=lambda j: j.submission.enrolment.micro_credential.slug,
            number=lambda j: j.submission.number,
        ),
        lambda j: {},
        bare=True,
    ),
    # --- assessment ------------------------------------------------------------------------------
    "learning:assess": Form(lambda j: j.world.assessor, _assess_url, _assess_url, _scores, {}),
    "learning:conflict_declare": Form(
        lambda j: j.world.assessor,
        _page("learning:conflict_declare", uuid=lambda j: j.submission.uuid),
        _assess_url,
        lambda j: {"reason": "A former colleague."},
        {"reason": "text"},
    ),
    "learning:conflict_withdraw": Form(
        lambda j: j.world.assessor,
        _page("learning:conflict_withdraw", pk=lambda j: j.conflict.pk),
        _page("learning:conflicts"),
        lambda j: {},
        bare=True,
    ),
    # --- accounts --------------------------------------------------------------------------------
    "accounts:profile": Form(
        _learner,
        _page("accounts:profile"),
        _page("accounts:profile"),
        lambda j: {
            "display_name": "Sam",
            "legal_name": "Samantha Learner",
            "preferred_language": "fr",
        },
        {"display_name": "text", "legal_name": "text", "preferred_language": "choice"},
    ),
    "accounts:export": Form(
        _learner, _page("accounts:export"), _page("accounts:export"), lambda j: {}, bare=True
    ),
    "accounts:delete": Form(
        _learner,
        _page("accounts:delete"),
        _page("accounts:delete"),
        lambda j: {"password": "not the password", "confirmation": "DELETE"},
        {"password": "required", "confirmation": "required"},
    ),
}


def _kinds(name: str, spec: Form, j: Journey) -> dict[str, str]:
    if name == "learning:assess":
        return _score_kinds(j)
    if name == "learning:reflection":
        return {
            **spec.kinds,
            **{f"answer_{p.pk}": "text" for p in j.version.reflection_prompts.all()},
        }
    return spec.kinds


#: The values each kind of field gets on its own (every value goes into all fields at once).
KIND_VALUES: dict[str, tuple[str, ...]] = {
    "text": ("whitespace", "long", "nul", "control", "rtl", "html", "markdown"),
    "required": ("empty", "whitespace", "long", "nul", "control", "rtl", "html"),
    "choice": ("empty", "whitespace", "long", "nul", "huge", "negative", "html"),
    "date": ("whitespace", "long", "nul", "bad date", "year zero", "year 99999", "huge"),
    "number": ("whitespace", "long", "nul", "huge", "negative", "float", "html"),
    "email": ("empty", "whitespace", "long", "nul", "rtl", "html", "markdown"),
    "url": ("empty", "whitespace", "long", "nul", "html", "markdown"),
    "other": ("long", "nul", "html", "word", "control"),
}
KIND_VALUES["required choice"] = KIND_VALUES["choice"]


def _payloads(
    base: dict[str, Any], kinds: dict[str, str]
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(label, data, whether it must be refused)."""
    names = sorted(kinds)
    junk = {f"junk-{label}": value for label, value in HOSTILE.items()}
    yield "junk fields", {**base, **junk, "csrfmiddlewaretoken": LONG}, False
    yield "junk lists", {**base, **{n: [NUL, LONG] for n in junk}}, False
    if not names:  # a button: junk is all there is to send
        return
    yield "nothing", {k: v for k, v in base.items() if k not in kinds}, False
    for label, value in HOSTILE.items():
        everywhere = {**base, **dict.fromkeys(names, value)}
        yield f"all {label}", everywhere, any(label in MUST_REFUSE[kinds[n]] for n in names)
    if len(names) > 1:  # (one field: "all" above was each value in it)
        for name in names:
            kind = kinds[name]
            for label in KIND_VALUES[kind]:
                yield f"{name}={label}", {**base, name: HOSTILE[label]}, label in MUST_REFUSE[kind]
    yield "lists", {**base, **{n: ["a", "b"] for n in names}}, False
    must = any(kind != "other" for kind in kinds.values())
    yield "hostile lists", {**base, **{n: [NUL, LONG] for n in names}}, must


def _raw_body(data: dict[str, Any], escape: str) -> bytes:
    return "&".join(
        f"{quote(name)}=a{escape}b" for name, value in data.items() if isinstance(value, str)
    ).encode("ascii")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_form_values(name: str, journey: Journey) -> None:
    spec = FORMS[name]
    j = journey
    driver = spec.driver(j)
    client = _client(driver)
    url = spec.url(j)
    page = client.get(spec.page(j))
    assert page.status_code == 200, f"{spec.page(j)} answered {page.status_code}"
    html = page.content.decode()
    assert f'action="{url}"' in html or url == spec.page(j), f"no form posting to {url}"
    kinds = _kinds(name, spec, j)
    for field_name in kinds:
        assert f'name="{field_name}"' in html, f"{name}: no field {field_name} on {spec.page(j)}"
    assert kinds or spec.bare, f"{name}: no fields; the test would prove nothing"

    failures: list[str] = []
    before = _snapshot()
    for label, data, must_refuse in _payloads(spec.base(j), kinds):
        data = {k: _renew(v) for k, v in data.items()}
        outcome = attempt(client, url, data, before=before)
        failures += _judge(outcome, label, must_refuse=must_refuse)
    for escape in RAW_ESCAPES if kinds else RAW_ESCAPES[:1]:
        body = _raw_body(dict.fromkeys(kinds, "") or {"junk": ""}, escape)
        outcome = attempt(
            client, url, body, before=before, content_type="application/x-www-form-urlencoded"
        )
        failures += _judge(outcome, f"raw {escape}", must_refuse=False)
    assert failures == [], f"{name} ({url}):\n" + "\n".join(failures)


def _renew(value: Any) -> Any:
    """An upload can be read once: each attempt gets its own."""
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), content_type=value.content_type)
    return value


# --------------------------------------------------------------------------------------------
# Every form of the learner's journey and the account pages is above
# --------------------------------------------------------------------------------------------

#: Pages that only show (GET); their hostile query strings and addresses are tried below.
SHOW_ONLY = {
    "learning:mine",
    "learning:enrolment",
    "learning:demonstration_version",
    "learning:evidence_file",
    "learning:attest_file",
    "learning:submission",
    "learning:queue",
    "learning:conflicts",
}
#: Account pages with hostile-input tests of their own (issue 4's module).
ELSEWHERE = {"accounts:did", "accounts:did_unbind"}


def _names(namespace: str) -> set[str]:
    resolver = get_resolver()
    found = resolver.namespace_dict[namespace][1].reverse_dict
    return {f"{namespace}:{key}" for key in found if isinstance(key, str)}


def test_every_form_of_the_journey_is_covered() -> None:
    forms = {name.split(" ")[0] for name in FORMS}
    names = _names("learning") | _names("accounts")
    assert sorted(names - forms - SHOW_ONLY - ELSEWHERE) == []
    assert sorted(forms - names) == []


# --------------------------------------------------------------------------------------------
# What was saved stays saved
# --------------------------------------------------------------------------------------------


def test_a_refused_draft_keeps_the_saved_narrative_and_what_was_typed(journey: Journey) -> None:
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:demonstration")
    base = FORMS["learning:demonstration"].base(journey)
    typed = "My new narrative, with a date that does not exist."
    response = client.post(url, {**base, "narrative": typed, "setting_start": "2026-02-30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "form-errors" in page
    assert typed in page  # what was typed is shown again
    journey.draft.refresh_from_db()
    assert journey.draft.narrative == SAVED_NARRATIVE
    assert not AuditEntry.objects.filter(action="learning.demonstration_save").exists()
    for value in (NUL, LONG):
        response = client.post(url, {**base, "narrative": value})
        assert response.status_code == 400
        journey.draft.refresh_from_db()
        assert journey.draft.narrative == SAVED_NARRATIVE


def test_a_refused_reflection_keeps_the_saved_answers(journey: Journey) -> None:
    client = _client(journey.world.learner)
    saved = sorted(ReflectionAnswer.objects.values_list("pk", "answer"))
    data = _reflection_base(journey)
    first = next(k for k in data if k.startswith("answer_"))
    response = client.post(
        reverse("learning:reflection", kwargs={"slug": journey.slug}),
        {**data, first: "Typed " + NUL, "summary": "A new summary"},
    )
    assert response.status_code == 400
    assert "A new summary" in response.content.decode()
    assert sorted(ReflectionAnswer.objects.values_list("pk", "answer")) == saved
    journey.reflection.refresh_from_db()
    assert journey.reflection.summary == SAVED_SUMMARY


# --------------------------------------------------------------------------------------------
# Hostile numbers and strings in addresses, and in the queue's filters
# --------------------------------------------------------------------------------------------


def _hostile_paths(j: Journey) -> list[str]:
    slug = j.slug
    huge = "9" * 30
    return [
        f"/learn/{slug}/competencies/{huge}/",
        f"/learn/{slug}/competencies/{huge}/evidence",
        f"/learn/{slug}/competencies/{huge}/submit",
        f"/learn/{slug}/competencies/0/",
        f"/learn/{slug}/competencies/-1/",
        f"/learn/{slug}/competencies/1e9/",
        f"/learn/{slug}/attempts/{huge}",
        f"/learn/{slug}/attempts/{huge}/withdraw",
        f"/learn/{slug}/attempts/-1",
        f"/assess/conflicts/{huge}/withdraw",
        "/assess/not-a-uuid",
        "/assess/00000000-0000-0000-0000-000000000000",
        "/learn/evidence/00000000-0000-0000-0000-000000000000/visibility",
        "/learn/%ED%A0%80/",
        "/learn/%00/enrol",
        "/learn/" + "a" * 5000 + "/",
        "/manage/enrolment/%E2%80%AEx",
        "/evidence/00000000-0000-0000-0000-000000000000",
    ]


def test_hostile_addresses_are_not_found(journey: Journey) -> None:
    client = _client(journey.world.learner)
    assessor = _client(journey.world.assessor)
    before = _snapshot()
    failures = []
    for path in _hostile_paths(journey):
        for who, c in (("learner", client), ("assessor", assessor)):
            for method in ("get", "post"):
                outcome = attempt(c, path, {"visibility": "public"}, method=method, before=before)
                if outcome.status not in (404, 405):  # (405: a page that only shows)
                    failures.append(f"{who} {method} {path[:60]}: {outcome.status}")
                if outcome.changed:
                    failures.append(f"{who} {method} {path[:60]}: changed {outcome.changed}")
    assert failures == [], "\n".join(failures)


def test_hostile_queue_filters_are_ignored(journey: Journey) -> None:
    client = _client(journey.world.assessor)
    url = reverse("learning:queue")
    failures = []
    for label, value in HOSTILE.items():
        for name in ("micro_credential", "state", "age", "page"):
            response = client.get(url, {name: value})
            if response.status_code != 200:
                failures.append(f"{name}={label}: {response.status_code}")
        response = client.get(url, {n: [value, "x"] for n in ("micro_credential", "state")})
        if response.status_code != 200:
            failures.append(f"lists of {label}: {response.status_code}")
    for escape in RAW_ESCAPES:
        response = client.get(f"{url}?state=a{escape}&page={escape}&age={escape}")
        if response.status_code != 200:
            failures.append(f"raw {escape}: {response.status_code}")
    assert failures == [], "\n".join(failures)


# --------------------------------------------------------------------------------------------
# Uploads: files that lie, bombs, sizes, and names
# --------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int = 1, height: int = 1, idat: bytes | None = None) -> bytes:
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    data = idat if idat is not None else zlib.compress(b"\x00" + b"\x00\x00\x00" * width)
    return b"\x89PNG\r\n\x1a\n" + ihdr + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


SMALL_LIMIT = 64 * 1024
"""`MOSAICS_MAX_EVIDENCE_BYTES` in these tests (an archive may unpack to 10 times that)."""

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"

HOSTILE_FILES: tuple[tuple[str, str, bytes], ...] = (
    ("program named .pdf", "report.pdf", PE + b"\x00" * 200),
    ("html named .png", "photo.png", b"<html><script>alert(1)</script></html>"),
    ("html with a bom", "notes.txt", b"\xef\xbb\xbf \n<!DOCTYPE html><script>alert(1)</script>"),
    (
        "svg with script",
        "chart.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    (
        "svg as xml named .txt",
        "chart.txt",
        b'<?xml version="1.0"?><svg onload="alert(1)"></svg>',
    ),
    ("truncated png", "photo.png", _png()[:30]),
    ("png with garbage pixels", "photo.png", _png(idat=b"not zlib at all")),
    ("decompression bomb png", "photo.png", _png(100_000, 100_000, zlib.compress(b"\x00" * 1000))),
    (
        "zip bomb docx",
        "essay.docx",
        _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"\x00" * (SMALL_LIMIT * 20),
            }
        ),
    ),
    (
        "docx with macros",
        "essay.docx",
        _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<w/>",
                "word/vbaProject.bin": b"x",
            }
        ),
    ),
    (
        "docx climbing out",
        "essay.docx",
        _zip(
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "../../evil": b"x"}
        ),
    ),
    ("zip of nothing we know", "archive.docx", _zip({"readme.txt": b"hello"})),
    ("truncated zip", "essay.docx", _zip({"word/document.xml": b"<w/>"})[:40]),
    ("empty", "notes.txt", b""),
    ("over the limit", "notes.txt", b"a" * (SMALL_LIMIT + 1)),
    ("not utf-8", "notes.txt", "Notes in Latin-1: café".encode("latin-1")),
    ("utf-16", "notes.txt", "Notes".encode("utf-16")),
    ("text with nul", "notes.txt", b"Notes\x00more notes"),
)


@pytest.fixture
def small_limit(settings: Any) -> int:
    settings.MOSAICS_MAX_EVIDENCE_BYTES = SMALL_LIMIT
    return SMALL_LIMIT


def _stored_files() -> set[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _file_form(journey: Journey, upload: Any) -> dict[str, Any]:
    return {
        "kind": "file",
        "file-file": upload,
        "file-title": "",
        "file-description": "",
        "file-visibility": "private",
    }


def test_hostile_files_are_refused_and_nothing_is_stored(
    journey: Journey, small_limit: int
) -> None:
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:evidence_add")
    before = _snapshot()
    files = _stored_files()
    failures = []
    for label, name, content in HOSTILE_FILES:
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        outcome = attempt(client, url, _file_form(journey, upload), before=before)
        failures += _judge(outcome, label, must_refuse=True)
        if _stored_files() != files:
            failures.append(f"{label}: a file was left in storage")
    assert failures == [], "\n".join(failures)


def test_the_refusals_say_what_is_wrong_with_the_file(journey: Journey, small_limit: int) -> None:
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:evidence_add")
    expected = {
        "program named .pdf": "cannot be used as evidence",
        "html named .png": "cannot be used as evidence",
        "svg with script": "cannot be used as evidence",
        "truncated png": "could not be read",
        "decompression bomb png": "too many pixels",
        "zip bomb docx": "would unpack to far more",
        "docx with macros": "macros",
        "empty": "empty",
        "over the limit": "too large",
    }
    files = {label: (name, content) for label, name, content in HOSTILE_FILES}
    for label, words in expected.items():
        name, content = files[label]
        upload = SimpleUploadedFile(name, content, content_type="image/png")
        response = client.post(url, _file_form(journey, upload))
        assert response.status_code == 400, label
        assert words in response.content.decode(), label


def _multipart(fields: dict[str, str], filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart body sent as is: the test client would keep only the base name of a file
    name, and could not send bytes that are not UTF-8."""
    boundary = "hostile-boundary-7d3f"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file-file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


HOSTILE_NAMES: tuple[tuple[str, bytes], ...] = (
    ("climbing", b"../../x.txt"),
    ("climbing far", b"../../../../../../etc/passwd"),
    ("windows climbing", b"..\\..\\x.txt"),
    ("absolute", b"/etc/cron.d/x"),
    ("device name", b"CON"),
    ("device with extension", b"NUL.txt"),
    ("300 characters", b"n" * 296 + b".txt"),
    ("300 characters, no extension", b"n" * 300),
    ("nul", b"notes\x00.exe.txt"),
    ("control", b"notes\x1b[31m\x07.txt"),
    ("rtl override", "notes\u202etxt.exe".encode()),
    ("not utf-8", b"caf\xe9 \xff\xfe.txt"),
    ("lone surrogate", b"notes\xed\xa0\x80.txt"),
    ("html", b"<img src=x onerror=alert(1)>.txt"),
    ("quotes", b'a"b.txt'),
    ("dots", b".."),
    ("empty", b""),
)


def test_hostile_file_names(journey: Journey) -> None:
    """A harmless file under a hostile name: stored under a random name of ours; the name
    kept (for display and downloads) is cleaned; or the upload is refused in words."""
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:evidence_add")
    fields = {
        "kind": "file",
        "file-title": "",
        "file-description": "",
        "file-visibility": "private",
    }
    media = Path(django_settings.MEDIA_ROOT).resolve()
    failures = []
    for label, name in HOSTILE_NAMES:
        body, content_type = _multipart(fields, name, b"My notes, as plain text.\n")
        with transaction.atomic():
            response = client.post(url, body, content_type=content_type)
            added = list(EvidenceItem.objects.filter(demonstration=journey.draft, kind="file"))
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(f"{label}: server error")
            continue
        if response.status_code == 400:
            if "form-errors" not in response.content.decode() or added:
                failures.append(f"{label}: refused without saying why, or with a row")
            continue
        if len(added) != 1:
            failures.append(f"{label}: {response.status_code} and {len(added)} files")
            continue
        item = added[0]
        stored = Path(item.file.path).resolve()
        shown = item.file_name + item.title
        if media not in stored.parents or not stored.name.split(".")[0].isalnum():
            failures.append(f"{label}: stored at {stored}")
        if any(ch in shown for ch in "/\\\x00\x1b\x07\u202e") or len(item.file_name) > 200:
            failures.append(f"{label}: name kept as {item.file_name!r}")
        if not item.file_name or len(item.title) > 200:
            failures.append(f"{label}: name {item.file_name!r}, title {item.title!r}")
    assert failures == [], "\n".join(failures)
    assert not (media.parent / "x.txt").exists()


# --------------------------------------------------------------------------------------------
# Links no assessor should follow
# --------------------------------------------------------------------------------------------

REFUSED_LINKS = (
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/report.pdf",
    "https://",
    "https:///report",
    "https://?q=1",
    "http:example.org",
    "//example.org/report",
    "example.org/report",
    "https://exa mple.org/",
    "https://example.org/\x00",
    "https://example.org/" + "a" * 600,
    "https://[::1",
    "https://example.org:99999/",
    "\u202ehttps://example.org/",
)
"""Links refused (with the reason) and never stored."""

PRIVATE_LINKS = (
    "http://127.0.0.1/",
    "http://localhost:8000/admin/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
)
"""Links to the assessor's own machine or a private network: never fetched by us."""


def _link_form(url: str) -> dict[str, str]:
    return {
        "kind": "link",
        "link-url": url,
        "link-title": "My report",
        "link-description": "",
        "link-visibility": "public",
    }


def test_hostile_links_are_refused(journey: Journey) -> None:
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:evidence_add")
    before = _snapshot()
    failures = []
    for link in REFUSED_LINKS:
        outcome = attempt(client, url, _link_form(link), before=before)
        failures += _judge(outcome, repr(link[:60]), must_refuse=True)
        if outcome.status == 400 and "https://" not in outcome.page:
            failures.append(f"{link[:60]!r}: the message does not say what a link looks like")
    assert failures == [], "\n".join(failures)


def test_links_to_private_addresses_are_refused(journey: Journey) -> None:
    """An assessor who follows a learner's link must not land on their own machine or their
    network's services (nor the server's: nothing here fetches links, and nothing may)."""
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:evidence_add")
    before = _snapshot()
    failures = []
    for link in PRIVATE_LINKS:
        outcome = attempt(client, url, _link_form(link), before=before)
        failures += _judge(outcome, link, must_refuse=True)
    assert failures == [], "\n".join(failures)


# --------------------------------------------------------------------------------------------
# The supervisor's page: hostile tokens
# --------------------------------------------------------------------------------------------


def _hostile_tokens(valid: str) -> list[str]:
    """Raw path segments (already percent-encoded where they need to be)."""
    return [
        "x",
        "0" * 64,
        valid.upper(),
        valid + "0",
        valid[:-1],
        valid[:-1] + "g",
        quote(" " + valid),
        valid + "%00",
        "%00" * 64,
        "%ED%A0%80" + valid[3:],
        "%FF%FE",
        quote("\u202e") + valid,
        quote("<script>alert(1)</script>", safe=""),
        "a" * 100_000,
        "..%2F..%2Fetc%2Fpasswd",
        valid + "%0D%0ASet-Cookie:x=1",
    ]


def test_hostile_tokens_open_nothing(journey: Journey) -> None:
    client = _client(None)
    valid = attestation_token(journey.attestation)
    before = _snapshot()
    failures = []
    for token in _hostile_tokens(valid):
        path = f"/attest/{token}"
        for method in ("get", "post"):
            data = {"answer": "confirm", "comment": "Yes."}
            outcome = attempt(client, path, data, method=method, before=before)
            if outcome.status not in (404,):
                failures.append(f"{method} {token[:40]}: {outcome.status}")
            if outcome.changed:
                failures.append(f"{method} {token[:40]}: changed {outcome.changed}")
            if "Pat Manager" in outcome.page or journey.submitted.narrative in outcome.page:
                failures.append(f"{method} {token[:40]}: shows the request")
        outcome = attempt(
            client, f"{path}/files/{journey.draft_item.uuid}", before=before, method="get"
        )
        if outcome.status != 404:
            failures.append(f"file {token[:40]}: {outcome.status}")
    assert failures == [], "\n".join(failures)
    # The real link still works.
    assert client.get(f"/attest/{valid}").status_code == 200


def test_a_hostile_answer_keeps_the_link_open(journey: Journey) -> None:
    client = _client(None)
    url = _attest_url(journey)
    for data in (
        {"answer": "dispute", "comment": NUL},
        {"answer": "dispute", "comment": LONG},
        {"answer": "maybe", "comment": "Hmm."},
        {"answer": ["confirm", "dispute", NUL]},
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data.get("answer")
        assert "form-errors" in response.content.decode()
    journey.attestation.refresh_from_db()
    assert journey.attestation.state == Attestation.State.REQUESTED
    assert journey.attestation.comment == ""
    assert not AuditEntry.objects.filter(action="learning.attestation_answer").exists()
    response = client.post(url, {"answer": "confirm", "comment": "They did this work."})
    assert response.status_code == 200
    journey.attestation.refresh_from_db()
    assert journey.attestation.state == Attestation.State.CONFIRMED


# --------------------------------------------------------------------------------------------
# The scoring form: levels that are not the competency's
# --------------------------------------------------------------------------------------------


def _assessment_cases(j: Journey) -> list[tuple[str, dict[str, Any]]]:
    base = _scores(j)
    first, second = j.submission.enrolment.version.competencies.order_by("position", "pk")[:2]
    key, other_key = f"level-{first.pk}", f"level-{second.pk}"
    others_level = str(second.levels.order_by("position").last().pk)
    foreign = str(j.first.levels.order_by("position").first().pk)  # another version's
    valid = base[key]
    return [
        ("a level of another competency", {**base, key: others_level}),
        ("a level of another micro-credential", {**base, key: foreign}),
        ("an unknown level", {**base, key: "999999"}),
        ("a huge level id", {**base, key: "9" * 30}),
        ("a negative level id", {**base, key: "-1"}),
        ("level id zero", {**base, key: "0"}),
        ("a level id with spaces", {**base, key: f" {valid} "}),
        ("a level id as a float", {**base, key: f"{valid}.0"}),
        ("a level id in hex", {**base, key: hex(int(valid))}),
        ("no level", {k: v for k, v in base.items() if k != key}),
        ("no levels at all", {"decision": "revise", "feedback": "x"}),
        ("no decision", {k: v for k, v in base.items() if k != "decision"}),
        ("an unknown decision", {**base, "decision": "award"}),
        ("repeated, the last another's", {**base, key: [valid, others_level]}),
        ("repeated decision, the last unknown", {**base, "decision": ["revise", "award"]}),
        ("array names", {**{k + "[]": v for k, v in base.items()}}),
        ("levels swapped", {**base, key: base[other_key], other_key: base[key]}),
        ("a level for a competency not in the design", {**base, "level-999999": valid}),
        ("revise without feedback", {**base, "feedback": "  "}),
        ("nul feedback", {**base, f"feedback-{first.pk}": NUL}),
        ("long feedback", {**base, "feedback": LONG}),
    ]


def test_hostile_scores_are_refused(journey: Journey) -> None:
    client = _client(journey.world.assessor)
    url = _assess_url(journey)
    before = _snapshot()
    failures = []
    for label, data in _assessment_cases(journey):
        outcome = attempt(client, url, data, before=before)
        if label == "a level for a competency not in the design":
            failures += _judge(outcome, label, must_refuse=False)  # ignored: the rest is right
            continue
        failures += _judge(outcome, label, must_refuse=True)
    assert failures == [], "\n".join(failures)
    # The assessor can still assess it.
    outcome = attempt(client, url, _scores(journey), before=before)
    assert outcome.status == 302
    assert "Assessment" in outcome.changed


# --------------------------------------------------------------------------------------------
# What the learner wrote, shown to others: no script, no javascript: link
# --------------------------------------------------------------------------------------------

MARKDOWN_ATTACK = """Here is what I did.

[click me](javascript:alert(1))
[mixed case](JaVaScRiPt:alert(2))
[entity](&#106;avascript:alert(3))
[tab](java&#9;script:alert(4))
[spaced]( javascript:alert(5) )
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)
[vb](vbscript:msgbox(7))
<a href="javascript:alert(8)">raw link</a>
<a href="&#x6A;avascript:alert(9)">encoded raw link</a>
<script>alert(10)</script>
<img src=x onerror=alert(11)>
![image](javascript:alert(12))
<iframe src="javascript:alert(13)"></iframe>
<svg><a xlink:href="javascript:alert(14)"><text>svg</text></a></svg>
<form action="javascript:alert(15)"><button>go</button></form>
<div style="background:url(javascript:alert(16))" onmouseover="alert(17)">styled</div>
<math><mtext><table><mglyph><style><img src=x onerror=alert(18)></style></mglyph>
</table></mtext></math>
[reference][ref]

[ref]: javascript:alert(19)
"""

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background"}


class _Dangers(HTMLParser):
    """Scripts, event handlers and dangerous links in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self._script = tag == "script"
            if tag != "script" or not any(name == "src" for name, _ in attrs):
                self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            squeezed = "".join(ch for ch in (value or "") if ch.isprintable() and not ch.isspace())
            if name in URL_ATTRIBUTES and squeezed.lower().startswith(DANGEROUS_SCHEMES):
                self.found.append(f"{tag} {name}={value}")
            if name == "style" and "javascript" in (value or "").lower():
                self.found.append(f"{tag} style={value}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert" in data:
            self.found.append(f"script: {data[:40]}")


def _dangers(page: str) -> list[str]:
    parser = _Dangers()
    parser.feed(page)
    return parser.found


def test_the_narrative_is_sanitised_wherever_it_is_shown(journey: Journey) -> None:
    world = journey.world
    version = b.learning_version(world.issuer, title="Hostile Narratives")
    enrolment = b.enrolment(journey.second_learner, version)
    submission = b.submission(enrolment, number=1)
    demonstration = submission.demonstrations.order_by("competency__position").first()
    demonstration.narrative = MARKDOWN_ATTACK
    demonstration.save(update_fields=["narrative"])
    ReflectionAnswer.objects.filter(reflection=submission.reflection).update(answer=MARKDOWN_ATTACK)
    Reflection.objects.filter(pk=submission.reflection_id).update(summary=MARKDOWN_ATTACK)
    attestation = attestation_request(
        actor=journey.second_learner,
        demonstration=demonstration,
        supervisor_name="<script>alert(20)</script>",
        supervisor_email="pat@example.org",
        supervisor_role="[x](javascript:alert(21))",
        message=MARKDOWN_ATTACK,
    )
    token = attestation_token(attestation)
    pages = {
        "the supervisor's page": (_client(None), f"/attest/{token}"),
        "the assessor's page": (
            _client(world.assessor),
            reverse("learning:assess", kwargs={"uuid": submission.uuid}),
        ),
        "the version page (assessor)": (
            _client(world.assessor),
            reverse("learning:demonstration_version", kwargs={"uuid": demonstration.uuid}),
        ),
        "the version page (learner)": (
            _client(journey.second_learner),
            reverse("learning:demonstration_version", kwargs={"uuid": demonstration.uuid}),
        ),
        "the learner's submission": (
            _client(journey.second_learner),
            reverse(
                "learning:submission", kwargs={"slug": enrolment.micro_credential.slug, "number": 1}
            ),
        ),
    }
    baseline = _dangers(_client(None).get("/").content.decode())
    failures = []
    for label, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, label
        page = response.content.decode()
        assert "Here is what I did." in page, f"{label} does not show the narrative"
        failures += [f"{label}: {d}" for d in _dangers(page) if d not in baseline]
    # The supervisor answers with a hostile comment: the learner and the assessor see it safely.
    response = _client(None).post(
        f"/attest/{token}", {"answer": "dispute", "comment": MARKDOWN_ATTACK}
    )
    assert response.status_code == 200
    for label, (client, url) in (
        (
            "the learner's request page",
            (
                _client(journey.second_learner),
                reverse("learning:attestation_request", kwargs={"uuid": demonstration.uuid}),
            ),
        ),
        ("the assessor's page, answered", pages["the assessor's page"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, label
        failures += [
            f"{label}: {d}" for d in _dangers(response.content.decode()) if d not in baseline
        ]
    assert failures == [], "\n".join(failures)


def test_a_hostile_draft_is_shown_safely_to_its_learner(journey: Journey) -> None:
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:demonstration")
    data = {**FORMS["learning:demonstration"].base(journey), "narrative": MARKDOWN_ATTACK}
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    baseline = _dangers(_client(None).get("/").content.decode())
    assert [d for d in _dangers(page) if d not in baseline] == []


# --------------------------------------------------------------------------------------------
# Enrolment windows: dates and times that do not exist or cannot be stored
# --------------------------------------------------------------------------------------------

HOSTILE_MOMENTS = (
    "2026-02-30T09:00",
    "2026-13-01T09:00",
    "2026-01-01T25:00",
    "2026-01-01T09:61",
    "0000-01-01T00:00",
    "99999-01-01T00:00",
    "0001-01-01T00:00",  # the first moment Python knows, before time zones existed
    "9999-12-31T23:59",  # in Toronto: already year 10000 in UTC
    "2026-03-08T02:30",  # Toronto: the clocks skip from 2:00 to 3:00
    "2026-11-01T01:30",  # Toronto: this hour happens twice
    "2026-01-01",
    "T09:00",
    "now",
    "2026-01-01T09:00Z",
    "2026-01-01T09:00+25:00",
    "+002026-01-01T09:00",
    "2026-01-01T09:00:00.0000000001",
    "١٢٣٤-٠١-٠١T09:00",  # Arabic-Indic digits
)


def test_hostile_enrolment_windows(journey: Journey) -> None:
    client = _client(journey.world.tlc_admin)
    url = reverse("learning:enrolment_settings", kwargs={"slug": journey.slug})
    before = _snapshot()
    failures = []
    for moment in HOSTILE_MOMENTS:
        for name in ("opens", "closes"):
            data = {"capacity": "30", "opens": "", "closes": "", name: moment}
            outcome = attempt(client, url, data, before=before)
            failures += _judge(outcome, f"{name}={moment}", must_refuse=False)
            if outcome.status == 302:
                # Stored: the page must show it back.
                page = attempt(client, url, method="get", before=before)
                if page.status >= 500:
                    failures.append(f"{name}={moment}: the settings page fails afterwards")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_the_ends_of_the_calendar_are_refused_or_kept(journey: Journey, moment: str) -> None:
    """Stored, a moment must come back as it was typed (and the catalogue page must show it);
    otherwise it is refused in words."""
    client = _client(journey.world.tlc_admin)
    url = reverse("learning:enrolment_settings", kwargs={"slug": journey.slug})
    response = client.post(url, {"capacity": "", "opens": "", "closes": moment})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "form-errors" in response.content.decode()
        assert journey.version.micro_credential.enrolment_closes is None
        return
    page = client.get(url)
    assert page.status_code == 200
    assert moment in page.content.decode()
    detail = client.get(reverse("catalogue:detail", kwargs={"slug": journey.slug}))
    assert detail.status_code == 200


# --------------------------------------------------------------------------------------------
# Accounts: a hostile profile, export or deletion loses nothing
# --------------------------------------------------------------------------------------------


def test_a_refused_deletion_deletes_nothing(journey: Journey) -> None:
    learner = journey.world.learner
    client = _client(learner)
    url = reverse("accounts:delete")
    for data in (
        {"password": f.PASSWORD + "\x00", "confirmation": "DELETE"},
        {"password": f.PASSWORD, "confirmation": "DELETE\x00"},
        {"password": f.PASSWORD, "confirmation": "D\u0435LETE"},  # a Cyrillic e
        {"password": f.PASSWORD, "confirmation": LONG},
        {"password": LONG, "confirmation": "DELETE"},
        {"password": [f.PASSWORD, "wrong"], "confirmation": "DELETE"},
        {"password": f.PASSWORD},
        {"confirmation": "DELETE"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "form-errors" in response.content.decode()
    learner.refresh_from_db()
    assert learner.is_active
    assert Enrolment.objects.filter(learner=learner).count() == 1
    assert Demonstration.objects.filter(enrolment__learner=learner).count() == 4
    assert not AuditEntry.objects.filter(action__startswith="accounts.").exists()


def test_a_refused_profile_keeps_the_saved_names(journey: Journey) -> None:
    learner = journey.world.learner
    client = _client(learner)
    url = reverse("accounts:profile")
    for data in (
        {"display_name": NUL, "legal_name": "New Name", "preferred_language": ""},
        {"display_name": "New", "legal_name": LONG, "preferred_language": ""},
        {"display_name": "New", "legal_name": "New Name", "preferred_language": "xx"},
        {"display_name": "New", "legal_name": "New Name", "preferred_language": "fr\x00"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "form-errors" in response.content.decode()
        assert "New" in response.content.decode()  # what was typed is kept on the page
    learner.refresh_from_db()
    assert (learner.display_name, learner.legal_name) == ("Sam Learner", "Samantha Learner")


# --------------------------------------------------------------------------------------------
# `mosaics notifications`: hostile arguments are refused in words, never a traceback
# --------------------------------------------------------------------------------------------

HOSTILE_ARGUMENTS: tuple[tuple[str, ...], ...] = (
    (),
    ("",),
    ("sned",),
    ("send\x00",),
    ("SEND",),
    ("send", "status"),
    ("send", "--limit"),
    ("send", "--limit", ""),
    ("send", "--limit", "abc"),
    ("send", "--limit", "1.5"),
    ("send", "--limit", "1e3"),
    ("send", "--limit", "0x10"),
    ("send", "--limit", "\u0661\u0662"),  # Arabic-Indic digits: int() reads them
    ("send", "--limit", "9" * 30),
    ("send", "--limit", str(2**63)),
    ("send", "--limit", "-" + "9" * 30),
    ("send", "--limit", "-5"),
    ("send", "--limit", "0"),
    ("send", "--limit", "5", "--limit", "x"),
    ("send", "--unknown"),
    ("status", "--limit", "9" * 30),
    ("x" * 100_000,),
)


@pytest.mark.parametrize("arguments", HOSTILE_ARGUMENTS, ids=lambda a: repr(a)[:40])
def test_hostile_notification_arguments(arguments: tuple[str, ...]) -> None:
    """Either the command runs (and says what it did) or it is refused with a message; no
    other exception (which the command line would show as a traceback)."""
    out, err = io.StringIO(), io.StringIO()
    message = ""
    try:
        call_command("notifications", *arguments, stdout=out, stderr=err)
    except CommandError as refused:
        message = str(refused)
    if message:
        assert "error" in message.lower()
    else:
        assert out.getvalue().strip()


def test_the_command_line_shows_no_traceback(tmp_path: Path) -> None:
    """Run as people do (`mosaics notifications ...`): a wrong argument is a usage message
    and exit status 2, on a database of its own."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "PYTHONWARNINGS": "ignore",
    }
    for arguments in (("sned",), ("send", "--limit", "abc"), ("send", "--limit", "9" * 30)):
        result = subprocess.run(
            [sys.executable, "-m", "mosaics", "notifications", *arguments],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr[-2000:]
        assert result.returncode != 0, arguments
        assert result.stderr.strip(), arguments


# --------------------------------------------------------------------------------------------
# Bodies too large to read, and the ends of the calendar in a demonstration's setting
# --------------------------------------------------------------------------------------------


def test_a_body_too_large_to_read_changes_nothing(journey: Journey) -> None:
    """More than DATA_UPLOAD_MAX_MEMORY_SIZE of text, or more fields than Django reads: a
    400, never a 500, and the saved draft is as it was."""
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:demonstration")
    base = FORMS["learning:demonstration"].base(journey)
    before = _snapshot()
    big = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    many = {f"field{n}": "x" for n in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    for label, data in (("too large", {**base, "narrative": big}), ("too many", {**base, **many})):
        outcome = attempt(client, url, data, before=before)
        assert outcome.status == 400, label
        assert outcome.changed == [], label


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")]
)
def test_the_ends_of_the_calendar_in_a_setting(journey: Journey, start: str, end: str) -> None:
    client = _client(journey.world.learner)
    url = journey.competency_url("learning:demonstration")
    data = {**FORMS["learning:demonstration"].base(journey), "setting_start": start}
    response = client.post(url, {**data, "setting_end": end})
    assert response.status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{end}"' in page.content.decode()
