"""The framework's quality gates (PRODUCT.md, "the framework as enforced quality gates").

`evaluate()` is shown live on the design page and checked again, under lock, by
`version_publish`: a design cannot be published while any gate fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mosaics.catalogue.models import Version


@dataclass(frozen=True)
class Gate:
    code: str
    label: str
    passed: bool
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}" if self.reason else str(self.label)


def _names(items: list[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


def evaluate(version: Version) -> list[Gate]:
    """Every gate with whether it holds for `version` and, when not, why (in the user's words)."""
    competencies = list(version.competencies.prefetch_related("levels"))
    gates = []

    gates.append(_endorsed(version))

    no_demo = [c.statement for c in competencies if not c.demonstration.strip()]
    if not competencies:
        reason = str(_("Add at least one competency."))
    elif no_demo:
        reason = ngettext(
            "This competency has no demonstration criterion: %(names)s.",
            "These competencies have no demonstration criterion: %(names)s.",
            len(no_demo),
        ) % {"names": _names(no_demo)}
    else:
        reason = ""
    gates.append(
        Gate(
            "demonstration",
            str(_("Every competency is demonstrated in a real setting")),
            not reason,
            reason,
        )
    )

    incomplete = [c.statement for c in competencies if not rubric_complete(c)]
    if not competencies:
        reason = str(_("Add at least one competency with its rubric."))
    elif incomplete:
        reason = ngettext(
            "This competency's rubric is incomplete (at least two described levels and a "
            "passing level): %(names)s.",
            "These competencies' rubrics are incomplete (at least two described levels and a "
            "passing level): %(names)s.",
            len(incomplete),
        ) % {"names": _names(incomplete)}
    else:
        reason = ""
    gates.append(
        Gate("rubric", str(_("Every competency has a complete rubric")), not reason, reason)
    )

    prompts = [p for p in version.reflection_prompts.all() if p.text.strip()]
    gates.append(
        Gate(
            "reflection",
            str(_("Learners reflect on the whole learning process")),
            bool(prompts),
            "" if prompts else str(_("Add at least one reflection prompt.")),
        )
    )

    # Only the issuing institution's own goals count (a goal of another institution could
    # only arrive through a forged form).
    institution = version.micro_credential.issuer.organisation.institution
    aligned = version.goals.filter(institution=institution).exists()
    gates.append(
        Gate(
            "goals",
            str(_("Aligned with the institution's values, strategic plan or digital strategy")),
            aligned,
            "" if aligned else str(_("Choose at least one institutional goal this design serves.")),
        )
    )

    if not version.image:
        reason = str(_("Upload an image for the badge."))
    elif not version.image_alt.strip():
        reason = str(_("Describe the image in its text alternative."))
    else:
        reason = ""
    gates.append(
        Gate("image", str(_("The badge image has a text alternative")), not reason, reason)
    )
    return gates


def _endorsed(version: Version) -> Gate:
    """Passes while an endorsement is in force: current and signed over the design as it is
    now. An endorsement of an earlier state of a draft does not count (the partner did not
    read what would be published), and the reason says so."""
    # Imported here: the endorsements app builds on the catalogue.
    from mosaics.endorsements.actions import endorsements_in_force

    label = str(_("Endorsed by industry"))
    if endorsements_in_force(version).exists():
        return Gate("endorsed", label, True)
    stale = sorted(
        {
            e.request.partner.name
            for e in version.endorsements.current().select_related("request__partner")
        }
    )
    if not stale:
        return Gate(
            "endorsed",
            label,
            False,
            str(_("No industry partner has a current endorsement of this version yet.")),
        )
    reason = ngettext(
        "The design changed after %(partners)s endorsed it, so that endorsement no longer "
        "covers what would be published. %(partners)s must renew their endorsement to "
        "endorse the current content.",
        "The design changed after %(partners)s endorsed it, so those endorsements no longer "
        "cover what would be published. One of them must renew their endorsement to endorse "
        "the current content.",
        len(stale),
    ) % {"partners": _names(stale)}
    return Gate("endorsed", label, False, reason)


def rubric_complete(competency: object) -> bool:
    levels = list(competency.levels.all())  # type: ignore[attr-defined]
    passing = competency.passing_level_id  # type: ignore[attr-defined]
    return (
        len(levels) >= 2
        and all(level.name.strip() and level.description.strip() for level in levels)
        and passing is not None
        and any(level.pk == passing for level in levels)
    )


def failing(version: Version) -> list[Gate]:
    return [gate for gate in evaluate(version) if not gate.passed]
