"""The demo's content, as data: a Canadian college, its schools and partners, the people who
work there, and the micro-credentials they design. `mosaics.core.demo` turns it into records
through the platform's own workflows (nothing here touches the database).

The skills-framework alignments point at real entries: ESCO skills by their concept URI,
O*NET-SOC 2019 occupations and Canadian NOC 2021 unit groups by code. Where no framework entry
fits exactly, a competency is aligned with the college's own graduate attributes instead.
Web sites and e-mail addresses use reserved names (`.example`, `.test`): nothing here reaches
a real organisation or person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- organisations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    slug: str
    name: str
    description: str
    url: str
    email: str
    sector: str = ""


@dataclass(frozen=True)
class Profile:
    """An issuer profile (for a school) or an endorser profile (for a partner)."""

    organisation: str  # Org.slug
    slug: str
    name: str
    description: str
    url: str
    email: str


INSTITUTION = Org(
    "northern-lights",
    "Northern Lights College",
    "A public college serving communities across northern Canada, with campuses, online "
    "programs and work-integrated learning in partnership with local employers and "
    "community organisations.",
    "https://northern-lights.example/",
    "tlc@northern-lights.example",
)
SCHOOLS = (
    Org(
        "nlc-business-data",
        "School of Business and Data",
        "Programs in business administration, accounting and data analytics.",
        "https://northern-lights.example/business-data/",
        "business-data@northern-lights.example",
    ),
    Org(
        "nlc-health-community",
        "School of Health and Community Services",
        "Programs in health care, community support and social services.",
        "https://northern-lights.example/health-community/",
        "health-community@northern-lights.example",
    ),
)
PARTNERS = (
    Org(
        "prairie-analytics",
        "Prairie Analytics Co-operative",
        "A worker-owned data analytics co-operative serving agriculture, municipalities and "
        "non-profits across the Prairies.",
        "https://prairie-analytics.example/",
        "partners@prairie-analytics.example",
        sector="Data analytics",
    ),
    Org(
        "northbridge-health",
        "Northbridge Community Health Network",
        "A network of community health centres, outreach teams and clinics in northern "
        "communities.",
        "https://northbridge-health.example/",
        "education@northbridge-health.example",
        sector="Community health",
    ),
)
ISSUERS = (
    Profile(
        "nlc-business-data",
        "nlc-business-data",
        "Northern Lights College",
        "Issues the School of Business and Data's micro-credentials and certificates.",
        "https://northern-lights.example/business-data/",
        "credentials@northern-lights.example",
    ),
    Profile(
        "nlc-health-community",
        "nlc-health-community",
        "Northern Lights College",
        "Issues the School of Health and Community Services' micro-credentials.",
        "https://northern-lights.example/health-community/",
        "credentials@northern-lights.example",
    ),
)
ENDORSERS = (
    Profile(
        "prairie-analytics",
        "prairie-analytics",
        "Prairie Analytics Co-operative",
        "Endorses learning that prepares people for data analytics work.",
        "https://prairie-analytics.example/",
        "partners@prairie-analytics.example",
    ),
    Profile(
        "northbridge-health",
        "northbridge-health",
        "Northbridge Community Health Network",
        "Endorses learning that prepares people for community health and social services.",
        "https://northbridge-health.example/",
        "education@northbridge-health.example",
    ),
)


@dataclass(frozen=True)
class Goal:
    category: str  # InstitutionalGoal.Category value
    code: str
    title: str
    description: str


GOALS = (
    Goal(
        "value",
        "V1",
        "Indigenous ways of knowing",
        "Learning honours Indigenous knowledge, relationships and the land, in partnership "
        "with the First Nations and Métis communities the college serves.",
    ),
    Goal(
        "value",
        "V2",
        "Learner well-being and belonging",
        "Every learner is welcomed, supported and safe to learn.",
    ),
    Goal(
        "strategic_plan",
        "SP1",
        "Work-integrated learning for every learner",
        "Every program includes learning in a real workplace or community setting.",
    ),
    Goal(
        "strategic_plan",
        "SP2",
        "Partnerships with northern employers",
        "Programs are shaped with the employers and organisations that hire our graduates.",
    ),
    Goal(
        "digital_learning",
        "DL1",
        "Digital fluency",
        "Learners and staff use digital tools confidently, critically and safely.",
    ),
    Goal(
        "digital_learning",
        "DL2",
        "Flexible online and blended access",
        "Learning reaches people where they live, online or blended, at their own pace.",
    ),
)

# --- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: str  # as printed by `mosaics demo`
    memberships: tuple[tuple[str, str], ...] = ()  # (organisation slug, Role value)

    @property
    def email(self) -> str:
        return f"{self.username}@mosaics.test"


PEOPLE = (
    Person(
        "tlc",
        "Tamara",
        "Lachance",
        "institution admin (Teaching & Learning Centre)",
        (("northern-lights", "institution_admin"),),
    ),
    Person(
        "designer",
        "Devon",
        "Singh",
        "designer, School of Business and Data",
        (("nlc-business-data", "designer"),),
    ),
    Person(
        "designer2",
        "Marie",
        "Tremblay",
        "designer, School of Health and Community Services",
        (("nlc-health-community", "designer"),),
    ),
    Person(
        "reviewer",
        "Rosa",
        "Whitehorse",
        "framework reviewer",
        (("northern-lights", "reviewer"),),
    ),
    Person("assessor", "Andrew", "Okafor", "assessor", (("northern-lights", "assessor"),)),
    Person(
        "endorser",
        "Emma",
        "Nakamura",
        "endorser, Prairie Analytics Co-operative",
        (("prairie-analytics", "endorser"),),
    ),
    Person(
        "endorser2",
        "Liam",
        "Cardinal",
        "endorser, Northbridge Community Health Network",
        (("northbridge-health", "endorser"),),
    ),
    Person("learner", "Lena", "Martin", "learner"),
    Person("learner2", "Noah", "Bergeron", "learner who completed a pathway"),
    # The learner's journey (`JOURNEYS` below): one learner at each stage of it.
    Person("learner-new", "Jamie", "Fontaine", "learner, just enrolled"),
    Person("learner-waitlist", "Omar", "Haddad", "learner on a waiting list"),
    Person("learner-draft", "Chloé", "Gagnon", "learner with draft demonstrations"),
    Person("learner-attest", "Ethan", "Moreau", "learner asking supervisors to confirm work"),
    Person("learner-waiting", "Grace", "Liu", "learner waiting for assessment"),
    Person("learner-revised", "Hugo", "Lambert", "learner who revised and resubmitted"),
    Person("learner-met", "Isabelle", "Nguyen", "learner awarded by assessment; prior learning"),
    Person("learner-notmet", "Jacob", "Wong", "learner who did not meet the criteria"),
    Person("learner-moderation", "Amara", "Osei", "learner whose submission is in moderation"),
    Person("learner-conflict", "Mateo", "Silva", "learner the assessor has a conflict with"),
)

# --- designs -----------------------------------------------------------------------------

# The four performance levels every demo rubric uses, lowest first; Proficient passes.
LEVELS = ("Beginning", "Developing", "Proficient", "Exemplary")
PASSING_LEVEL = "Proficient"


def esco(uuid: str, name: str) -> tuple[str, str, str, str]:
    return ("ESCO", name, f"http://data.europa.eu/esco/skill/{uuid}", "")


def onet(code: str, name: str) -> tuple[str, str, str, str]:
    return ("O*NET", name, f"https://www.onetonline.org/link/summary/{code}", code)


def noc(code: str, name: str) -> tuple[str, str, str, str]:
    url = (
        "https://noc.esdc.gc.ca/Structure/NOCProfile"
        f"?GocTemplateCulture=en-CA&code={code}&version=2021.0"
    )
    return ("NOC", name, url, code)


def attribute(code: str, name: str) -> tuple[str, str, str, str]:
    """One of the college's own graduate attributes."""
    url = f"https://northern-lights.example/graduate-attributes/{code.lower()}"
    return ("institution", name, url, code)


@dataclass(frozen=True)
class CompetencySpec:
    statement: str
    demonstration: str
    # What each level looks like, lowest first (one per LEVELS entry).
    rubric: tuple[str, str, str, str]
    # (framework, skill or occupation, URL, code)
    alignments: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class Endorse:
    partner: str  # Org.slug
    message: str
    question: str  # the partner's question in the conversation
    answer: str  # the designer's answer ("" while the partner is still reviewing)
    statement: str  # the endorsement statement ("" while the partner is still reviewing)


@dataclass(frozen=True)
class DesignSpec:
    slug: str
    title: str
    issuer: str  # Profile.slug
    designer: str  # Person.username
    state: str  # what the demo leaves it in: published, draft, submitted, changes_requested
    summary: str = ""
    description: str = ""
    criteria: str = ""
    estimated_hours: int | None = None
    delivery_mode: str = ""
    level: str = ""
    credits_available: str | None = None
    field_of_study: str = ""
    human_code: str = ""
    tags: tuple[str, ...] = ()
    validity_months: int | None = None
    prerequisites: str = ""
    image: str = ""  # file in mosaics/core/static/mosaics/demo/
    image_alt: str = ""
    goals: tuple[str, ...] = ()  # Goal.code
    competencies: tuple[CompetencySpec, ...] = ()
    prompts: tuple[str, ...] = ()
    endorse: Endorse | None = None
    approval: str = ""
    changes_requested: str = ""
    # For the design with a history: what version 2 changes before it is published.
    next_version: dict[str, object] = field(default_factory=dict)
    next_endorse: Endorse | None = None


STATS = DesignSpec(
    slug="statistical-analysis-software",
    title="Statistical Analysis Software",
    issuer="nlc-business-data",
    designer="designer",
    state="published",
    summary=(
        "Clean a real data set, choose and run the right statistical test in R or SPSS, and "
        "explain the results to the people who must act on them."
    ),
    description=(
        "Organisations collect more data than they can use. In this micro-credential you "
        "work with a data set from a partner organisation, from the raw export to a short "
        "report its managers can act on.\n\n"
        "You will:\n\n"
        "- prepare and document a data set so that someone else can repeat your work;\n"
        "- choose a statistical test that fits the question and the data, and run it in "
        "R or SPSS;\n"
        "- report what the results mean — and what they do not — in plain language.\n\n"
        "Weekly online workshops are paired with a project for **Prairie Analytics "
        "Co-operative** or another partner."
    ),
    criteria=(
        "Complete the partner project and show each competency at the **Proficient** level "
        "or above, as judged by an assessor using the rubric. Submit a reflection on how your "
        "approach changed during the project."
    ),
    estimated_hours=40,
    delivery_mode="blended",
    level="intermediate",
    credits_available="1.5",
    field_of_study="Data analytics",
    human_code="DATA-1105",
    tags=("statistics", "R", "SPSS", "data cleaning", "data analytics"),
    validity_months=60,
    prerequisites="Grade 12 mathematics or equivalent; comfortable with spreadsheets.",
    image="statistical-analysis-software.svg",
    image_alt=(
        "Statistical Analysis Software badge: nine blue and green mosaic tiles above the "
        "title, on a white square with rounded corners."
    ),
    goals=("SP1", "DL1"),
    competencies=(
        CompetencySpec(
            "Prepare and clean a data set",
            "Take a partner organisation's raw export, find and fix missing values, duplicates "
            "and inconsistent codes, and document every change in a reproducible script.",
            (
                "Finds some problems in the data but fixes them by hand, without a record.",
                "Fixes the obvious problems; the record of changes has gaps.",
                "Finds and fixes the problems that matter, in a script another analyst can "
                "rerun; every change is documented.",
                "Also checks the cleaned data against the source and explains the choices "
                "that could change the results.",
            ),
            (
                esco("1b70a55d-b8a4-49fc-96c6-15ab4cff2522", "use data processing techniques"),
                noc("21223", "Database analysts and data administrators"),
            ),
        ),
        CompetencySpec(
            "Choose and run an appropriate statistical test",
            "For the partner's question, choose a test whose assumptions the data meet, run it "
            "in R or SPSS, and check the assumptions afterwards.",
            (
                "Runs a test without checking whether it fits the question or the data.",
                "Chooses a reasonable test but does not check its assumptions.",
                "Chooses a test that fits the question and the data, runs it correctly and "
                "checks its assumptions.",
                "Also compares the result with an alternative method and explains any difference.",
            ),
            (
                esco(
                    "382c11ed-20d5-4ae7-b60e-15fec527fa6c",
                    "apply statistical analysis techniques",
                ),
                onet("15-2041.00", "Statisticians"),
                noc("21210", "Mathematicians, statisticians and actuaries"),
            ),
        ),
        CompetencySpec(
            "Report results to a non-specialist audience",
            "Write a two-page brief and give a ten-minute presentation to the partner's "
            "managers: what was found, how sure we can be, and what they could do next.",
            (
                "Reports numbers without saying what they mean for the reader.",
                "Explains the main result, but with jargon or without its uncertainty.",
                "Explains the result, its uncertainty and its limits in plain language, with "
                "one clear recommendation.",
                "Adapts the message to each audience and answers questions with confidence "
                "and honesty about what the data cannot show.",
            ),
            (
                esco("be20d05c-f6b4-4580-9fcf-f00f4baab562", "make data-driven decisions"),
                attribute("GA-3", "Communicates clearly with diverse audiences"),
            ),
        ),
    ),
    prompts=(
        "Which decision in cleaning the data was hardest, and what would you do differently "
        "next time?",
        "How did talking with the partner change the question you set out to answer?",
    ),
    endorse=Endorse(
        "prairie-analytics",
        "We would value your review of this micro-credential: it was designed with your "
        "analysts' feedback from last year's projects.",
        "Will learners work with messy real-world exports, or only with prepared teaching "
        "data sets?",
        "With real exports: each learner cleans a de-identified export from a partner "
        "project, and the cleaning script is assessed.",
        "Prairie Analytics Co-operative endorses this micro-credential. Graduates can clean "
        "real data, choose sound methods and explain their results to our clients — the "
        "skills we look for when we hire junior analysts.",
    ),
    approval="Meets the framework: every competency is demonstrated in a partner project.",
)

DATAVIZ = DesignSpec(
    slug="data-visualisation-for-decision-making",
    title="Data Visualisation for Decision-Making",
    issuer="nlc-business-data",
    designer="designer",
    state="published",
    summary=(
        "Design charts and dashboards that help people make decisions, and test them with "
        "the people who use them."
    ),
    description=(
        "A good chart answers a question at a glance. You will design visualisations and a "
        "small dashboard for a partner's real decision, make them accessible (colour, text "
        "alternatives, plain labels), and test them with their users."
    ),
    criteria=(
        "Deliver a dashboard for a partner's decision and show each competency at the "
        "Proficient level or above."
    ),
    estimated_hours=30,
    delivery_mode="online",
    level="introductory",
    credits_available="1.0",
    field_of_study="Data analytics",
    human_code="DATA-1210",
    tags=("data visualisation", "dashboards", "accessibility", "data analytics"),
    validity_months=60,
    image="data-visualisation.svg",
    image_alt=(
        "Data Visualisation for Decision-Making badge: nine purple and lilac mosaic tiles "
        "above the title."
    ),
    goals=("DL1", "DL2"),
    competencies=(
        CompetencySpec(
            "Choose a visual form that fits the question",
            "For a partner's decision, sketch three options and justify the one chosen with "
            "the people who will use it.",
            (
                "Uses the default chart of the tool, whatever the question.",
                "Chooses a suitable chart type but clutters it.",
                "Chooses a form that answers the question at a glance and removes clutter.",
                "Also shows how the choice was tested and improved with its users.",
            ),
            (esco("c0326e27-5fa8-4dca-aecb-ed89ab491513", "prepare visual data"),),
        ),
        CompetencySpec(
            "Build an accessible dashboard",
            "Build a dashboard that works for people using screen readers or who do not "
            "see colour differences, and test it with a partner's staff.",
            (
                "The dashboard relies on colour alone and has no text alternatives.",
                "Some charts have text alternatives; colour is still needed to read others.",
                "Every chart can be read without colour and has a text alternative; labels "
                "are plain.",
                "Also documents the accessibility checks and fixes what users reported.",
            ),
            (
                esco(
                    "1d6c7de4-350e-4868-a47b-333b4b0d9650",
                    "evaluate data, information and digital content",
                ),
                onet("15-2051.00", "Data Scientists"),
                noc("21211", "Data scientists"),
            ),
        ),
    ),
    prompts=("Which feedback from the people who used your dashboard surprised you most?",),
    endorse=Endorse(
        "prairie-analytics",
        "This is the companion to Statistical Analysis Software; we would welcome your "
        "endorsement of it too.",
        "Do learners design for accessibility from the start?",
        "Yes: accessibility is its own competency with a rubric, tested with users.",
        "We endorse this micro-credential: clear, accessible dashboards are what our "
        "municipal and non-profit clients ask for most.",
    ),
    approval="Approved. The accessibility competency is a model for other designs.",
)

SPREADSHEETS = DesignSpec(
    slug="spreadsheet-modelling",
    title="Spreadsheet Modelling",
    issuer="nlc-business-data",
    designer="designer",
    state="published",
    summary="Build, check and explain spreadsheet models for budgets and forecasts.",
    description=(
        "Spreadsheets run much of the world's business. You will build a forecasting model "
        "for a small organisation, check it for errors and explain its assumptions."
    ),
    criteria="Build and present a model for a partner organisation, assessed with the rubric.",
    estimated_hours=20,
    delivery_mode="online",
    level="introductory",
    credits_available="0.5",
    field_of_study="Business administration",
    human_code="BUSN-1150",
    tags=("spreadsheets", "forecasting", "budgets"),
    validity_months=36,
    image="spreadsheet-modelling.svg",
    image_alt="Spreadsheet Modelling badge: nine green mosaic tiles above the title.",
    goals=("DL1",),
    competencies=(
        CompetencySpec(
            "Build a spreadsheet model with clear inputs and outputs",
            "Build a twelve-month cash-flow forecast for a partner organisation, with inputs, "
            "calculations and outputs kept apart.",
            (
                "Mixes inputs and formulas; the model breaks when an input changes.",
                "Separates inputs, but formulas are hard to follow.",
                "Inputs, calculations and outputs are kept apart and formulas are readable.",
                "Also includes checks that flag errors and a short guide for the next user.",
            ),
            (
                esco("1973c966-f236-40c9-b2d4-5d71a89019be", "use spreadsheets software"),
                noc("11101", "Financial and investment analysts"),
            ),
        ),
        CompetencySpec(
            "Forecast with stated assumptions",
            "Present the forecast to the partner with its assumptions and a best and worst case.",
            (
                "Presents one number without its assumptions.",
                "States the assumptions but does not test them.",
                "States and tests the assumptions with a best and a worst case.",
                "Also shows which assumption matters most and how to monitor it.",
            ),
            (esco("be727774-46d7-43d7-aee9-1a51b5cd8c71", "carry out statistical forecasts"),),
        ),
    ),
    prompts=("What did building the model teach you about the organisation's finances?",),
    endorse=Endorse(
        "prairie-analytics",
        "Would Prairie Analytics endorse our spreadsheet modelling micro-credential?",
        "Are the models checked for errors by someone other than the learner?",
        "Yes: learners swap models and review each other's before the assessor does.",
        "We endorse Spreadsheet Modelling: its graduates build models we can trust and explain.",
    ),
    approval="Approved against the framework.",
    next_version={
        "summary": (
            "Build, check and explain spreadsheet models for budgets and forecasts, with "
            "scenario analysis."
        ),
        "estimated_hours": 24,
        "credits_available": "0.75",
        "tags": ["spreadsheets", "forecasting", "budgets", "scenario analysis"],
        "prompt": "How would you explain your model's weakest assumption to a board member?",
        # A second assessor confirms every "meets" decision (the demo's moderation).
        "second_assessor_required": True,
    },
    next_endorse=Endorse(
        "prairie-analytics",
        "Version 2 adds scenario analysis; please review the changes.",
        "Is the scenario analysis assessed on its own?",
        "It is part of the forecasting competency: a best and a worst case are required.",
        "We endorse version 2 of Spreadsheet Modelling; scenario analysis makes it more "
        "useful to employers.",
    ),
)

TRAUMA = DesignSpec(
    slug="trauma-informed-community-practice",
    title="Trauma-Informed Community Practice",
    issuer="nlc-health-community",
    designer="designer2",
    state="published",
    summary=(
        "Recognise the effects of trauma and work in ways that build safety, trust and choice "
        "with the people you serve."
    ),
    description=(
        "Many people who use community services have lived through trauma, including the "
        "intergenerational effects of residential schools. This micro-credential prepares "
        "front-line workers to recognise trauma responses, avoid re-traumatising people and "
        "take care of themselves, guided by Elders and community partners."
    ),
    criteria=(
        "Complete a supervised community placement and show each competency at the "
        "Proficient level or above."
    ),
    estimated_hours=35,
    delivery_mode="work_integrated",
    level="introductory",
    credits_available="1.0",
    field_of_study="Community and social services",
    human_code="CMHS-1120",
    tags=("trauma-informed care", "community services", "cultural safety"),
    validity_months=36,
    image="trauma-informed-practice.svg",
    image_alt=(
        "Trauma-Informed Community Practice badge: nine orange and amber mosaic tiles above "
        "the title."
    ),
    goals=("V1", "V2", "SP1"),
    competencies=(
        CompetencySpec(
            "Recognise trauma responses and respond safely",
            "During a community placement, describe two situations in which you recognised a "
            "trauma response and how you adapted your practice, reviewed with your supervisor.",
            (
                "Describes behaviour without linking it to possible trauma.",
                "Recognises trauma responses but does not adapt practice.",
                "Recognises trauma responses and adapts practice to offer safety and choice.",
                "Also helps colleagues adapt their practice and reflects on systemic causes.",
            ),
            (
                onet("21-1093.00", "Social and Human Service Assistants"),
                noc("42201", "Social and community service workers"),
            ),
        ),
        CompetencySpec(
            "Practise in culturally safe ways with Indigenous communities",
            "Plan and hold a conversation with a community member or Elder, following the "
            "community's protocols, and reflect on it with your supervisor.",
            (
                "Is unaware of the community's protocols.",
                "Knows the protocols but follows them only when reminded.",
                "Follows the community's protocols and builds a respectful relationship.",
                "Also recognises and addresses barriers to cultural safety in the service.",
            ),
            (
                esco(
                    "c10d5d87-36cf-42f5-8a12-e560fb5f4af8",
                    "demonstrate intercultural competence",
                ),
                attribute("GA-5", "Honours Indigenous ways of knowing"),
            ),
        ),
    ),
    prompts=(
        "What did you learn about your own reactions during the placement, and how did you "
        "take care of yourself?",
    ),
    endorse=Endorse(
        "northbridge-health",
        "Your outreach teams helped shape this design; would Northbridge endorse it?",
        "Who supervises the placements?",
        "Registered social workers in partner agencies, with the course instructor.",
        "Northbridge Community Health Network endorses this micro-credential. It prepares "
        "workers to offer safety, trust and choice to the people our centres serve.",
    ),
    approval="Approved. The Elder's guidance in the placement is well described.",
)

PRIVACY = DesignSpec(
    slug="health-data-privacy-in-practice",
    title="Health Data Privacy in Practice",
    issuer="nlc-health-community",
    designer="designer2",
    state="published",
    summary=(
        "Handle personal health information lawfully and respectfully, from collection to disposal."
    ),
    description=(
        "Health and community workers handle sensitive information every day. You will apply "
        "Canadian privacy principles and your province's health information law to real "
        "situations, and respond correctly to a privacy breach."
    ),
    criteria="Complete the workplace case study and the breach simulation at Proficient level.",
    estimated_hours=15,
    delivery_mode="online",
    level="introductory",
    credits_available="0.5",
    field_of_study="Health information",
    human_code="HLTH-1310",
    tags=("privacy", "health information", "data protection"),
    validity_months=24,
    image="health-data-privacy.svg",
    image_alt="Health Data Privacy in Practice badge: nine blue mosaic tiles above the title.",
    goals=("DL1", "V2"),
    competencies=(
        CompetencySpec(
            "Collect, use and share personal health information lawfully",
            "In a workplace case study, decide what may be collected, used and shared, and "
            "justify each decision with the law and the organisation's policy.",
            (
                "Cannot say which rules apply.",
                "Names the rules but applies them inconsistently.",
                "Applies the rules correctly and explains each decision.",
                "Also spots gaps in the organisation's policy and proposes improvements.",
            ),
            (esco("33a82b83-c838-4889-ae62-fae1317481eb", "protect personal data and privacy"),),
        ),
        CompetencySpec(
            "Respond to a privacy breach",
            "In a simulated breach, contain it, notify the right people and document what "
            "happened within the required time.",
            (
                "Does not recognise the breach.",
                "Recognises the breach but misses a required step.",
                "Contains, reports and documents the breach correctly and on time.",
                "Also recommends changes that would prevent a similar breach.",
            ),
            (attribute("GA-4", "Acts ethically and within the law"),),
        ),
    ),
    prompts=("How will you explain to a client what happens to their information?",),
    endorse=Endorse(
        "northbridge-health",
        "Would Northbridge endorse our health data privacy micro-credential?",
        "Does it cover breaches involving paper records as well as electronic ones?",
        "Yes: the simulation includes a misplaced paper chart.",
        "We endorse this micro-credential: every new staff member should have these skills.",
    ),
    approval="Approved against the framework.",
)

SQL_DRAFT = DesignSpec(
    slug="sql-for-analysts",
    title="SQL for Analysts",
    issuer="nlc-business-data",
    designer="designer",
    state="draft",
    summary="Query relational databases to answer business questions.",
    estimated_hours=25,
    delivery_mode="online",
    level="introductory",
    field_of_study="Data analytics",
    tags=("SQL", "databases"),
    goals=("DL1",),
    competencies=(
        CompetencySpec(
            "Write queries that answer a business question",
            "",
            ("", "", "", ""),
        ),
    ),
)

PROCESS_SUBMITTED = DesignSpec(
    slug="business-process-mapping",
    title="Business Process Mapping",
    issuer="nlc-business-data",
    designer="designer",
    state="submitted",
    summary="Map and improve how work flows through an organisation.",
    description="Learners map a partner's process, find delays and propose improvements.",
    criteria="Map and improve a partner's process, assessed with the rubric.",
    estimated_hours=20,
    delivery_mode="blended",
    level="introductory",
    credits_available="0.5",
    field_of_study="Business administration",
    human_code="BUSN-1210",
    tags=("process improvement", "operations"),
    validity_months=36,
    goals=("SP2",),
    competencies=(
        CompetencySpec(
            "Map a business process",
            "Map a partner's process with the staff who do the work, and validate the map "
            "with them.",
            (
                "Maps the process from documents only.",
                "Maps the process with staff, but misses exceptions.",
                "Maps the process with staff, including exceptions, and validates it.",
                "Also measures where time is lost and shows it on the map.",
            ),
            (esco("633a3637-2c6b-40ae-ac38-289eb2a62aa6", "business analysis"),),
        ),
    ),
    prompts=("What did the people who do the work know that the documents did not say?",),
    # Asked while the review is under way: the partner's portal has a request waiting.
    endorse=Endorse(
        "prairie-analytics",
        "Our co-op students map processes with your analysts; would you review this design?",
        "Which process-mapping notation do learners use?",
        "",
        "",
    ),
)

CARE_CHANGES = DesignSpec(
    slug="culturally-safe-care",
    title="Culturally Safe Care",
    issuer="nlc-health-community",
    designer="designer2",
    state="changes_requested",
    summary="Provide care that people experience as culturally safe.",
    description="Learners examine their own assumptions and practise culturally safe care.",
    estimated_hours=15,
    delivery_mode="blended",
    level="introductory",
    field_of_study="Health care",
    tags=("cultural safety", "Indigenous health"),
    goals=("V1",),
    competencies=(
        CompetencySpec(
            "Reflect on one's own culture and assumptions",
            "",
            (
                "Does not see how their own culture shapes care.",
                "Names some assumptions when prompted.",
                "Examines their assumptions and how they shape care.",
                "Also changes practice in response and supports colleagues to do so.",
            ),
        ),
    ),
    prompts=("When did you last feel like an outsider, and what helped?",),
    changes_requested=(
        "The competency needs a demonstration criterion: how will learners show this in a "
        "real care setting? Please also align the design with the Indigenous health "
        "curriculum the Elders' council approved, and ask Northbridge to review it."
    ),
)

DESIGNS = (
    STATS,
    DATAVIZ,
    SPREADSHEETS,
    TRAUMA,
    PRIVACY,
    SQL_DRAFT,
    PROCESS_SUBMITTED,
    CARE_CHANGES,
)

# --- the pathway -------------------------------------------------------------------------


@dataclass(frozen=True)
class PathwaySpec:
    slug: str
    title: str
    issuer: str
    designer: str
    summary: str
    description: str
    criteria: str
    image: str
    image_alt: str
    required: tuple[str, ...]  # design slugs, all required
    choose_title: str
    choose_minimum: int
    choose_from: tuple[str, ...]


PATHWAY = PathwaySpec(
    slug="data-analytics-foundations",
    title="Data Analytics Foundations Certificate",
    issuer="nlc-business-data",
    designer="designer",
    summary="Three micro-credentials that together prepare you for a junior analyst role.",
    description=(
        "Earn Statistical Analysis Software and Data Visualisation for Decision-Making, and "
        "one application micro-credential, to receive the certificate."
    ),
    criteria=(
        "Hold both core micro-credentials and at least one of the application micro-credentials."
    ),
    image="data-analytics-foundations.svg",
    image_alt=(
        "Data Analytics Foundations Certificate badge: nine dark, amber and green mosaic tiles "
        "above the title."
    ),
    required=(STATS.slug, DATAVIZ.slug),
    choose_title="One application",
    choose_minimum=1,
    choose_from=(SPREADSHEETS.slug, PRIVACY.slug),
)


# --- awards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceSpec:
    name: str
    narrative: str
    url: str = ""
    private: bool = False


@dataclass(frozen=True)
class AwardSpec:
    learner: str  # Person.username
    design: str  # DesignSpec.slug
    #: The rubric level reached in every competency.
    level: str = PASSING_LEVEL
    narrative: str = ""
    evidence: tuple[EvidenceSpec, ...] = ()
    accepted: bool = True
    shared: bool = False
    #: Awarded this many days ago (an old award of a design with a validity period expires).
    days_ago: int = 0
    revoked: str = ""  # the reason, when revoked
    suspended: str = ""  # the reason, when suspended


AWARDS = (
    AwardSpec(
        "learner",
        STATS.slug,
        level="Exemplary",
        narrative=(
            "Cleaned and analysed a de-identified sales export from Prairie Analytics, chose "
            "and checked a regression model, and presented the forecast to the team lead."
        ),
        evidence=(
            EvidenceSpec(
                "Sales forecast report",
                "The written analysis and forecast, with the annotated R script.",
                "https://portfolio.example.org/lena/sales-forecast",
            ),
            EvidenceSpec(
                "Supervisor's observation notes",
                "Notes from the workplace supervisor on the presentation to the team.",
                private=True,
            ),
        ),
        shared=True,
        days_ago=120,
    ),
    AwardSpec(
        "learner",
        DATAVIZ.slug,
        narrative="Built an accessible dashboard of service wait times for the operations team.",
        evidence=(
            EvidenceSpec(
                "Wait-time dashboard",
                "Screenshots and the design rationale, including the colour-blind check.",
                "https://portfolio.example.org/lena/dashboard",
            ),
        ),
        days_ago=60,
    ),
    AwardSpec(
        "learner",
        SPREADSHEETS.slug,
        days_ago=45,
        revoked="Awarded by mistake: the assessment of the workplace model was not complete.",
    ),
    AwardSpec("learner", PRIVACY.slug, days_ago=900, narrative="Privacy review of an intake form."),
    AwardSpec("learner", TRAUMA.slug, accepted=False, days_ago=2),
    AwardSpec("learner2", STATS.slug, days_ago=400),
    AwardSpec("learner2", DATAVIZ.slug, days_ago=300),
    AwardSpec(
        "learner2",
        SPREADSHEETS.slug,
        days_ago=200,
        suspended="The assessor is reviewing the evidence after a question from the partner.",
    ),
    AwardSpec("learner2", PRIVACY.slug, days_ago=100, level="Exemplary"),
)


# --- the learner's journey ---------------------------------------------------------------
#
# One learner at each stage, on the published micro-credentials: enrolled, waiting for a
# place, drafting, asking supervisors to confirm their work, waiting for assessment, revising
# after feedback, awarded (then using that badge as prior learning), not meeting the
# criteria, and waiting for a second assessor. `mosaics.core.demo_learning` plays each one
# through the learning workflows. Days are counted back from the moment the demo is loaded;
# supervisors have `example.org` addresses.

#: The demo's assessor (an assessor at the college, so in both schools).
ASSESSOR = "assessor"


@dataclass(frozen=True)
class Places:
    """A micro-credential with a limited number of places (the rest wait in line)."""

    design: str  # DesignSpec.slug
    capacity: int


@dataclass(frozen=True)
class ItemSpec:
    """One piece of evidence in a demonstration."""

    kind: str  # EvidenceItem.Kind: link, file or badge
    title: str
    description: str = ""
    url: str = ""  # a link's address
    #: A file's name: its bytes are made by the loader (a one-page PDF, or a PNG chart).
    file_name: str = ""
    badge: str = ""  # a badge: the DesignSpec.slug of an award the learner holds
    visibility: str = "private"  # EvidenceItem.Visibility: public, private or excluded


@dataclass(frozen=True)
class AttestationSpec:
    supervisor_name: str
    supervisor_email: str
    supervisor_role: str
    message: str
    requested_days_ago: int
    #: "confirmed", "disputed", or "" while the link is still open.
    answer: str = ""
    comment: str = ""
    answered_days_ago: int = 0


@dataclass(frozen=True)
class DemonstrationSpec:
    competency: int  # the competency's place in the design, first is 0
    narrative: str
    setting_organisation: str = ""
    setting_role: str = ""
    setting_kind: str = ""  # SettingKind value
    setting_from_days_ago: int | None = None
    setting_until_days_ago: int | None = None
    evidence: tuple[ItemSpec, ...] = ()
    #: Submitted on its own this many days ago (to ask a supervisor to confirm it); None:
    #: left as a draft, or frozen by the submission for assessment.
    submitted_days_ago: int | None = None
    attestations: tuple[AttestationSpec, ...] = ()


@dataclass(frozen=True)
class ReflectionSpec:
    #: One answer per reflection prompt, in order ("" or fewer answers: not answered yet).
    answers: tuple[str, ...]
    summary: str = ""
    share_summary: bool = False


@dataclass(frozen=True)
class AssessmentSpec:
    decision: str  # Assessment.Decision: meets, revise, not_met
    #: The rubric level reached in each competency, in order, with the assessor's feedback.
    levels: tuple[tuple[str, str], ...]
    feedback: str
    days_ago: int
    #: The design asks a second assessor to confirm "meets": the submission then waits in
    #: moderation (a design from an older demo without it is left waiting for assessment).
    moderated: bool = False


@dataclass(frozen=True)
class RevisionSpec:
    """After a submission is returned: the revised demonstrations (new versions) and
    reflection, submitted again."""

    demonstrations: tuple[DemonstrationSpec, ...]
    reflection: ReflectionSpec | None
    submitted_days_ago: int


@dataclass(frozen=True)
class JourneySpec:
    learner: str  # Person.username
    design: str  # DesignSpec.slug
    enrolled_days_ago: int
    route: str = "standard"  # Enrolment.Route
    demonstrations: tuple[DemonstrationSpec, ...] = ()
    reflection: ReflectionSpec | None = None
    submitted_days_ago: int | None = None  # None: not submitted for assessment
    assessment: AssessmentSpec | None = None
    revision: RevisionSpec | None = None
    #: An awarded learner accepts the badge into their mosaic, and shares its public page.
    accept: bool = False
    share: bool = False
    #: The demo assessor declares a conflict of interest with this learner (the reason).
    conflict: str = ""


PLACES = (Places(TRAUMA.slug, 3),)

_PLACEMENT = "Northbridge Community Health Network, downtown outreach team"
_PRAIRIE = "Prairie Analytics Co-operative"

JOURNEYS = (
    # Trauma-Informed Community Practice has three places: these three take them ...
    JourneySpec("learner-new", TRAUMA.slug, enrolled_days_ago=3),
    JourneySpec(
        "learner-draft",
        TRAUMA.slug,
        enrolled_days_ago=20,
        demonstrations=(
            DemonstrationSpec(
                0,
                "During my placement with the outreach team, a man at the drop-in froze and "
                "then left when a staff member raised her voice across the room. With my "
                "supervisor I talked through what a trauma response can look like, and the "
                "next week I offered him a quieter corner and asked before sitting down.\n\n"
                "_Still to add: the second situation, and my supervisor's review._",
                setting_organisation=_PLACEMENT,
                setting_role="Placement student",
                setting_kind="community",
                setting_from_days_ago=40,
                evidence=(
                    ItemSpec(
                        "link",
                        "Placement journal (weeks 1–4)",
                        "My weekly journal, shared with my supervisor.",
                        url="https://portfolio.example.org/chloe/placement-journal",
                    ),
                    ItemSpec(
                        "file",
                        "Placement learning plan",
                        "The plan my supervisor and I agreed at the start of the placement.",
                        file_name="placement-learning-plan.pdf",
                        visibility="excluded",
                    ),
                ),
            ),
        ),
    ),
    JourneySpec(
        "learner-conflict",
        TRAUMA.slug,
        enrolled_days_ago=30,
        conflict="Mateo is my nephew.",
        demonstrations=(
            DemonstrationSpec(
                0,
                "Two situations from my placement at the youth centre, each reviewed with my "
                "supervisor: a young woman who shut down when asked for her address, and a "
                "boy who became angry when a door was locked behind him. In both I slowed "
                "down, explained what would happen next and offered choices.",
                setting_organisation="Riverside Youth Centre",
                setting_role="Youth worker (placement)",
                setting_kind="community",
                setting_from_days_ago=90,
                setting_until_days_ago=10,
                evidence=(
                    ItemSpec(
                        "link",
                        "Supervision notes (summary)",
                        url="https://portfolio.example.org/mateo/supervision-notes",
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "With the centre's Elder I prepared and held a conversation with a community "
                "member about the centre's evening program, following the protocol she "
                "taught me: tobacco offered, time to speak without interruption, and a "
                "follow-up visit.",
                setting_organisation="Riverside Youth Centre",
                setting_role="Youth worker (placement)",
                setting_kind="community",
                setting_from_days_ago=90,
                setting_until_days_ago=10,
                evidence=(
                    ItemSpec(
                        "link",
                        "Reflection on the conversation",
                        url="https://portfolio.example.org/mateo/conversation",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(
            (
                "I learned to notice my own tension first; talking with my supervisor every "
                "week and walking home by the river helped me leave the day behind.",
            ),
        ),
        submitted_days_ago=4,
    ),
    # ... so the next learner waits in line.
    JourneySpec("learner-waitlist", TRAUMA.slug, enrolled_days_ago=1),
    JourneySpec(
        "learner-attest",
        STATS.slug,
        enrolled_days_ago=45,
        demonstrations=(
            DemonstrationSpec(
                0,
                "I cleaned the co-op's export of 18 months of grain-delivery records: 214 "
                "duplicate rows, three spellings of each elevator's name and missing weights "
                "coded as zero. Every change is in an R script the team can rerun.",
                setting_organisation=_PRAIRIE,
                setting_role="Data analyst intern",
                setting_kind="industry",
                setting_from_days_ago=80,
                setting_until_days_ago=20,
                evidence=(
                    ItemSpec(
                        "link",
                        "Cleaning script and change log",
                        url="https://portfolio.example.org/ethan/cleaning-script",
                        visibility="public",
                    ),
                ),
                submitted_days_ago=10,
                attestations=(
                    AttestationSpec(
                        "Priya Raman",
                        "priya.raman@example.org",
                        "Senior analyst",
                        "Could you confirm that I cleaned the delivery data for the co-op?",
                        requested_days_ago=9,
                        answer="confirmed",
                        comment="I reran Ethan's script on a fresh export and got the same "
                        "clean data set. His change log is clearer than ours.",
                        answered_days_ago=7,
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "To see whether delivery weights differed between the two seasons I ran a "
                "t-test in R and checked normality with a Q-Q plot.",
                setting_organisation=_PRAIRIE,
                setting_role="Data analyst intern",
                setting_kind="industry",
                setting_from_days_ago=80,
                setting_until_days_ago=20,
                evidence=(
                    ItemSpec(
                        "link",
                        "Analysis notebook",
                        url="https://portfolio.example.org/ethan/analysis",
                    ),
                ),
                submitted_days_ago=10,
                attestations=(
                    AttestationSpec(
                        "Priya Raman",
                        "priya.raman@example.org",
                        "Senior analyst",
                        "Could you confirm the seasonal analysis I ran during my internship?",
                        requested_days_ago=9,
                        answer="disputed",
                        comment="Ethan ran the analysis, but our senior analyst chose the "
                        "test and checked its assumptions; the narrative should say so.",
                        answered_days_ago=6,
                    ),
                ),
            ),
            DemonstrationSpec(
                2,
                "I wrote a two-page brief for the co-op's board and presented it at their "
                "monthly meeting, with one recommendation about the winter schedule.",
                setting_organisation=_PRAIRIE,
                setting_role="Data analyst intern",
                setting_kind="industry",
                setting_from_days_ago=30,
                setting_until_days_ago=20,
                evidence=(
                    ItemSpec(
                        "file",
                        "Board brief",
                        "The two-page brief as presented.",
                        file_name="board-brief.pdf",
                    ),
                ),
                submitted_days_ago=4,
                attestations=(
                    AttestationSpec(
                        "Tom Beaulieu",
                        "tom.beaulieu@example.org",
                        "Operations manager",
                        "You were at the board meeting: could you confirm my presentation?",
                        requested_days_ago=3,
                    ),
                ),
            ),
        ),
        # A draft: the second question is still to answer.
        reflection=ReflectionSpec(
            (
                "Deciding what to do with weights coded as zero: I asked the elevator staff "
                "instead of guessing, and next time I would ask before I start.",
            ),
        ),
    ),
    JourneySpec(
        "learner-waiting",
        DATAVIZ.slug,
        enrolled_days_ago=40,
        demonstrations=(
            DemonstrationSpec(
                0,
                "For the town's recreation department I sketched three ways of showing pool "
                "attendance by hour, and tested them with the front-desk staff; they chose "
                "a simple heat map.",
                setting_organisation="Town of Aspen Lake (recreation department)",
                setting_role="Co-op student",
                setting_kind="public_sector",
                setting_from_days_ago=70,
                setting_until_days_ago=15,
                evidence=(
                    ItemSpec(
                        "link",
                        "Sketches and test notes",
                        url="https://portfolio.example.org/grace/sketches",
                        visibility="public",
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "I built the attendance dashboard with text alternatives for every chart and "
                "patterns as well as colours, and tested it with a screen-reader user.",
                setting_organisation="Town of Aspen Lake (recreation department)",
                setting_role="Co-op student",
                setting_kind="public_sector",
                setting_from_days_ago=70,
                setting_until_days_ago=15,
                evidence=(
                    ItemSpec(
                        "link",
                        "Accessible attendance dashboard",
                        url="https://portfolio.example.org/grace/dashboard",
                        visibility="public",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(
            (
                "That the lifeguards read the dashboard on their phones: I had designed it for "
                "a desktop screen.",
            ),
            summary="I learned to design charts with the people who use them.",
            share_summary=True,
        ),
        submitted_days_ago=8,
    ),
    JourneySpec(
        "learner-revised",
        STATS.slug,
        enrolled_days_ago=60,
        demonstrations=(
            DemonstrationSpec(
                0,
                "I cleaned a non-profit's volunteer-hours export in R, merging two years of "
                "records and documenting each decision in the script.",
                setting_organisation="Northern Food Bank Society",
                setting_role="Volunteer data analyst",
                setting_kind="community",
                setting_from_days_ago=100,
                setting_until_days_ago=30,
                evidence=(
                    ItemSpec(
                        "link",
                        "Cleaning script",
                        url="https://portfolio.example.org/hugo/cleaning",
                        visibility="public",
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "I compared volunteer hours before and after the new scheduling app with a "
                "paired t-test.",
                setting_organisation="Northern Food Bank Society",
                setting_role="Volunteer data analyst",
                setting_kind="community",
                setting_from_days_ago=100,
                setting_until_days_ago=30,
                evidence=(
                    ItemSpec(
                        "link",
                        "Analysis notebook",
                        url="https://portfolio.example.org/hugo/analysis",
                    ),
                ),
            ),
            DemonstrationSpec(
                2,
                "I presented the results to the volunteer coordinators with a one-page "
                "summary and a chart of hours by month.",
                setting_organisation="Northern Food Bank Society",
                setting_role="Volunteer data analyst",
                setting_kind="community",
                setting_from_days_ago=40,
                setting_until_days_ago=30,
                evidence=(
                    ItemSpec(
                        "file",
                        "Hours by month (chart)",
                        "The chart shown to the coordinators.",
                        file_name="hours-by-month.png",
                        visibility="public",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(
            (
                "Merging two years of records with different volunteer IDs; next time I "
                "would agree the matching rules with the coordinators first.",
                "They cared less about the average than about the busiest weeks, so I "
                "looked at peaks too.",
            ),
        ),
        submitted_days_ago=16,
        assessment=AssessmentSpec(
            "revise",
            (
                ("Proficient", "A clean, well-documented script."),
                (
                    "Developing",
                    "The paired t-test fits the question, but the differences are far from "
                    "normal: check the assumption and consider a Wilcoxon signed-rank test.",
                ),
                ("Proficient", "Clear, and honest about what the data cannot show."),
            ),
            "Good work overall. Please check the assumptions of your test (see the second "
            "competency) and resubmit; the other two demonstrations can stay as they are.",
            days_ago=12,
        ),
        revision=RevisionSpec(
            demonstrations=(
                DemonstrationSpec(
                    1,
                    "I compared volunteer hours before and after the new scheduling app. The "
                    "differences were skewed (a Q-Q plot and a Shapiro–Wilk test showed it), "
                    "so I used a Wilcoxon signed-rank test and reported the median change; "
                    "the paired t-test gave the same conclusion.",
                    setting_organisation="Northern Food Bank Society",
                    setting_role="Volunteer data analyst",
                    setting_kind="community",
                    setting_from_days_ago=100,
                    setting_until_days_ago=30,
                    evidence=(
                        ItemSpec(
                            "link",
                            "Assumption checks",
                            "Q-Q plot, Shapiro–Wilk test and the Wilcoxon test, with notes.",
                            url="https://portfolio.example.org/hugo/assumptions",
                        ),
                    ),
                ),
            ),
            reflection=ReflectionSpec(
                (
                    "Merging two years of records with different volunteer IDs; next time I "
                    "would agree the matching rules with the coordinators first. And I now "
                    "check a test's assumptions before I run it, not after feedback.",
                ),
            ),
            submitted_days_ago=2,
        ),
    ),
    JourneySpec(
        "learner-met",
        DATAVIZ.slug,
        enrolled_days_ago=70,
        demonstrations=(
            DemonstrationSpec(
                0,
                "The clinic network wanted to see where appointment no-shows cluster. I "
                "sketched a map, a bar chart and a calendar heat map, and tested all three "
                "with two clinic managers; the calendar won because it shows the pattern "
                "by weekday at a glance.",
                setting_organisation="Northbridge Community Health Network",
                setting_role="Data analyst (co-op placement)",
                setting_kind="community",
                setting_from_days_ago=120,
                setting_until_days_ago=40,
                evidence=(
                    ItemSpec(
                        "link",
                        "No-show calendar and design notes",
                        "The chosen chart and why.",
                        url="https://portfolio.example.org/isabelle/no-show-calendar",
                        visibility="public",
                    ),
                    ItemSpec(
                        "file",
                        "The three options we tested",
                        "A sketch of the options (contains a clinic's internal figures).",
                        file_name="chart-options.png",
                        visibility="excluded",
                    ),
                ),
                submitted_days_ago=45,
                attestations=(
                    AttestationSpec(
                        "Nadia Kowalczyk",
                        "nadia.kowalczyk@example.org",
                        "Clinic manager",
                        "Could you confirm the chart testing we did together?",
                        requested_days_ago=44,
                        answer="confirmed",
                        comment="Isabelle tested the options with us and the calendar is now "
                        "on our weekly huddle board.",
                        answered_days_ago=42,
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "I built the no-show dashboard with text alternatives, patterns as well as "
                "colour, and plain labels, and tested it with the network's accessibility "
                "working group.",
                setting_organisation="Northbridge Community Health Network",
                setting_role="Data analyst (co-op placement)",
                setting_kind="community",
                setting_from_days_ago=120,
                setting_until_days_ago=40,
                evidence=(
                    ItemSpec(
                        "link",
                        "Accessibility test report",
                        "What the working group found, and what I fixed.",
                        url="https://portfolio.example.org/isabelle/accessibility-report",
                        visibility="private",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(
            (
                "That the managers trusted the calendar more than the map, although the map was "
                "my favourite.",
            ),
            summary="I designed and tested an accessible dashboard that a clinic network now "
            "uses every week.",
            share_summary=True,
        ),
        submitted_days_ago=30,
        assessment=AssessmentSpec(
            "meets",
            (
                ("Exemplary", "Three real options, tested with their users: a model."),
                ("Proficient", "Every chart reads without colour; good test report."),
            ),
            "Congratulations: a dashboard that is used every week is the best evidence.",
            days_ago=25,
        ),
        accept=True,
        share=True,
    ),
    # ... who then asks for Statistical Analysis Software by recognition of prior learning,
    # offering the badge she earned as evidence for one competency.
    JourneySpec(
        "learner-met",
        STATS.slug,
        enrolled_days_ago=10,
        route="prior_learning",
        demonstrations=(
            DemonstrationSpec(
                0,
                "Before the college I worked two years as a research assistant, cleaning "
                "survey data in R for a regional health study.",
                evidence=(
                    ItemSpec(
                        "link",
                        "Reference letter from the study lead",
                        url="https://portfolio.example.org/isabelle/reference",
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "In the same study I ran and checked chi-square and logistic regression "
                "models; the published report names me in its acknowledgements.",
                evidence=(
                    ItemSpec(
                        "link",
                        "Study report (methods appendix)",
                        url="https://portfolio.example.org/isabelle/study-methods",
                        visibility="public",
                    ),
                ),
            ),
            DemonstrationSpec(
                2,
                "My Data Visualisation for Decision-Making badge shows I present results to "
                "managers who are not specialists, as I did with the clinic no-show "
                "dashboard.",
                evidence=(
                    ItemSpec(
                        "badge",
                        "Data Visualisation for Decision-Making",
                        badge=DATAVIZ.slug,
                        visibility="public",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(
            (
                "Deciding which survey answers to treat as missing; today I would document "
                "it in the script rather than in a separate note.",
                "The study's question changed when the communities asked about travel time; "
                "we added it to the analysis.",
            ),
        ),
        submitted_days_ago=1,
    ),
    JourneySpec(
        "learner-notmet",
        PRIVACY.slug,
        enrolled_days_ago=50,
        demonstrations=(
            DemonstrationSpec(
                0,
                "In the case study I listed the information the intake form collects.",
                setting_organisation="Case study (online course)",
                setting_role="Learner",
                setting_kind="other",
                evidence=(
                    ItemSpec(
                        "link",
                        "Case study answers",
                        url="https://portfolio.example.org/jacob/case-study",
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "In the breach simulation I told my manager about the misplaced chart.",
                setting_organisation="Breach simulation (online course)",
                setting_role="Learner",
                setting_kind="other",
                evidence=(
                    ItemSpec(
                        "link",
                        "Simulation log",
                        url="https://portfolio.example.org/jacob/simulation",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(("I would tell them that it is kept safe.",)),
        submitted_days_ago=20,
        assessment=AssessmentSpec(
            "not_met",
            (
                (
                    "Developing",
                    "You list what is collected but do not say which law or policy allows "
                    "each use.",
                ),
                (
                    "Beginning",
                    "The breach was reported, but not contained or documented within the "
                    "required time.",
                ),
            ),
            "This does not meet the criteria yet. Please review the privacy principles "
            "module and the breach checklist; you are welcome to enrol again.",
            days_ago=14,
        ),
    ),
    JourneySpec(
        "learner-moderation",
        SPREADSHEETS.slug,
        enrolled_days_ago=35,
        demonstrations=(
            DemonstrationSpec(
                0,
                "I built a twelve-month cash-flow forecast for a community arts centre, with "
                "inputs, calculations and outputs on separate sheets and checks that flag an "
                "unbalanced month.",
                setting_organisation="Lakeshore Arts Centre",
                setting_role="Volunteer treasurer's assistant",
                setting_kind="community",
                setting_from_days_ago=60,
                setting_until_days_ago=10,
                evidence=(
                    ItemSpec(
                        "link",
                        "Cash-flow model (read-only copy)",
                        url="https://portfolio.example.org/amara/cash-flow",
                        visibility="public",
                    ),
                ),
            ),
            DemonstrationSpec(
                1,
                "I presented the forecast to the centre's board with a best and a worst "
                "case, and showed that ticket sales are the assumption to watch.",
                setting_organisation="Lakeshore Arts Centre",
                setting_role="Volunteer treasurer's assistant",
                setting_kind="community",
                setting_from_days_ago=60,
                setting_until_days_ago=10,
                evidence=(
                    ItemSpec(
                        "link",
                        "Board presentation",
                        url="https://portfolio.example.org/amara/board-presentation",
                    ),
                ),
            ),
        ),
        reflection=ReflectionSpec(
            (
                "That the centre depends on two grants that arrive in the same month.",
                "I would show the board what happens to the bank balance if ticket sales "
                "drop by a fifth, and ask what they would cut first.",
            ),
        ),
        submitted_days_ago=6,
        assessment=AssessmentSpec(
            "meets",
            (
                ("Proficient", "Clear structure; the checks are a good touch."),
                ("Exemplary", "The sensitivity analysis made the board's decision easy."),
            ),
            "Meets the criteria; waiting for a second assessor to confirm.",
            days_ago=3,
            moderated=True,
        ),
    ),
)
