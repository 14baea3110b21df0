"""The learning pages as the data grows: the same pages at a small and a large database, same run.

    .venv/bin/python bench/learning.py            # 200 and 20,000 submissions (a few minutes)
    .venv/bin/python bench/learning.py --quick    # 200 and 2,000 submissions
    .venv/bin/python bench/learning.py --small 500 --large 50000 --requests 30
    .venv/bin/python bench/learning.py --json figures.json   # the figures as JSON too
    .venv/bin/python bench/learning.py --analyze  # with SQLite's table statistics gathered

On a throwaway SQLite database in a temporary directory (migrated here), with two
institutions, eight micro-credentials of three competencies (six issued by the assessor's
school, two by another institution; every learner takes the first, so it is the big one), one
assessor, and one learner whose own records are the same at both sizes:

* the learner: in the big micro-credential a first attempt returned for revision and a second
  one waiting for assessment (supervisor confirmations on it), one awarded micro-credential
  (with a real signed award), one with drafts only, one on a waiting list;
* everyone else ("the crowd", bulk-created straight with the ORM): enrolments in four
  micro-credentials each, with one or two attempts (submitted, in moderation, met, not met,
  returned, withdrawn), each with a submitted demonstration per competency and its evidence,
  a submitted reflection with its answers, supervisor attestations, assessments and scores,
  spread over four months; one enrolment in 25 is on a waiting list.

The crowd is grown to the small size, the database copied, and the copy grown to the large
size. The same pages are then measured on both databases, signed in with Django's test client,
alternating between the two request by request so that both see the same load:

* the assessor's queue (`learning:queue`) as it opens, and filtered (the big micro-credential,
  every state, older than a week);
* the assessor's page of the learner's waiting submission (`learning:assess`);
* the learner's pathway in the big micro-credential (`learning:enrolment`) and "My learning"
  (`learning:mine`).

For each page at each size: the median of N requests (after two warm-up requests), the number
of database queries (counted on one more request; the target is the same number at both sizes),
the size of the page, and the ratio large/small of the medians — the reference is the same page
at the small size, measured in the same run. Nothing here asserts anything about speed. With
--json, the figures and the SQL of each page's counted request go to a file as well.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/learning.py` from anywhere, without installing
    sys.path.insert(0, str(REPO))

SMALL, LARGE = 200, 20_000
QUICK_LARGE = 2_000
REQUESTS = 20
WARMUP = 2
MICRO_CREDENTIALS = 8
#: The first six micro-credentials are the assessor's school's; the rest another institution's.
OURS = 6
COMPETENCIES = 3
#: Each learner of the crowd takes the big micro-credential and three others.
PER_LEARNER = 4
#: Rows per bulk insert (SQLite's limit on variables per statement is far above this times
#: the widest row).
BATCH = 500
#: The crowd's submissions are spread over this many days.
DAYS = 120


def _setup_django(directory: Path) -> None:
    os.environ["MOSAICS_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mosaics.settings"
    os.environ["TASKS_BACKEND"] = "dummy"
    os.environ["MOSAICS_STAFF_TWO_FACTOR"] = "false"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    # Pages link static files by name: serve them from the apps (no collectstatic here), as
    # the test suite does. Mail goes nowhere.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = directory / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------------


@dataclass
class Scene:
    assessor: Any
    learner: Any
    versions: list[Any]
    #: The learner's submission waiting for assessment (the assess page's).
    submission: Any
    #: Other assessors, who made the crowd's assessments.
    others: list[Any]
    #: The crowd so far.
    learners: int = 0
    enrolments: int = 0
    submissions: int = 0
    #: Learner users made for the crowd whose four enrolments are not all made yet.
    pending: list[tuple[Any, int]] = field(default_factory=list)

    @property
    def big(self) -> Any:
        return self.versions[0]


def scene() -> Scene:
    """The organisations, micro-credentials, staff and the learner whose pages are measured."""
    from django.utils import timezone

    from mosaics.learning.models import Assessment, Attestation, CompetencyScore
    from tests import factories as f
    from tests.learning import builders as b

    institution = f.InstitutionFactory(name="Bench College", slug="bench")
    school = f.SchoolFactory(parent=institution, name="School of Benchmarks", slug="benchmarks")
    issuer = f.IssuerFactory(organisation=school, name="Bench College Issuer", slug="bench-issuer")
    elsewhere = f.SchoolFactory(name="Elsewhere School", slug="elsewhere")
    other_issuer = f.IssuerFactory(organisation=elsewhere, slug="elsewhere-issuer")
    versions = [
        b.learning_version(
            issuer if n < OURS else other_issuer,
            competencies=COMPETENCIES,
            title=f"Bench micro-credential {n + 1}",
        )
        for n in range(MICRO_CREDENTIALS)
    ]
    assessor = f.UserFactory(username="assessor")
    f.MembershipFactory(user=assessor, organisation=school, role="assessor")
    others = []
    for n in range(2):
        other = f.UserFactory(username=f"assessor{n + 2}")
        f.MembershipFactory(user=other, organisation=school, role="assessor")
        others.append(other)
    learner = f.UserFactory(username="learner", email="learner@example.org")

    # The big one: attempt 1 returned for revision, attempt 2 waiting (confirmations on it).
    working = b.enrolment(learner, versions[0])
    first = b.submission(working, state="returned", number=1)
    assessment = Assessment.objects.create(
        submission=first, assessor=others[0], decision="revise", feedback="Show the data set."
    )
    for position, competency in enumerate(working.version.competencies.all()):
        CompetencyScore.objects.create(
            assessment=assessment,
            competency=competency,
            level=competency.levels.order_by("position")[0 if position == 0 else 1],
            feedback="See the rubric.",
        )
    waiting = b.submission(working, state="submitted", number=2)
    now = timezone.now()
    for position, demonstration in enumerate(waiting.demonstrations.order_by("pk")):
        if position < 2:
            Attestation.objects.create(
                demonstration=demonstration,
                supervisor_name="Sam Supervisor",
                supervisor_email="sam@example.org",
                supervisor_role="Manager",
                state="confirmed" if position == 0 else "requested",
                nonce=_hex("subject-nonce", position),
                token_hash=_hex("subject-token", position),
                expires_at=now + timedelta(days=14),
                answered_at=now if position == 0 else None,
            )
    # Awarded, with a real signed award.
    f.with_key(issuer)
    done = b.enrolment(learner, versions[1], state="awarded")
    b.submission(done, state="met")
    done.award = f.award(versions[1], email=learner.email)
    done.save(update_fields=["award"])
    # Drafts only.
    drafting = b.enrolment(learner, versions[2])
    b.demonstration(drafting, versions[2].competencies.first(), submitted=False)
    b.reflection(drafting, submitted=False)
    # On a waiting list (the crowd's waiting enrolments were asked for earlier).
    b.enrolment(learner, versions[3], state="waitlisted")
    return Scene(
        assessor=assessor, learner=learner, versions=versions, submission=waiting, others=others
    )


def _hex(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


#: The latest attempt's state, by enrolment number modulo 20 (and what it makes of the
#: enrolment): 40% waiting, 5% in moderation, 35% met, 10% not met, 10% withdrawn.
def _latest_state(n: int) -> str:
    k = n % 20
    if k < 8:
        return "submitted"
    if k == 8:
        return "in_moderation"
    if k < 16:
        return "met"
    if k < 18:
        return "not_met"
    return "withdrawn"


ENROLMENT_STATE = {"met": "awarded", "not_met": "not_met"}
DECISION = {"returned": "revise", "met": "meets", "not_met": "not_met", "in_moderation": "meets"}


def grow(scene: Scene, total: int) -> None:
    """Adds the crowd's enrolments (and all under them) until the crowd has `total`
    submissions, in batches."""
    while scene.submissions < total:
        _grow_batch(scene, total)


def _grow_batch(scene: Scene, total: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from mosaics.accounts.models import User
    from mosaics.catalogue.models import Competency, ReflectionPrompt, RubricLevel
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

    now = timezone.now()
    competencies = {
        v.pk: list(Competency.objects.filter(version=v).order_by("position", "pk"))
        for v in scene.versions
    }
    levels = {
        c.pk: list(RubricLevel.objects.filter(competency=c).order_by("position", "pk"))
        for cs in competencies.values()
        for c in cs
    }
    prompts = {
        v.pk: list(ReflectionPrompt.objects.filter(version=v).order_by("position", "pk"))
        for v in scene.versions
    }
    password = make_password("bench")

    # Plan the enrolments of this batch: (learner, micro-credential number, attempts).
    plan: list[tuple[Any, int, int]] = []
    planned = 0
    new_users: list[Any] = []
    while planned < min(total - scene.submissions, BATCH) or not plan:
        if not scene.pending:
            n = scene.learners
            user = User(
                username=f"crowd{n}",
                email=f"crowd{n}@example.org",
                first_name="Crowd",
                last_name=f"Learner {n}",
                password=password,
            )
            new_users.append(user)
            scene.pending = [(user, k) for k in range(PER_LEARNER)]
            scene.learners += 1
        user, k = scene.pending.pop(0)
        number = scene.enrolments + len(plan)
        # The big one first, then three of the others (distinct: consecutive modulo 7).
        mc = 0 if k == 0 else 1 + (scene.learners * 3 + k) % (MICRO_CREDENTIALS - 1)
        waitlisted = number % 25 == 24
        attempts = 0 if waitlisted else (2 if number % 4 == 0 else 1)
        plan.append((user, mc, attempts))
        planned += attempts
    User.objects.bulk_create(new_users)
    if scene.learners > 3 and not Conflict.objects.filter(assessor=scene.assessor).exists():
        # The assessor declared conflicts with three of the crowd.
        Conflict.objects.bulk_create(
            Conflict(assessor=scene.assessor, learner_id=pk, reason="Family")
            for pk in User.objects.filter(username__in=["crowd0", "crowd1", "crowd2"]).values_list(
                "pk", flat=True
            )
        )

    enrolments, demos, items, attestations = [], [], [], []
    reflections, answers, submissions, links = [], [], [], []
    assessments, scores = [], []
    for offset, (user, mc, attempts) in enumerate(plan):
        number = scene.enrolments + offset
        version = scene.versions[mc]
        latest = _latest_state(number)
        # Spread over DAYS days in no order, so that the rows added when growing land all
        # over the queue's oldest-first order (and on its first page).
        age = timedelta(days=DAYS * ((number * 7919) % 10007) / 10007)
        asked = now - age - timedelta(days=30)
        enrolment = Enrolment(
            learner=user,
            micro_credential_id=version.micro_credential_id,
            version=version,
            state="waitlisted" if attempts == 0 else ENROLMENT_STATE.get(latest, "active"),
            requested_at=asked,
            enrolled_at=None if attempts == 0 else asked,
            closed_at=now - age if latest in ("met", "not_met") and attempts else None,
        )
        enrolments.append(enrolment)
        for attempt in range(1, attempts + 1):
            state = latest if attempt == attempts else "returned"
            submitted = now - age - timedelta(days=20 * (attempts - attempt))
            reflection = Reflection(
                enrolment=enrolment,
                number=attempt,
                state="submitted",
                summary="I learned to turn raw data into a decision.",
                share_summary=True,
                submitted_at=submitted,
            )
            reflections.append(reflection)
            answers.extend(
                ReflectionAnswer(reflection=reflection, prompt=p, answer=f"My answer to: {p.text}")
                for p in prompts[version.pk]
            )
            submission = Submission(
                enrolment=enrolment,
                number=attempt,
                state=state,
                reflection=reflection,
                submitted_at=submitted,
                decided_at=None if state in ("submitted", "in_moderation") else submitted,
            )
            submissions.append(submission)
            mine = []
            for position, competency in enumerate(competencies[version.pk]):
                demo = Demonstration(
                    enrolment=enrolment,
                    competency=competency,
                    number=attempt,
                    state="submitted",
                    narrative="I cleaned the sales data and presented the trend to the team.",
                    setting_organisation="Prairie Analytics",
                    setting_role="Analyst intern",
                    setting_kind="industry",
                    submitted_at=submitted,
                )
                demos.append(demo)
                mine.append(demo)
                for i in range(2 if (number + position) % 3 == 0 else 1):
                    items.append(
                        EvidenceItem(
                            demonstration=demo,
                            position=i,
                            kind="link",
                            title="Project report",
                            url="https://example.org/report",
                            visibility="public",
                        )
                    )
                if position == 0 and number % 3 != 2:
                    confirmed = number % 3 == 0
                    attestations.append(
                        Attestation(
                            demonstration=demo,
                            supervisor_name="Sam Supervisor",
                            supervisor_email="sam@example.org",
                            supervisor_role="Manager",
                            state="confirmed" if confirmed else "requested",
                            nonce=_hex("nonce", number, attempt),
                            token_hash=_hex("token", number, attempt),
                            requested_at=submitted,
                            expires_at=submitted + timedelta(days=14),
                            answered_at=submitted if confirmed else None,
                        )
                    )
            links.append((submission, mine))
            if state in DECISION:
                decided = [(scene.others[0], "first", DECISION[state])]
                if state == "met" and number % 20 == 15:
                    decided.append((scene.others[1], "moderation", "meets"))
                for assessor, stage, decision in decided:
                    assessment = Assessment(
                        submission=submission,
                        stage=stage,
                        assessor=assessor,
                        decision=decision,
                        feedback="Clear and well evidenced.",
                    )
                    assessments.append(assessment)
                    for position, competency in enumerate(competencies[version.pk]):
                        rubric = levels[competency.pk]
                        level = rubric[
                            0 if decision != "meets" and position == 0 else 1 + (number % 2)
                        ]
                        scores.append(
                            CompetencyScore(
                                assessment=assessment, competency=competency, level=level
                            )
                        )

    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    Demonstration.objects.bulk_create(demos, batch_size=BATCH)
    EvidenceItem.objects.bulk_create(items, batch_size=BATCH)
    Attestation.objects.bulk_create(attestations, batch_size=BATCH)
    Reflection.objects.bulk_create(reflections, batch_size=BATCH)
    ReflectionAnswer.objects.bulk_create(answers, batch_size=BATCH)
    Submission.objects.bulk_create(submissions, batch_size=BATCH)
    Through = Submission.demonstrations.through
    Through.objects.bulk_create(
        (Through(submission=s, demonstration=d) for s, ds in links for d in ds), batch_size=BATCH
    )
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    CompetencyScore.objects.bulk_create(scores, batch_size=BATCH)
    scene.enrolments += len(enrolments)
    scene.submissions += len(submissions)


def counts() -> dict[str, int]:
    """Rows in the tables the pages read."""
    from mosaics.accounts.models import User
    from mosaics.learning.models import (
        Assessment,
        Attestation,
        Demonstration,
        Enrolment,
        EvidenceItem,
        Submission,
    )

    return {
        "submissions": Submission.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "people": User.objects.count(),
        "demonstrations": Demonstration.objects.count(),
        "evidence items": EvidenceItem.objects.count(),
        "attestations": Attestation.objects.count(),
        "assessments": Assessment.objects.count(),
    }


# --------------------------------------------------------------------------------------------
# The measurement
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # "assessor" or "learner"
    url: str


def pages(scene: Scene) -> list[Page]:
    from django.urls import reverse

    slug = scene.big.micro_credential.slug
    queue = reverse("learning:queue")
    return [
        Page("assessor queue", "assessor", queue),
        Page(
            "assessor queue, filtered",
            "assessor",
            f"{queue}?micro_credential={scene.big.micro_credential_id}&state=all&age=7",
        ),
        Page(
            "assess one submission",
            "assessor",
            reverse("learning:assess", kwargs={"uuid": scene.submission.uuid}),
        ),
        Page("learner's pathway", "learner", reverse("learning:enrolment", kwargs={"slug": slug})),
        Page("my learning", "learner", reverse("learning:mine")),
    ]


def clients(scene: Scene) -> dict[str, Any]:
    from django.test import Client

    signed_in = {}
    for who in ("assessor", "learner"):
        # `localhost` is an allowed host without the test runner's environment (which would
        # also instrument template rendering and slow every page down).
        client = Client(SERVER_NAME="localhost")
        client.force_login(getattr(scene, who))
        signed_in[who] = client
    return signed_in


def _database_copy(path: Path) -> Any:
    """A copy of the database as it is now, at `path` (SQLite's backup: safe with WAL), and a
    second connection to it (an open `DatabaseWrapper` for the alias "default")."""
    from django.db import connections
    from django.db.utils import load_backend

    current = connections["default"]
    current.ensure_connection()
    target = sqlite3.connect(path)
    try:
        current.connection.backup(target)
    finally:
        target.close()
    settings = {**current.settings_dict, "NAME": str(path)}
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    wrapper.ensure_connection()
    return wrapper


def _using(wrapper: Any) -> None:
    """Makes `wrapper` the default database of this thread (pages, ORM, everything)."""
    from django.db import connections

    connections["default"] = wrapper


def measure(
    scene: Scene, requests: int, signed_in: dict[str, Any], databases: dict[str, Any]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each page on each database: two warm-up requests, one counting the queries, then
    `requests` timed ones, alternating between the databases request by request (so both see
    the same load on a busy machine)."""
    from django.db import connection

    results: dict[str, dict[str, dict[str, Any]]] = {size: {} for size in databases}
    for page in pages(scene):
        client = signed_in[page.who]

        def get(page: Page = page, client: Any = client) -> Any:
            response = client.get(page.url)
            if response.status_code != 200:
                raise RuntimeError(f"{page.name}: {page.url} answered {response.status_code}")
            return response

        times: dict[str, list[float]] = {size: [] for size in databases}
        for size, wrapper in databases.items():
            _using(wrapper)
            for _ in range(WARMUP):
                get()
            # Counted with an execute wrapper: the query log is emptied when a request starts.
            statements: list[str] = []

            def count(
                execute: Any,
                sql: str,
                params: Any,
                many: bool,
                context: Any,
                into: Any = statements,
            ) -> Any:
                into.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                response = get()
            results[size][page.name] = {
                "url": page.url,
                "queries": len(statements),
                "bytes": len(response.content),
                "sql": statements,
            }
        order = list(databases.items())
        for n in range(requests):
            for size, wrapper in order if n % 2 == 0 else reversed(order):
                _using(wrapper)
                start = time.perf_counter()
                get()
                times[size].append(time.perf_counter() - start)
        for size, measured in times.items():
            results[size][page.name].update(
                median_ms=statistics.median(measured) * 1000,
                min_ms=min(measured) * 1000,
                requests=requests,
            )
    return results


def run(
    small: int,
    large: int,
    requests: int,
    directory: Path,
    progress: Callable[[str], None] | None = None,
    *,
    analyze: bool = False,
) -> dict[str, Any]:
    """Builds the scene, grows the crowd to `small` submissions, copies the database, grows
    the copy to `large`, and measures the pages on both databases, alternately. The figures, as
    a dictionary."""
    from django.db import connections

    say = progress or (lambda message: None)
    say("… the scene")
    the_scene = scene()
    signed_in = clients(the_scene)  # their sessions are in both databases
    say(f"… {small:,} submissions")
    start = time.perf_counter()
    grow(the_scene, small)
    built_small = time.perf_counter() - start
    rows_small = counts()
    databases = {"small": connections["default"]}
    databases["large"] = _database_copy(directory / "large.sqlite3")
    _using(databases["large"])
    say(f"… {large:,} submissions (a copy of the small database, grown)")
    start = time.perf_counter()
    grow(the_scene, large)
    built_large = time.perf_counter() - start
    rows_large = counts()
    if analyze:
        for wrapper in databases.values():
            with wrapper.cursor() as cursor:
                cursor.execute("ANALYZE")
    say("… measuring both, alternately")
    measured = measure(the_scene, requests, signed_in, databases)
    _using(databases["small"])
    databases["large"].close()
    first = {"crowd_submissions": small, "rows": rows_small, "build_seconds": built_small}
    second = {"crowd_submissions": large, "rows": rows_large, "build_seconds": built_large}
    first["pages"], second["pages"] = measured["small"], measured["large"]
    comparison = {}
    for name, at_small in first["pages"].items():
        at_large = second["pages"][name]
        comparison[name] = {
            "ratio": at_large["median_ms"] / at_small["median_ms"],
            "same_queries": at_large["queries"] == at_small["queries"],
        }
    return {
        "python_version": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "requests": requests,
        "analyze": analyze,
        "small": first,
        "large": second,
        "comparison": comparison,
    }


def table(report: dict[str, Any]) -> str:
    small, large = report["small"], report["large"]
    rows_small, rows_large = small["rows"], large["rows"]
    lines = [
        "Mosaics learning pages bench: the same pages at two sizes of the database "
        f"(median of {report['requests']} requests each)",
        f"Python {report['python_version']}, SQLite "
        f"({'with' if report['analyze'] else 'without'} table statistics: ANALYZE "
        f"{'run' if report['analyze'] else 'never run'}), {report['cpus']} CPUs, load average "
        f"at the end {report['load_average']}",
        "",
        f"{'rows':<20}{'small':>10}{'large':>10}",
    ]
    lines += [f"{name:<20}{rows_small[name]:>10,}{rows_large[name]:>10,}" for name in rows_small]
    header = (
        f"{'page':<28}{'ms small':>10}{'ms large':>10}{'large/small':>13}"
        f"{'queries':>10}{'queries':>10}{'KB':>8}{'KB':>8}"
    )
    sub = f"{'':<28}{'(median)':>10}{'(median)':>10}{'':>13}{'small':>10}{'large':>10}"
    sub += f"{'small':>8}{'large':>8}"
    lines += ["", header, sub, "-" * len(header)]
    for name, comparison in report["comparison"].items():
        s, g = small["pages"][name], large["pages"][name]
        flag = "" if comparison["same_queries"] else "  <- query count grows with the data"
        lines.append(
            f"{name:<28}{s['median_ms']:>10.1f}{g['median_ms']:>10.1f}"
            f"{comparison['ratio']:>12.2f}x{s['queries']:>10}{g['queries']:>10}"
            f"{s['bytes'] / 1024:>8.1f}{g['bytes'] / 1024:>8.1f}{flag}"
        )
    same = all(c["same_queries"] for c in report["comparison"].values())
    lines += [
        "",
        "large/small: the page at the large size against the same page at the small size "
        "(1.00x = flat).",
        "Query counts: "
        + ("the same at both sizes for every page." if same else "NOT the same at both sizes."),
        f"Built in {small['build_seconds']:.1f} s (small) and {large['build_seconds']:.1f} s "
        "(growing a copy to large); measured alternately, request by request.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{SMALL:,} and {QUICK_LARGE:,} submissions"
    )
    parser.add_argument("--small", type=int, help=f"submissions at the small size ({SMALL:,})")
    parser.add_argument("--large", type=int, help=f"submissions at the large size ({LARGE:,})")
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help=f"timed requests per page ({REQUESTS})"
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run SQLite's ANALYZE on both databases before measuring (Mosaics never does)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args(argv)
    small = args.small or SMALL
    large = args.large or (QUICK_LARGE if args.quick else LARGE)
    if not 1 <= small < large <= 1_000_000:
        parser.error("sizes must satisfy 1 <= --small < --large <= 1000000")
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    with tempfile.TemporaryDirectory(prefix="mosaics-bench-learning-") as directory:
        _setup_django(Path(directory))
        report = run(
            small,
            large,
            args.requests,
            Path(directory),
            lambda m: print(m, file=sys.stderr, flush=True),
            analyze=args.analyze,
        )
        from django.db import connections

        connections.close_all()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), "utf-8")
    print(table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
