"""The demo: two fictitious trusts with pupils, staff and classes, built the same every time."""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import import_module

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone

from grove.core.actions import audit_record
from grove.core.models import (
    AcademicYear,
    Membership,
    Phase,
    Role,
    School,
    Term,
    TermName,
    Trust,
    User,
)
from grove.pupils.actions import CharacteristicValues
from grove.pupils.codes import ENGLISH_LANGUAGE_CODES, UPN_CHECK_LETTERS, YEAR_GROUPS, make_upn
from grove.pupils.models import (
    Characteristics,
    Enrolment,
    FormerUPN,
    GroupKind,
    GroupPupil,
    GroupTeacher,
    Pupil,
    TeachingGroup,
)

# Every demo login shares this password; it passes the project's password validators. It is
# public by design: the demo holds no real person's data.
DEMO_PASSWORD = "grove-demo-pass"  # noqa: S105
DEMO_SEED = 2018  # the year of "Making data work"; any fixed number gives a fixed demo
DEMO_TRUST_NAME = "Riverside Learning Trust"
SECOND_TRUST_NAME = "Northgate Academy Trust"
DEMO_TRUST_NAMES = (DEMO_TRUST_NAME, SECOND_TRUST_NAME)
# example.* domains are reserved, so no demo address can ever reach a real person.
RIVERSIDE_DOMAIN = "riverside.example"
NORTHGATE_DOMAIN = "northgate.example"
DEMO_DOMAINS = (RIVERSIDE_DOMAIN, NORTHGATE_DOMAIN)


# --- The schools ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSchool:
    key: str  # short name used in the demo logins, e.g. head.oakfield@riverside.example
    name: str
    trust: str
    domain: str
    phase: Phase
    urn: str
    la_code: str
    establishment_number: str
    forms: tuple[str, ...] = ()  # primary schools: one class per form in each year group
    class_sizes: tuple[int, int] = (27, 30)


# LA codes 990 and 991 belong to no real local authority, nor do these URNs to real schools.
SCHOOLS = (
    DemoSchool(
        "oakfield", "Oakfield Primary School", DEMO_TRUST_NAME, RIVERSIDE_DOMAIN,
        Phase.PRIMARY, "990101", "990", "2001", forms=("Ash", "Birch"),
    ),
    DemoSchool(
        "brookside", "Brookside Primary School", DEMO_TRUST_NAME, RIVERSIDE_DOMAIN,
        Phase.PRIMARY, "990102", "990", "2002", forms=("Kingfisher",),
    ),
    DemoSchool(
        "hazelwood", "Hazelwood Primary Academy", DEMO_TRUST_NAME, RIVERSIDE_DOMAIN,
        Phase.PRIMARY, "990103", "990", "2003", forms=("Rowan", "Elm"),
    ),
    DemoSchool(
        "kingsmead", "Kingsmead Academy", DEMO_TRUST_NAME, RIVERSIDE_DOMAIN,
        Phase.SECONDARY, "990104", "990", "4001",
    ),
    DemoSchool(
        "willowbank", "Willow Bank School", DEMO_TRUST_NAME, RIVERSIDE_DOMAIN,
        Phase.SPECIAL, "990105", "990", "7001",
    ),
    DemoSchool(
        "northgate", "Northgate Primary School", SECOND_TRUST_NAME, NORTHGATE_DOMAIN,
        Phase.PRIMARY, "991101", "991", "2001", forms=("Oak",), class_sizes=(19, 23),
    ),
)  # fmt: skip
SCHOOLS_BY_KEY = {school.key: school for school in SCHOOLS}

# One SENCO serves two small primaries; one music teacher works in two schools.
SHARED_SENCO_SCHOOLS = ("oakfield", "brookside")
SHARED_TEACHER_SCHOOLS = ("brookside", "hazelwood")

# Pupils who came to the secondary got their UPN from their primary school: (LA, establishment).
SECONDARY_FEEDERS = (
    ("990", "2001"), ("990", "2002"), ("990", "2003"), ("990", "2011"),
    ("990", "2015"), ("990", "2023"), ("991", "2001"), ("991", "2007"),
)  # fmt: skip

PRIMARY_YEARS = ("R", "1", "2", "3", "4", "5", "6")
SECONDARY_TUTOR_LETTERS = "ABCDEF"
# A special school teaches small classes, some spanning two year groups.
SPECIAL_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Otters", ("1", "2")), ("Badgers", ("3", "4")), ("Foxes", ("5", "6")),
    ("Hedgehogs", ("5", "6")), ("Kestrels", ("7",)), ("Herons", ("8",)), ("Owls", ("9",)),
    ("Falcons", ("10",)), ("Hawks", ("10", "11")), ("Ravens", ("11",)),
)  # fmt: skip
SECONDARY_OTHER_SUBJECTS = (
    "Science", "Science", "Science", "Science", "Science", "Science", "History", "Geography",
    "Physical Education", "Physical Education", "Art and Design", "Music", "Computing", "French",
    "Spanish", "Religious Education", "Design and Technology", "Drama",
)  # fmt: skip

# The named demo logins: a prefix per role in every school, and four across the trust.
LOGIN_PREFIXES = (
    "head", "deputy", "senco", "teacher", "ta", "subjectlead", "office", "governor", "admin",
)  # fmt: skip
TRUST_LOGINS: tuple[tuple[str, Role, str], ...] = (
    ("ceo", Role.TRUST_LEADER, "Chief executive officer"),
    ("datalead", Role.TRUST_DATA_LEAD, "Trust data lead"),
    ("admin", Role.ADMINISTRATOR, "Trust data and systems manager"),
    ("chair", Role.GOVERNOR, "Chair of trustees"),
)


def login_email(prefix: str, school: DemoSchool) -> str:
    return f"{prefix}.{school.key}@{school.domain}"


def demo_login_emails() -> list[str]:
    """Every address a demo login may have, in the order the logins are listed."""
    emails = [f"{prefix}@{RIVERSIDE_DOMAIN}" for prefix, _, _ in TRUST_LOGINS]
    emails += [login_email(prefix, school) for school in SCHOOLS for prefix in LOGIN_PREFIXES]
    return emails


# --- Proportions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rates:
    """Shares of a school's pupils; each is drawn as an exact quota, so totals stay steady."""

    fsm: float
    ever6_only: float  # eligible for free meals in the last six years, but not now
    sen_support: float
    ehc_plan: float
    eal: float
    looked_after: float
    previously_looked_after: float
    service_child: float
    boys: float


# Mainstream EHC plans are kept rare so that, with the special school, the trust's share stays
# near the national 3%.
MAINSTREAM_RATES = _Rates(
    fsm=0.18, ever6_only=0.03, sen_support=0.125, ehc_plan=0.006, eal=0.20,
    looked_after=0.006, previously_looked_after=0.008, service_child=0.012, boys=0.5,
)  # fmt: skip
SPECIAL_RATES = _Rates(
    fsm=0.38, ever6_only=0.08, sen_support=0.28, ehc_plan=0.70, eal=0.12,
    looked_after=0.03, previously_looked_after=0.02, service_child=0.0125, boys=0.7,
)  # fmt: skip
HISTORY_RATE = 0.05  # pupils whose characteristics changed since last year
SECONDARY_NEED_RATE = 0.3

Weights = Sequence[tuple[str, int]]

MAINSTREAM_SUPPORT_NEEDS: Weights = (
    ("SLCN", 24), ("SEMH", 20), ("MLD", 16), ("SPLD", 15), ("ASD", 12), ("NSA", 4),
    ("OTH", 3), ("PD", 2), ("HI", 2), ("VI", 1),
)  # fmt: skip
MAINSTREAM_PLAN_NEEDS: Weights = (
    ("ASD", 34), ("SLCN", 20), ("SEMH", 18), ("MLD", 8), ("SLD", 6), ("PD", 6), ("HI", 4),
    ("VI", 2), ("SPLD", 2),
)  # fmt: skip
SPECIAL_NEEDS: Weights = (
    ("SLD", 30), ("ASD", 30), ("PMLD", 14), ("MLD", 10), ("SLCN", 8), ("PD", 4), ("SEMH", 2),
    ("MSI", 1), ("HI", 1),
)  # fmt: skip
SECONDARY_NEEDS: Weights = (
    ("SLCN", 25), ("SEMH", 20), ("SPLD", 10), ("MLD", 10), ("ASD", 10), ("OTH", 7), ("PD", 8),
    ("HI", 5), ("VI", 5),
)  # fmt: skip


# --- Names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Background:
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: Weights = ()  # first languages of the pupils with EAL


BACKGROUNDS: dict[str, _Background] = {
    "english": _Background(
        girls=(
            "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia",
            "Willow", "Rosie", "Sophia", "Isabella", "Grace", "Daisy", "Sienna", "Poppy", "Elsie",
            "Emily", "Ella", "Evelyn", "Phoebe", "Evie", "Charlotte", "Harper", "Matilda",
            "Millie", "Ruby", "Eleanor", "Jessica", "Abigail", "Katherine", "Elizabeth", "Hannah",
            "Chloe", "Lucy", "Maisie", "Erin", "Niamh", "Megan", "Holly", "Imogen",
        ),
        boys=(
            "Noah", "Oliver", "George", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry",
            "Theodore", "Freddie", "Jack", "Charlie", "Alfie", "Jacob", "Thomas", "William",
            "Alexander", "Samuel", "Joseph", "Benjamin", "Daniel", "Matthew", "James", "Edward",
            "Lucas", "Finley", "Isaac", "Reuben", "Max", "Toby", "Ethan", "Logan", "Riley",
            "Callum", "Owen", "Zachary", "Frederick", "Louis", "Ronnie", "Rhys", "Dylan",
        ),
        surnames=(
            "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
            "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
            "Hall", "Wood", "Jackson", "Clarke", "Harris", "Lewis", "Martin", "Cooper", "King",
            "Baker", "Hill", "Turner", "Moore", "Ward", "Morris", "Parker", "Hughes", "Edwards",
            "Bennett", "Carter", "Shaw", "Price", "Murphy", "Kelly", "O'Brien", "Campbell",
            "Stewart", "Barker", "Fletcher", "Marsh", "Holmes", "Lloyd", "Pearson", "Atkinson",
            "Dixon", "Foster", "Gibson", "Sutton", "Chapman", "Hunt", "Mason", "Lee",
        ),
    ),
    "caribbean": _Background(
        girls=("Kezia", "Amara", "Nia", "Jada", "Aaliyah", "Tiana", "Shanice", "Imani", "Maya"),
        boys=("Jayden", "Malachi", "Tyrese", "Isaiah", "Elijah", "Josiah", "Kai", "Jermaine"),
        surnames=(
            "Campbell", "Francis", "Grant", "Johnson", "Brown", "Henry", "Williams", "Clarke",
            "Reid", "Gordon", "Bailey", "Thomas",
        ),
    ),
    "south_asian": _Background(
        girls=(
            "Aisha", "Fatima", "Maryam", "Zara", "Amira", "Anaya", "Priya", "Simran", "Harleen",
            "Jasleen", "Ananya", "Diya", "Inaya", "Safa", "Nusrat", "Tahmina", "Kavya", "Meera",
            "Hafsa", "Zainab",
        ),
        boys=(
            "Muhammad", "Ibrahim", "Yusuf", "Ayaan", "Zayn", "Aarav", "Arjun", "Rohan", "Harjot",
            "Gurpreet", "Rayyan", "Hamza", "Ishaan", "Vihaan", "Sahil", "Arif", "Tanvir", "Kiran",
            "Dev", "Rahul",
        ),
        surnames=(
            "Khan", "Hussain", "Ahmed", "Ali", "Begum", "Patel", "Shah", "Singh", "Kaur",
            "Mistry", "Iqbal", "Rahman", "Uddin", "Chowdhury", "Sharma", "Gill", "Sandhu",
            "Akhtar", "Mahmood", "Raza", "Sivakumar", "Nair", "Gurung",
        ),
        languages=(
            ("URD", 5), ("PAN", 4), ("BNG", 4), ("GUJ", 3), ("TAM", 2), ("HIN", 1), ("MAL", 1),
            ("NEP", 1),
        ),
    ),
    "eastern_european": _Background(
        girls=(
            "Zofia", "Julia", "Maja", "Natalia", "Oliwia", "Zuzana", "Ioana", "Andreea", "Elena",
            "Emilija", "Viktoriia", "Sofiia", "Anastasia", "Gabriela", "Alexandra", "Kateryna",
            "Daria", "Lena", "Hanna",
        ),
        boys=(
            "Jakub", "Szymon", "Filip", "Kacper", "Antoni", "Mateusz", "Andrei", "Stefan", "Luca",
            "Matas", "Lukas", "Bohdan", "Maksym", "Dmytro", "Nikola", "Adam", "Mihai", "Marek",
            "Tomas", "Michał",
        ),
        surnames=(
            "Nowak", "Mazur", "Wójcik", "Krawczyk", "Zając", "Kaczmarek", "Sikora", "Popescu",
            "Ionescu", "Popa", "Dumitru", "Munteanu", "Stan", "Kovalenko", "Shevchenko",
            "Bondarenko", "Tkachenko", "Horvath", "Novak", "Kelemen",
        ),
        languages=(
            ("POL", 8), ("ROM", 6), ("LIT", 2), ("LAT", 1), ("BUL", 2), ("CZE", 1), ("SLO", 1),
            ("UKR", 3), ("RUS", 1), ("HUN", 1),
        ),
    ),
    "middle_east_africa": _Background(
        girls=(
            "Maryam", "Amina", "Hodan", "Ayan", "Sahra", "Layla", "Nour", "Rania", "Yasmin",
            "Hawa", "Ilhan", "Dilan", "Elif", "Zeynep", "Leyla", "Salma", "Hiba", "Mahsa", "Selam",
        ),
        boys=(
            "Abdi", "Mohamed", "Ahmed", "Omar", "Yusuf", "Ali", "Khalid", "Mustafa", "Hassan",
            "Karim", "Emre", "Kerem", "Aram", "Dawit", "Yonas", "Bilal", "Idris", "Hamid", "Samir",
        ),
        surnames=(
            "Abdi", "Mohamed", "Hassan", "Farah", "Osman", "Yusuf", "Warsame", "Al-Sayed",
            "Haddad", "Nasser", "Karimi", "Rahimi", "Yilmaz", "Demir", "Kaya", "Celik", "Tesfaye",
            "Gebre",
        ),
        languages=(
            ("ARA", 4), ("SOM", 4), ("KUR", 2), ("FAR", 1), ("PAS", 1), ("TUR", 2), ("AMR", 1),
            ("TGE", 1),
        ),
    ),
    "west_african": _Background(
        girls=(
            "Adaeze", "Chioma", "Ifeoma", "Folake", "Temitope", "Abena", "Ama", "Esi", "Precious",
            "Blessing", "Favour", "Damilola", "Ngozi", "Adwoa",
        ),
        boys=(
            "Chinedu", "Emeka", "Oluwaseun", "Tobi", "Femi", "Kwame", "Kofi", "Kwabena", "David",
            "Samuel", "Ebuka", "Ayo", "Tunde", "Yaw",
        ),
        surnames=(
            "Okafor", "Adeyemi", "Okoye", "Balogun", "Eze", "Nwosu", "Adebayo", "Ogunleye",
            "Mensah", "Owusu", "Boateng", "Asante", "Osei", "Achebe",
        ),
        languages=(("YOR", 3), ("IGB", 2), ("AKA", 2), ("FRN", 1)),
    ),
    "iberian": _Background(
        girls=("Beatriz", "Ana", "Maria", "Lucía", "Inês", "Carolina", "Martina", "Giulia"),
        boys=("Tiago", "Rodrigo", "Pedro", "Mateo", "Diego", "Hugo", "Lorenzo", "Gonçalo"),
        surnames=(
            "Silva", "Santos", "Ferreira", "Pereira", "García", "Fernández", "López", "Rossi",
            "Costa", "Oliveira",
        ),
        languages=(("POR", 4), ("SPA", 3), ("ITA", 1)),
    ),
    "east_asian": _Background(
        girls=("Yutong", "Xinyi", "Mei", "Linh", "Anh", "Hoa", "Yuna", "Angel"),
        boys=("Hao", "Zihan", "Yichen", "Minh", "Duc", "Jun", "Kenji", "Paolo"),
        surnames=(
            "Wang", "Li", "Zhang", "Chen", "Liu", "Nguyen", "Tran", "Pham", "Tanaka", "Reyes",
        ),
        languages=(("CHI", 4), ("VIE", 2), ("PHL", 1), ("JPN", 1)),
    ),
}  # fmt: skip
# Pupils with English as a first language are of every background too.
ENGLISH_SPEAKING_BACKGROUNDS: Weights = (
    ("english", 80), ("south_asian", 7), ("caribbean", 5), ("west_african", 4),
    ("eastern_european", 2), ("middle_east_africa", 1), ("iberian", 1),
)  # fmt: skip
EAL_BACKGROUNDS: Weights = (
    ("south_asian", 35), ("eastern_european", 30), ("middle_east_africa", 15),
    ("west_african", 8), ("iberian", 6), ("east_asian", 6),
)  # fmt: skip
STAFF_BACKGROUNDS: Weights = (
    ("english", 78), ("south_asian", 9), ("caribbean", 5), ("west_african", 4),
    ("eastern_european", 3), ("iberian", 1),
)  # fmt: skip
ADULT_WOMEN = (
    "Sarah", "Emma", "Claire", "Rachel", "Laura", "Helen", "Joanne", "Nicola", "Katie", "Louise",
    "Rebecca", "Amy", "Hannah", "Gemma", "Victoria", "Lisa", "Kelly", "Jennifer", "Natalie",
    "Fiona", "Alison", "Catherine", "Deborah", "Sophie", "Charlotte", "Lucy", "Karen", "Julie",
)  # fmt: skip
ADULT_MEN = (
    "David", "Paul", "Mark", "Andrew", "James", "Richard", "Michael", "Chris", "Matthew",
    "Daniel", "Simon", "Stephen", "Gareth", "Tom", "Ben", "Adam", "Neil", "Jonathan", "Peter",
    "Robert", "Ian", "Graham",
)  # fmt: skip
# The name a child is called by, for some of the legal names that have one.
NICKNAMES = {
    "Alexander": "Alex", "Thomas": "Tom", "William": "Will", "Oliver": "Ollie",
    "Elizabeth": "Lizzie", "Katherine": "Kate", "Samuel": "Sam", "Joseph": "Joe",
    "Jessica": "Jess", "Benjamin": "Ben", "Daniel": "Dan", "Matthew": "Matt",
    "Charlotte": "Lottie", "Abigail": "Abi", "Isabella": "Bella", "Frederick": "Freddie",
    "Theodore": "Teddy", "Zachary": "Zac", "Eleanor": "Ellie", "Muhammad": "Mo",
    "Oluwaseun": "Seun", "Aleksandra": "Ola", "Anastasia": "Nastya", "Alexandra": "Sasha",
}  # fmt: skip


# --- What the builder reports ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """A named demo login, read back from the database."""

    email: str
    name: str
    trust: str
    schools: tuple[str, ...]  # empty for a trust-wide login
    roles: tuple[Role, ...]

    @property
    def school(self) -> str | None:
        return self.schools[0] if self.schools else None

    def as_json(self) -> dict[str, object]:
        return {
            "email": self.email,
            "name": self.name,
            "password": DEMO_PASSWORD,
            "trust": self.trust,
            "school": self.school,
            "schools": list(self.schools),
            "roles": [role.value for role in self.roles],
        }


@dataclass(frozen=True)
class TrustCounts:
    trust: str
    schools: int
    pupils: int
    staff: int
    groups: int


@dataclass(frozen=True)
class DemoResult:
    created: bool  # False when the demo was already there and nothing changed
    counts: list[TrustCounts]


# --- Reading and removing -------------------------------------------------------------------


def demo_exists() -> bool:
    return Trust.objects.filter(name=DEMO_TRUST_NAME).exists()


def demo_logins() -> list[DemoLogin]:
    """The named demo logins with their roles and schools, as they stand in the database."""
    order = demo_login_emails()
    memberships = (
        Membership.objects.filter(user__email__in=order)
        .select_related("user", "trust", "school")
        .order_by("id")
    )
    role_order = list(Role)
    found: dict[str, tuple[str, list[str], list[Role]]] = {}
    names: dict[str, str] = {}
    for membership in memberships:
        names[membership.user.email] = membership.user.full_name
        _, schools, roles = found.setdefault(membership.user.email, (membership.trust.name, [], []))
        if membership.school is not None and membership.school.name not in schools:
            schools.append(membership.school.name)
        if Role(membership.role) not in roles:
            roles.append(Role(membership.role))
    return [
        DemoLogin(
            email=email,
            name=names[email],
            trust=found[email][0],
            schools=tuple(found[email][1]),
            roles=tuple(sorted(found[email][2], key=role_order.index)),
        )
        for email in order
        if email in found
    ]


def demo_counts() -> list[TrustCounts]:
    counts = []
    for trust in Trust.objects.filter(name__in=DEMO_TRUST_NAMES).order_by("-name"):
        counts.append(
            TrustCounts(
                trust=trust.name,
                schools=trust.schools.count(),
                pupils=trust.pupils.count(),
                staff=User.objects.filter(memberships__trust=trust).distinct().count(),
                groups=TeachingGroup.objects.filter(trust=trust).count(),
            )
        )
    return counts


def _carries_trust(model: type[models.Model]) -> bool:
    try:
        field_ = model._meta.get_field("trust")
    except FieldDoesNotExist:
        return False
    return field_.is_relation and field_.related_model is Trust


def demo_remove() -> None:
    """Delete both demo trusts, every row that carries them, and the demo domains' users."""
    trusts = list(Trust.objects.filter(name__in=DEMO_TRUST_NAMES))
    if trusts:
        # Every tenant row carries its trust, so deleting by trust reaches all of it, including
        # tables added by apps written after this one. PROTECT keys decide the order: a table
        # whose rows are still referenced is retried once the rows referring to it are gone.
        pending = [model for model in apps.get_models() if _carries_trust(model)]
        while pending:
            blocked: list[type[models.Model]] = []
            error: Exception | None = None
            for model in pending:
                try:
                    model._default_manager.filter(trust__in=trusts).delete()
                except (ProtectedError, RestrictedError) as exc:
                    blocked.append(model)
                    error = exc
            if error is not None and len(blocked) == len(pending):
                raise error
            pending = blocked
        Trust.objects.filter(pk__in=[trust.pk for trust in trusts]).delete()
    demo_users = Q()
    for domain in DEMO_DOMAINS:
        demo_users |= Q(email__iendswith=f"@{domain}")
    User.objects.filter(demo_users).delete()


@transaction.atomic
def demo_seed(*, reset: bool = False, today: dt.date | None = None) -> DemoResult:
    """Build the demo unless it is already there; with reset, delete it first and rebuild.
    The academic year is the one containing today; everything else is fixed by DEMO_SEED."""
    if demo_exists() and not reset:
        return DemoResult(created=False, counts=demo_counts())
    demo_remove()
    today = today or timezone.localdate()
    start_year = AcademicYear.start_year_for(today)
    _Builder(seed=DEMO_SEED, start_year=start_year).build()
    _extend(today=today)
    return DemoResult(created=True, counts=demo_counts())


def _extend(*, today: dt.date) -> None:
    """Let the apps built on pupils add their part of the demo. Pupils may not import them, so
    each is found by name: app ``grove.x`` contributes ``seed_x(trusts=..., today=...)`` in its
    ``demo`` module (tracking's is ``grove.tracking.demo.seed_tracking``)."""
    trusts = list(Trust.objects.filter(name__in=DEMO_TRUST_NAMES).order_by("name"))
    for config in apps.get_app_configs():
        if not config.name.startswith("grove.") or config.name == __package__:
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name in (config.name, f"{config.name}.demo"):
                continue
            raise
        seed = getattr(module, f"seed_{config.label}", None)
        if seed is not None:
            seed(trusts=trusts, today=today)


# --- Building -------------------------------------------------------------------------------


def _year_number(year_group: str) -> int:
    """Reception is 0, nursery below it; a pupil in year n turns n + 5 during the year."""
    nursery_and_reception = {"N1": -2, "N2": -1, "R": 0}
    if year_group in nursery_and_reception:
        return nursery_and_reception[year_group]
    return int(year_group)


def _weighted(rng: random.Random, weights: Weights) -> str:
    return rng.choices([key for key, _ in weights], weights=[w for _, w in weights])[0]


def _email_part(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in plain.encode("ascii", "ignore").decode().lower() if c.isalnum())


@dataclass
class _Post:
    trust: str
    school: str | None  # a DemoSchool key; None for a trust-wide role
    role: Role
    job_title: str


@dataclass
class _Person:
    email: str
    given_name: str
    family_name: str
    is_staff: bool = False
    posts: list[_Post] = field(default_factory=list)
    user: User | None = None


@dataclass
class _Group:
    school: DemoSchool
    name: str
    year_groups: tuple[str, ...]
    size: int = 0
    kind: GroupKind = GroupKind.CLASS
    subject: str = ""
    teachers: list[_Person] = field(default_factory=list)
    pupils: list[Pupil] = field(default_factory=list)


@dataclass
class _Draft:
    """A pupil before saving, with what the builder needs to know about them."""

    pupil: Pupil
    school: DemoSchool
    year_group: str
    first_language: str
    values: CharacteristicValues = field(default_factory=CharacteristicValues)
    earlier: CharacteristicValues | None = None


class _Builder:
    def __init__(self, *, seed: int, start_year: int) -> None:
        self.rng = random.Random(seed)
        self.start_year = start_year
        self.sept1 = dt.date(start_year, 9, 1)
        self.trusts: dict[str, Trust] = {}
        self.people: dict[str, _Person] = {}
        self.groups: list[_Group] = []
        self.drafts: list[_Draft] = []
        self.former_upns: list[tuple[_Draft, str, dt.date]] = []
        self.upn_serials: Counter[str] = Counter()

    def build(self) -> None:
        years = {
            start: AcademicYear.objects.get_or_create(start_year=start)[0]
            for start in range(self.start_year - 2, self.start_year + 1)
        }
        self.trusts = {name: Trust.objects.create(name=name) for name in DEMO_TRUST_NAMES}
        for spec in SCHOOLS:
            classes = self._classes(spec)
            school_drafts = self._pupils(spec, classes)
            self._characteristics(spec, school_drafts)
            sets = self._secondary_sets(spec, classes) if spec.phase == Phase.SECONDARY else []
            self.groups += classes + sets
            if spec.phase == Phase.SECONDARY:
                self._secondary_staff(spec, classes, sets)
            else:
                self._school_staff(spec, classes)
        self._trust_staff()
        self._history()
        self._upn_changes()
        self._save(years)

    # --- classes and pupils ---
    def _classes(self, spec: DemoSchool) -> list[_Group]:
        rng = self.rng
        if spec.phase == Phase.SECONDARY:
            return [
                _Group(spec, f"{year}{letter}", (str(year),), size=rng.randint(28, 32))
                for year in range(11, 6, -1)
                for letter in SECONDARY_TUTOR_LETTERS
            ]
        if spec.phase == Phase.SPECIAL:
            return [
                _Group(spec, name, years, size=rng.randint(7, 9)) for name, years in SPECIAL_CLASSES
            ]
        labels = dict(YEAR_GROUPS)
        return [
            _Group(spec, f"{labels[code]} {form}", (code,), size=rng.randint(*spec.class_sizes))
            for code in PRIMARY_YEARS
            for form in spec.forms
        ]

    def _pupils(self, spec: DemoSchool, classes: list[_Group]) -> list[_Draft]:
        rates = SPECIAL_RATES if spec.phase == Phase.SPECIAL else MAINSTREAM_RATES
        total = sum(group.size for group in classes)
        with_eal = set(self.rng.sample(range(total), round(total * rates.eal)))
        drafts: list[_Draft] = []
        for group in classes:
            for place in range(group.size):
                year_group = group.year_groups[place % len(group.year_groups)]
                draft = self._pupil(spec, year_group, eal=len(drafts) in with_eal, boys=rates.boys)
                drafts.append(draft)
                group.pupils.append(draft.pupil)
        self.drafts += drafts
        return drafts

    def _pupil(self, spec: DemoSchool, year_group: str, *, eal: bool, boys: float) -> _Draft:
        rng = self.rng
        if eal:
            background = _weighted(rng, EAL_BACKGROUNDS)
            language = _weighted(rng, BACKGROUNDS[background].languages)
        else:
            background = _weighted(rng, ENGLISH_SPEAKING_BACKGROUNDS)
            language = "ENG"
        names = BACKGROUNDS[background]
        sex = "M" if rng.random() < boys else "F"
        first = rng.choice(names.boys if sex == "M" else names.girls)
        last = rng.choice(names.surnames)
        preferred_first = NICKNAMES[first] if first in NICKNAMES and rng.random() < 0.5 else ""
        preferred_last = ""
        if rng.random() < 0.01:  # known by a step-parent's surname
            preferred_last = rng.choice([s for s in names.surnames if s != last])
        pupil = Pupil(
            trust=self.trusts[spec.trust],
            upn=make_upn(self._upn_body(spec, year_group)),
            legal_first_name=first,
            legal_last_name=last,
            preferred_first_name=preferred_first,
            preferred_last_name=preferred_last,
            date_of_birth=self._date_of_birth(year_group),
            sex=sex,
        )
        return _Draft(pupil=pupil, school=spec, year_group=year_group, first_language=language)

    def _date_of_birth(self, year_group: str) -> dt.date:
        # Born between 1 September and 31 August of the cohort's school year.
        n = _year_number(year_group)
        first = dt.date(self.start_year - n - 5, 9, 1)
        last = dt.date(self.start_year - n - 4, 8, 31)
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def _upn_body(self, spec: DemoSchool, year_group: str) -> str:
        # LA code, establishment number, the year allocated (on starting school), a serial.
        la_code, establishment = spec.la_code, spec.establishment_number
        if spec.phase == Phase.SECONDARY:
            la_code, establishment = self.rng.choice(SECONDARY_FEEDERS)
        allocated = (self.start_year - max(_year_number(year_group), 0)) % 100
        prefix = f"{la_code}{establishment}{allocated:02d}"
        self.upn_serials[prefix] += 1
        serial = self.upn_serials[prefix]
        if serial > 999:
            raise ValueError(f"More than 999 demo UPNs start {prefix}.")
        return f"{prefix}{serial:03d}"

    def _characteristics(self, spec: DemoSchool, drafts: list[_Draft]) -> None:
        rates = SPECIAL_RATES if spec.phase == Phase.SPECIAL else MAINSTREAM_RATES
        rng = self.rng
        n = len(drafts)

        def pick(rate: float, exclude: set[int] | None = None) -> set[int]:
            pool = [i for i in range(n) if not exclude or i not in exclude]
            return set(rng.sample(pool, min(len(pool), round(n * rate))))

        fsm = pick(rates.fsm)
        ever6 = fsm | pick(rates.ever6_only, exclude=fsm)
        plans = pick(rates.ehc_plan)
        support = pick(rates.sen_support, exclude=plans)
        looked_after = pick(rates.looked_after)
        previously = pick(rates.previously_looked_after, exclude=looked_after)
        service = pick(rates.service_child, exclude=looked_after | previously)
        for i, draft in enumerate(drafts):
            provision = "E" if i in plans else "K" if i in support else "N"
            primary, secondary = self._needs(spec, provision)
            draft.values = CharacteristicValues(
                sen_provision=provision,
                sen_primary_need=primary,
                sen_secondary_need=secondary,
                fsm=i in fsm,
                fsm_ever6=i in ever6,
                pupil_premium=i in ever6 or i in looked_after or i in previously,
                eal=draft.first_language not in ENGLISH_LANGUAGE_CODES,
                first_language=draft.first_language,
                looked_after=i in looked_after,
                previously_looked_after=i in previously,
                service_child=i in service,
            )

    def _needs(self, spec: DemoSchool, provision: str) -> tuple[str, str]:
        if provision == "N":
            return "", ""
        if spec.phase == Phase.SPECIAL:
            weights = SPECIAL_NEEDS
        else:
            weights = MAINSTREAM_PLAN_NEEDS if provision == "E" else MAINSTREAM_SUPPORT_NEEDS
        primary = _weighted(self.rng, weights)
        secondary = ""
        if primary != "NSA" and self.rng.random() < SECONDARY_NEED_RATE:
            secondary = _weighted(self.rng, [(k, w) for k, w in SECONDARY_NEEDS if k != primary])
        return primary, secondary

    def _history(self) -> None:
        """Last year's record for some pupils, so that a change of provision shows."""
        eligible = [d for d in self.drafts if _year_number(d.year_group) >= 1]
        for draft in self.rng.sample(eligible, round(len(self.drafts) * HISTORY_RATE)):
            now = draft.values
            if now.sen_provision == "E":  # the plan was issued this year
                draft.earlier = replace(now, sen_provision="K", sen_secondary_need="")
            elif now.sen_provision == "K":  # newly identified
                draft.earlier = replace(
                    now, sen_provision="N", sen_primary_need="", sen_secondary_need=""
                )
            elif now.fsm:  # newly eligible for free meals
                draft.earlier = replace(
                    now,
                    fsm=False,
                    fsm_ever6=False,
                    pupil_premium=now.looked_after or now.previously_looked_after,
                )
            else:  # came off SEN support
                need = _weighted(self.rng, MAINSTREAM_SUPPORT_NEEDS)
                draft.earlier = replace(now, sen_provision="K", sen_primary_need=need)

    def _upn_changes(self) -> None:
        """A few new arrivals still on temporary UPNs, and two pupils whose UPN was replaced."""
        riverside = [d for d in self.drafts if d.school.trust == DEMO_TRUST_NAME]
        arrivals = self.rng.sample([d for d in riverside if d.values.eal], 3)
        for serial, draft in enumerate(arrivals, start=1):
            draft.pupil.upn = make_upn(self._temporary_body(draft.school, self.start_year, serial))
            draft.pupil.upn_is_temporary = True
        settled = [d for d in riverside if d not in arrivals and _year_number(d.year_group) >= 2]
        for serial, draft in enumerate(self.rng.sample(settled, 2), start=50):
            body = self._temporary_body(draft.school, self.start_year - 1, serial)
            replaced_on = dt.date(self.start_year - 1, 11, 1) + dt.timedelta(
                days=self.rng.randint(0, 90)
            )
            self.former_upns.append((draft, make_upn(body), replaced_on))

    def _temporary_body(self, spec: DemoSchool, year: int, serial: int) -> str:
        # A temporary UPN ends in a letter where a permanent one has its last digit.
        letter = self.rng.choice(UPN_CHECK_LETTERS)
        return f"{spec.la_code}{spec.establishment_number}{year % 100:02d}{serial:02d}{letter}"

    def _secondary_sets(self, spec: DemoSchool, tutor_groups: list[_Group]) -> list[_Group]:
        year11 = [
            pupil
            for group in tutor_groups
            if group.year_groups == ("11",)
            for pupil in group.pupils
        ]
        sets: list[_Group] = []
        for subject, code in (("Mathematics", "Ma"), ("English", "En")):
            order = self.rng.sample(year11, len(year11))
            size = math.ceil(len(order) / 6)
            for number in range(6):
                sets.append(
                    _Group(
                        spec,
                        f"11 {code}{number + 1}",
                        ("11",),
                        kind=GroupKind.SET,
                        subject=subject,
                        pupils=order[number * size : (number + 1) * size],
                    )
                )
        return sets

    # --- staff ---
    def _person(self, domain: str, *, email: str = "") -> _Person:
        rng = self.rng
        background = _weighted(rng, STAFF_BACKGROUNDS)
        names = BACKGROUNDS[background]
        woman = rng.random() < 0.75  # three in four school staff are women
        if background == "english":
            given = rng.choice(ADULT_WOMEN if woman else ADULT_MEN)
        else:
            given = rng.choice(names.girls if woman else names.boys)
        family = rng.choice(names.surnames)
        if not email:
            base = f"{_email_part(given)}.{_email_part(family)}"
            email, number = f"{base}@{domain}", 1
            while email in self.people:
                number += 1
                email = f"{base}{number}@{domain}"
        person = _Person(email=email, given_name=given, family_name=family)
        self.people[email] = person
        return person

    def _staff(self, spec: DemoSchool, role: Role, job_title: str, *, login: str = "") -> _Person:
        email = login_email(login, spec) if login else ""
        person = self._person(spec.domain, email=email)
        person.posts.append(_Post(spec.trust, spec.key, role, job_title))
        return person

    def _leaders_and_support(self, spec: DemoSchool, *, office_staff: tuple[str, ...]) -> None:
        self._staff(spec, Role.HEADTEACHER, "Headteacher", login="head")
        self._staff(spec, Role.SENIOR_LEADER, "Deputy headteacher", login="deputy")
        if spec.key == SHARED_SENCO_SCHOOLS[1]:
            shared = self.people[login_email("senco", SCHOOLS_BY_KEY[SHARED_SENCO_SCHOOLS[0]])]
            shared.posts.append(_Post(spec.trust, spec.key, Role.SENCO, "SENCO"))
        else:
            self._staff(spec, Role.SENCO, "SENCO", login="senco")
        self._staff(spec, Role.SUPPORT_STAFF, "Office manager", login="office")
        for title in office_staff:
            self._staff(spec, Role.SUPPORT_STAFF, title)
        self._staff(spec, Role.GOVERNOR, "Chair of governors", login="governor")
        self._staff(spec, Role.GOVERNOR, "Parent governor")
        self._staff(spec, Role.ADMINISTRATOR, "Data manager", login="admin")

    def _school_staff(self, spec: DemoSchool, classes: list[_Group]) -> None:
        """A primary or special school: a teacher per class and one or two TAs."""
        self._leaders_and_support(
            spec, office_staff=("Site manager", "Midday supervisor", "Midday supervisor")
        )
        if spec.phase == Phase.SPECIAL:
            demo_class, lead_class, assistants = "Foxes", "Herons", 2
            lead_title = "Communication and literacy leader"
        else:
            demo_class, lead_class, assistants = (
                f"Year 5 {spec.forms[0]}",
                f"Year 6 {spec.forms[0]}",
                1,
            )
            lead_title = "English leader"
        for group in classes:
            if group.name == demo_class:
                teacher = self._staff(spec, Role.TEACHER, "Class teacher", login="teacher")
            elif group.name == lead_class:
                teacher = self._staff(spec, Role.SUBJECT_LEADER, lead_title, login="subjectlead")
                teacher.posts.append(_Post(spec.trust, spec.key, Role.TEACHER, "Class teacher"))
            else:
                teacher = self._staff(spec, Role.TEACHER, "Class teacher")
            group.teachers.append(teacher)
            for number in range(assistants):
                login = "ta" if group.name == demo_class and number == 0 else ""
                ta = self._staff(spec, Role.TEACHING_ASSISTANT, "Teaching assistant", login=login)
                group.teachers.append(ta)

    def _secondary_staff(
        self, spec: DemoSchool, tutor_groups: list[_Group], sets: list[_Group]
    ) -> None:
        self._leaders_and_support(
            spec, office_staff=("Site manager", "Exams officer", "Midday supervisor")
        )
        for _ in range(2):
            self._staff(spec, Role.SENIOR_LEADER, "Assistant headteacher")
        maths = [
            self._staff(spec, Role.TEACHER, "Teacher of Mathematics", login="teacher"),
            self._staff(spec, Role.SUBJECT_LEADER, "Head of Mathematics", login="subjectlead"),
        ]
        maths[1].posts.append(_Post(spec.trust, spec.key, Role.TEACHER, "Teacher of Mathematics"))
        maths += [self._staff(spec, Role.TEACHER, "Teacher of Mathematics") for _ in range(4)]
        english = [self._staff(spec, Role.SUBJECT_LEADER, "Head of English")]
        english[0].posts.append(_Post(spec.trust, spec.key, Role.TEACHER, "Teacher of English"))
        english += [self._staff(spec, Role.TEACHER, "Teacher of English") for _ in range(5)]
        others = [
            self._staff(spec, Role.TEACHER, f"Teacher of {subject}")
            for subject in SECONDARY_OTHER_SUBJECTS
        ]
        # Every teacher tutors a form; the demo teacher's is 11A, first in the list.
        for tutor, group in zip(maths + english + others, tutor_groups, strict=False):
            group.teachers.append(tutor)
        maths_sets = [s for s in sets if s.subject == "Mathematics"]
        english_sets = [s for s in sets if s.subject == "English"]
        for teacher, group in zip(maths, maths_sets, strict=True):
            group.teachers.append(teacher)
        for teacher, group in zip(english, english_sets, strict=True):
            group.teachers.append(teacher)
        # The demo TA supports the sixth sets, where extra help usually goes.
        ta = self._staff(spec, Role.TEACHING_ASSISTANT, "Teaching assistant", login="ta")
        maths_sets[-1].teachers.append(ta)
        english_sets[-1].teachers.append(ta)
        for _ in range(5):
            self._staff(spec, Role.TEACHING_ASSISTANT, "Teaching assistant")

    def _trust_staff(self) -> None:
        """The trust's central team, and a peripatetic music teacher in two of its schools."""
        for prefix, role, job_title in TRUST_LOGINS:
            person = self._person(RIVERSIDE_DOMAIN, email=f"{prefix}@{RIVERSIDE_DOMAIN}")
            person.posts.append(_Post(DEMO_TRUST_NAME, None, role, job_title))
        first, second = (SCHOOLS_BY_KEY[key] for key in SHARED_TEACHER_SCHOOLS)
        music = self._staff(first, Role.TEACHER, "Music teacher")
        music.posts.append(_Post(second.trust, second.key, Role.TEACHER, "Music teacher"))

    # --- saving ---
    def _save(self, years: dict[int, AcademicYear]) -> None:
        current = years[self.start_year]
        schools = {
            spec.key: School(
                trust=self.trusts[spec.trust],
                name=spec.name,
                urn=spec.urn,
                la_code=spec.la_code,
                establishment_number=spec.establishment_number,
                phase=spec.phase,
            )
            for spec in SCHOOLS
        }
        School.objects.bulk_create(schools.values())
        Term.objects.bulk_create(
            Term(trust=trust, academic_year=year, name=name, starts=starts, ends=ends)
            for trust in self.trusts.values()
            for year in years.values()
            for name, starts, ends in term_dates(year.start_year)
        )

        # One hash for everyone: hashing a password per user would take most of the build.
        password = make_password(DEMO_PASSWORD)
        joined = dt.datetime(self.start_year, 9, 1, 8, tzinfo=dt.UTC)
        users = {
            person.email: User(
                email=person.email,
                given_name=person.given_name,
                family_name=person.family_name,
                password=password,
                is_staff=person.is_staff,
                date_joined=joined,
            )
            for person in self.people.values()
        }
        User.objects.bulk_create(users.values())
        Membership.objects.bulk_create(
            Membership(
                user=users[person.email],
                trust=self.trusts[post.trust],
                school=schools[post.school] if post.school else None,
                role=post.role,
                job_title=post.job_title,
            )
            for person in self.people.values()
            for post in person.posts
        )

        Pupil.objects.bulk_create(draft.pupil for draft in self.drafts)
        Enrolment.objects.bulk_create(
            Enrolment(
                trust=self.trusts[draft.school.trust],
                pupil=draft.pupil,
                school=schools[draft.school.key],
                academic_year=current,
                year_group=draft.year_group,
                starts=self.sept1,
            )
            for draft in self.drafts
        )
        records = []
        for draft in self.drafts:
            trust = self.trusts[draft.school.trust]
            records.append(
                Characteristics(
                    trust=trust, pupil=draft.pupil, valid_from=self.sept1, **asdict(draft.values)
                )
            )
            if draft.earlier is not None:
                records.append(
                    Characteristics(
                        trust=trust,
                        pupil=draft.pupil,
                        valid_from=dt.date(self.start_year - 1, 9, 1),
                        valid_to=self.sept1 - dt.timedelta(days=1),
                        **asdict(draft.earlier),
                    )
                )
        Characteristics.objects.bulk_create(records)
        FormerUPN.objects.bulk_create(
            FormerUPN(
                trust_id=draft.pupil.trust_id, pupil=draft.pupil, upn=upn, replaced_on=replaced_on
            )
            for draft, upn, replaced_on in self.former_upns
        )

        saved = TeachingGroup.objects.bulk_create(
            TeachingGroup(
                trust=self.trusts[group.school.trust],
                school=schools[group.school.key],
                academic_year=current,
                name=group.name,
                kind=group.kind,
                year_groups=list(group.year_groups),
                subject=group.subject,
            )
            for group in self.groups
        )
        GroupTeacher.objects.bulk_create(
            GroupTeacher(trust_id=row.trust_id, group_id=row.pk, user_id=users[teacher.email].pk)
            for group, row in zip(self.groups, saved, strict=True)
            for teacher in group.teachers
        )
        GroupPupil.objects.bulk_create(
            GroupPupil(trust_id=row.trust_id, group=row, pupil=pupil, starts=self.sept1)
            for group, row in zip(self.groups, saved, strict=True)
            for pupil in group.pupils
        )

        # One event per trust, each naming only its own: a trust never reads of another.
        for name, trust in self.trusts.items():
            pupils = sum(1 for draft in self.drafts if draft.school.trust == name)
            audit_record(
                actor=None,
                action="demo.seed",
                summary=(
                    f"Seeded the demo: {trust.name} ({trust.schools.count()} schools, "
                    f"{pupils:,} pupils), for {current}"
                ),
                trust=trust,
                target=trust,
            )


# --- Term dates -----------------------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Easter Day in the Gregorian calendar (the anonymous algorithm, as in Meeus)."""
    golden = year % 19
    century, rest = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (19 * golden + century - leap_centuries - (century - correction + 1) // 3 + 15) % 30
    quarters, rest_rest = divmod(rest, 4)
    weekday = (32 + 2 * century_rest + 2 * quarters - moon - rest_rest) % 7
    shift = (golden + 11 * moon + 22 * weekday) // 451
    month, day = divmod(moon + weekday - 7 * shift + 114, 31)
    return dt.date(year, month, day + 1)


def _working_day_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _working_day_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def term_dates(start_year: int) -> list[tuple[TermName, dt.date, dt.date]]:
    """Typical English term dates for the academic year starting in September of start_year.
    The Easter holiday runs from Good Friday to the Monday a week after Easter Monday."""
    easter = easter_sunday(start_year + 1)
    return [
        (
            TermName.AUTUMN,
            _working_day_on_or_after(dt.date(start_year, 9, 2)),
            _working_day_on_or_before(dt.date(start_year, 12, 20)),
        ),
        (
            TermName.SPRING,
            _working_day_on_or_after(dt.date(start_year + 1, 1, 4)),
            easter - dt.timedelta(days=3),
        ),
        (
            TermName.SUMMER,
            easter + dt.timedelta(days=8),
            _working_day_on_or_before(dt.date(start_year + 1, 7, 22)),
        ),
    ]
