"""`manage.py seed_demo`: the demo trusts look like real schools, and the command is repeatable."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from grove.core.models import (
    SCHOOL_ONLY_ROLES,
    AcademicYear,
    AuditEvent,
    Membership,
    Phase,
    Role,
    School,
    Term,
    TermName,
    Trust,
    User,
)
from grove.pupils import demo
from grove.pupils.codes import ENGLISH_LANGUAGE_CODES, FIRST_LANGUAGES, SEN_NEEDS, validate_upn
from grove.pupils.models import (
    Characteristics,
    Enrolment,
    FormerUPN,
    GroupKind,
    GroupPupil,
    Pupil,
    TeachingGroup,
)

RIVERSIDE = demo.DEMO_TRUST_NAME
NORTHGATE = demo.SECOND_TRUST_NAME


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Seed once for the module (tests roll back their own changes), and clean up after."""
    with django_db_blocker.unblock():
        years_before = set(AcademicYear.objects.values_list("pk", flat=True))
        output = seed()
    yield output
    with django_db_blocker.unblock(), transaction.atomic():
        demo.demo_remove()
        AcademicYear.objects.exclude(pk__in=years_before).delete()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def this_start_year() -> int:
    return AcademicYear.start_year_for(timezone.localdate())


def current(trust: str = RIVERSIDE) -> QuerySet[Characteristics]:
    return Characteristics.objects.filter(trust__name=trust, valid_to__isnull=True)


def percent(rows: QuerySet[Characteristics], condition: Q) -> float:
    return 100 * rows.filter(condition).count() / rows.count()


def pupil_snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        Enrolment.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES).values_list(
            "pupil__upn",
            "pupil__legal_first_name",
            "pupil__legal_last_name",
            "pupil__preferred_first_name",
            "pupil__date_of_birth",
            "pupil__sex",
            "school__name",
            "year_group",
        )
    )


# --- The trust and its schools ---------------------------------------------------------------


def test_riverside_has_primaries_a_secondary_and_a_special_school() -> None:
    phases = Counter(School.objects.filter(trust__name=RIVERSIDE).values_list("phase", flat=True))
    assert phases[Phase.PRIMARY] >= 2
    assert phases[Phase.SECONDARY] == 1
    assert phases[Phase.SPECIAL] == 1


def test_school_numbers_are_well_formed_and_unique() -> None:
    schools = list(School.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES))
    for school in schools:
        school.full_clean()
        assert re.fullmatch(r"\d{6}", school.urn)
        assert re.fullmatch(r"\d{3}", school.la_code)
        assert re.fullmatch(r"\d{4}", school.establishment_number)
    assert len({s.urn for s in schools}) == len(schools)
    assert len({s.dfe_number for s in schools}) == len(schools)


def test_pupil_numbers_are_those_of_a_real_trust() -> None:
    on_roll = dict(
        Enrolment.objects.filter(
            trust__name__in=demo.DEMO_TRUST_NAMES, academic_year__start_year=this_start_year()
        )
        .values_list("school__phase")
        .annotate(n=Count("id"))
    )
    assert 1800 <= Pupil.objects.filter(trust__name=RIVERSIDE).count() <= 2200
    assert 800 <= on_roll[Phase.SECONDARY] <= 1000
    assert 60 <= on_roll[Phase.SPECIAL] <= 100
    assert 120 <= Pupil.objects.filter(trust__name=NORTHGATE).count() <= 180


def test_second_trust_has_one_school_and_shares_nobody() -> None:
    northgate = Trust.objects.get(name=NORTHGATE)
    assert northgate.schools.count() == 1
    northgate_staff = set(
        Membership.objects.filter(trust=northgate).values_list("user_id", flat=True)
    )
    riverside_staff = set(
        Membership.objects.filter(trust__name=RIVERSIDE).values_list("user_id", flat=True)
    )
    assert northgate_staff
    assert not northgate_staff & riverside_staff
    roles = set(Membership.objects.filter(trust=northgate).values_list("role", flat=True))
    assert {Role.HEADTEACHER, Role.TEACHER, Role.GOVERNOR} <= roles


def test_three_academic_years_and_this_years_terms_in_order() -> None:
    start = this_start_year()
    assert set(
        AcademicYear.objects.filter(start_year__gte=start - 2).values_list("start_year", flat=True)
    ) >= {start - 2, start - 1, start}
    for trust in demo.DEMO_TRUST_NAMES:
        terms = list(
            Term.objects.filter(trust__name=trust, academic_year__start_year=start).order_by(
                "starts"
            )
        )
        assert [t.name for t in terms] == [TermName.AUTUMN, TermName.SPRING, TermName.SUMMER]
        assert terms[0].starts >= dt.date(start, 9, 1)
        assert terms[0].ends.month == 12
        assert terms[1].starts.month == 1
        assert terms[1].ends.month in (3, 4)
        assert terms[2].starts.month in (4, 5)
        assert terms[2].ends <= dt.date(start + 1, 7, 31)
        for earlier, later in itertools.pairwise(terms):
            assert earlier.ends < later.starts
        for term in terms:
            assert term.starts.weekday() < 5
            assert term.ends.weekday() < 5


def test_easter_is_where_the_calendar_puts_it() -> None:
    assert demo.easter_sunday(2024) == dt.date(2024, 3, 31)
    assert demo.easter_sunday(2025) == dt.date(2025, 4, 20)
    assert demo.easter_sunday(2026) == dt.date(2026, 4, 5)


# --- Pupils ----------------------------------------------------------------------------------


def test_proportions_are_realistic() -> None:
    rows = current()
    assert 18 <= percent(rows, Q(pupil_premium=True)) <= 26
    assert 15 <= percent(rows, Q(fsm=True)) <= 25
    assert 10 <= percent(rows, Q(sen_provision="K")) <= 16
    assert 2 <= percent(rows, Q(sen_provision="E")) <= 4
    assert 15 <= percent(rows, Q(eal=True)) <= 25
    assert (
        40
        <= 100
        * Pupil.objects.filter(trust__name=RIVERSIDE, sex="F").count()
        / (Pupil.objects.filter(trust__name=RIVERSIDE).count())
        <= 60
    )
    for flag in ("looked_after", "previously_looked_after", "service_child"):
        assert 1 <= rows.filter(**{flag: True}).count() <= 40, flag


def test_most_pupils_of_the_special_school_have_ehc_plans() -> None:
    special = current().filter(pupil__enrolments__school__phase=Phase.SPECIAL)
    assert percent(special, Q(sen_provision="E")) > 50
    needs = Counter(special.values_list("sen_primary_need", flat=True))
    assert {need for need, _ in needs.most_common(3)} & {"SLD", "PMLD", "ASD"}


def test_characteristics_hang_together() -> None:
    needs = dict(SEN_NEEDS)
    languages = dict(FIRST_LANGUAGES)
    secondary_needs = 0
    for row in Characteristics.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES):
        if row.fsm:
            assert row.fsm_ever6
        assert row.pupil_premium == (
            row.fsm_ever6 or row.looked_after or row.previously_looked_after
        )
        assert not (row.looked_after and row.previously_looked_after)
        assert row.first_language in languages
        assert row.eal == (row.first_language not in ENGLISH_LANGUAGE_CODES)
        if row.sen_provision == "N":
            assert row.sen_primary_need == row.sen_secondary_need == ""
        else:
            assert row.sen_primary_need in needs
        if row.sen_secondary_need:
            assert row.sen_secondary_need in needs
            assert row.sen_secondary_need != row.sen_primary_need
            secondary_needs += 1
    assert secondary_needs > 10
    common = Counter(current().filter(sen_provision="K").values_list("sen_primary_need", flat=True))
    assert {need for need, _ in common.most_common(5)} <= {"SLCN", "ASD", "SEMH", "MLD", "SPLD"}


def test_every_pupil_has_one_current_record_and_some_have_history() -> None:
    pupils = Pupil.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES).count()
    assert current(RIVERSIDE).count() + current(NORTHGATE).count() == pupils
    start = dt.date(this_start_year(), 9, 1)
    assert not Characteristics.objects.filter(valid_to__isnull=True).exclude(valid_from=start)
    history = Characteristics.objects.filter(
        trust__name__in=demo.DEMO_TRUST_NAMES, valid_to__isnull=False
    )
    assert 0.03 * pupils <= history.count() <= 0.07 * pupils
    assert not history.filter(valid_to__gte=start)
    now = {row.pupil_id: row for row in current(RIVERSIDE) | current(NORTHGATE)}
    for row in history:
        assert (row.sen_provision, row.fsm) != (
            now[row.pupil_id].sen_provision,
            now[row.pupil_id].fsm,
        )


def test_every_upn_is_valid_and_unique_with_a_few_temporary() -> None:
    upns = list(
        Pupil.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES).values_list(
            "upn", "upn_is_temporary"
        )
    )
    for upn, temporary in upns:
        assert validate_upn(upn) == (upn, temporary)
    assert len({upn for upn, _ in upns}) == len(upns)
    assert sum(temporary for _, temporary in upns) == 3
    former = list(FormerUPN.objects.filter(pupil__trust__name=RIVERSIDE))
    assert len(former) >= 2
    for row in former:
        validate_upn(row.upn)
        assert row.upn != row.pupil.upn


def test_dates_of_birth_match_year_groups() -> None:
    # Earlier years' enrolments (tracking's history) are a year group lower, so they agree too.
    for start, year_group, born in Enrolment.objects.filter(
        trust__name__in=demo.DEMO_TRUST_NAMES
    ).values_list("academic_year__start_year", "year_group", "pupil__date_of_birth"):
        n = 0 if year_group == "R" else int(year_group)
        assert dt.date(start - n - 5, 9, 1) <= born <= dt.date(start - n - 4, 8, 31), year_group


def test_every_pupil_is_enrolled_this_year_and_placed_in_a_class() -> None:
    start = this_start_year()
    pupils = Pupil.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES)
    enrolments = Enrolment.objects.filter(pupil__in=pupils, academic_year__start_year=start)
    assert enrolments.count() == pupils.count()
    assert not enrolments.exclude(starts=dt.date(start, 9, 1))
    in_class = GroupPupil.objects.filter(
        pupil__in=pupils, group__kind=GroupKind.CLASS, group__academic_year__start_year=start
    )
    assert in_class.values("pupil").distinct().count() == pupils.count()
    assert not in_class.exclude(starts=dt.date(start, 9, 1))


def test_names_include_preferred_ones() -> None:
    pupils = Pupil.objects.filter(trust__name=RIVERSIDE)
    assert pupils.exclude(preferred_first_name="").count() > 20
    assert pupils.values("legal_last_name").distinct().count() > 100


# --- Staff and groups ------------------------------------------------------------------------


def test_every_school_has_someone_in_every_school_role() -> None:
    for school in School.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES):
        roles = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert roles >= {role.value for role in SCHOOL_ONLY_ROLES}, school.name
        titles = Membership.objects.filter(school=school, role=Role.SUPPORT_STAFF)
        assert not titles.filter(job_title="")


def test_trust_wide_staff_exist_and_no_demo_login_opens_the_admin() -> None:
    trust_roles = set(
        Membership.objects.filter(trust__name=RIVERSIDE, school__isnull=True).values_list(
            "role", flat=True
        )
    )
    assert {Role.TRUST_LEADER, Role.TRUST_DATA_LEAD, Role.ADMINISTRATOR} <= trust_roles
    administrators = User.objects.filter(memberships__role=Role.ADMINISTRATOR).filter(
        email__endswith=".example"
    )
    assert administrators.filter(email=f"admin@{demo.RIVERSIDE_DOMAIN}").exists()
    # The Django admin spans every trust: no demo login, whose password is public, opens it.
    assert not User.objects.filter(email__endswith=".example", is_staff=True)
    assert not User.objects.filter(email__endswith=".example", is_superuser=True)


def test_someone_works_in_two_schools() -> None:
    in_two = (
        Membership.objects.filter(trust__name=RIVERSIDE, school__isnull=False)
        .values("user")
        .annotate(schools=Count("school", distinct=True))
        .filter(schools__gte=2)
    )
    assert in_two.count() >= 2


def test_each_demo_teacher_and_ta_teaches_a_group_with_pupils() -> None:
    for spec in demo.SCHOOLS:
        for prefix in ("teacher", "ta"):
            groups = TeachingGroup.objects.filter(
                teachers__email=demo.login_email(prefix, spec), school__name=spec.name
            )
            assert GroupPupil.objects.filter(group__in=groups).exists(), (prefix, spec.key)


def test_every_primary_class_has_a_teacher_and_a_ta() -> None:
    classes = TeachingGroup.objects.filter(
        school__phase=Phase.PRIMARY,
        school__trust__name__in=demo.DEMO_TRUST_NAMES,
        kind=GroupKind.CLASS,
        academic_year__start_year=this_start_year(),
    )
    forms = sum(len(spec.forms) for spec in demo.SCHOOLS if spec.phase == Phase.PRIMARY)
    assert classes.count() == forms * 7  # Reception to Year 6
    for group in classes.prefetch_related("teachers__memberships"):
        roles = {m.role for t in group.teachers.all() for m in t.memberships.all()}
        assert {Role.TEACHER, Role.TEACHING_ASSISTANT} <= roles, group.name
        assert 15 <= group.placements.count() <= 32


def test_secondary_has_tutor_groups_and_maths_and_english_sets() -> None:
    school = School.objects.get(trust__name=RIVERSIDE, phase=Phase.SECONDARY)
    sets = TeachingGroup.objects.filter(school=school, kind=GroupKind.SET)
    assert set(sets.values_list("subject", flat=True)) == {"Mathematics", "English"}
    for group in sets:
        assert group.teachers.exists()
        assert group.placements.exists()
    tutor_groups = TeachingGroup.objects.filter(school=school, kind=GroupKind.CLASS)
    assert tutor_groups.count() >= 5
    assert not tutor_groups.filter(teachers__isnull=True)


# --- Logins and output -----------------------------------------------------------------------


def test_demo_password_is_valid_and_logs_in() -> None:
    user = User.objects.get(email=f"head.oakfield@{demo.RIVERSIDE_DOMAIN}")
    validate_password(demo.DEMO_PASSWORD, user)
    assert authenticate(email=user.email, password=demo.DEMO_PASSWORD) == user
    teacher = f"teacher.northgate@{demo.NORTHGATE_DOMAIN}"
    assert authenticate(email=teacher, password=demo.DEMO_PASSWORD) is not None


def test_summary_names_counts_logins_and_password(seeded: str) -> None:
    assert "Built the demo" in seeded
    assert RIVERSIDE in seeded and NORTHGATE in seeded
    assert "pupils" in seeded and "staff" in seeded
    assert demo.DEMO_PASSWORD in seeded
    assert f"ceo@{demo.RIVERSIDE_DOMAIN}" in seeded
    assert f"teacher.oakfield@{demo.RIVERSIDE_DOMAIN}" in seeded


def test_print_logins_json_lists_every_role() -> None:
    logins = json.loads(seed("--print-logins", "--json"))
    assert isinstance(logins, list)
    for login in logins:
        assert {"email", "password", "trust", "school", "roles"} <= set(login)
        assert login["password"] == demo.DEMO_PASSWORD
        assert User.objects.filter(email=login["email"]).exists()
    assert {role for login in logins for role in login["roles"]} == {r.value for r in Role}
    shared = [login for login in logins if len(login.get("schools", [])) >= 2]
    assert shared
    assert shared[0]["school"] == shared[0]["schools"][0]
    assert {login["trust"] for login in logins} == {RIVERSIDE, NORTHGATE}
    ceo = next(login for login in logins if login["email"] == f"ceo@{demo.RIVERSIDE_DOMAIN}")
    assert ceo["school"] is None
    assert ceo["roles"] == ["trust_leader"]


def test_print_logins_prints_only_logins() -> None:
    output = seed("--print-logins")
    assert "Built the demo" not in output
    assert "already seeded" not in output
    assert f"governor.kingsmead@{demo.RIVERSIDE_DOMAIN}" in output


def test_running_again_changes_nothing() -> None:
    before = (pupil_snapshot(), list(Pupil.objects.values_list("pk", flat=True).order_by("pk")))
    events = AuditEvent.objects.count()
    output = seed()
    assert "The demo is already seeded" in output
    assert f"head.oakfield@{demo.RIVERSIDE_DOMAIN}" in output
    after = (pupil_snapshot(), list(Pupil.objects.values_list("pk", flat=True).order_by("pk")))
    assert before == after
    assert AuditEvent.objects.count() == events


def test_reset_builds_the_same_demo_again() -> None:
    before = pupil_snapshot()
    old_ids = set(Pupil.objects.filter(trust__name=RIVERSIDE).values_list("pk", flat=True))
    staff_before = sorted(User.objects.filter(email__endswith=".example").values_list("email"))
    output = seed("--reset")
    assert "Built the demo" in output
    assert pupil_snapshot() == before
    assert not old_ids & set(Pupil.objects.values_list("pk", flat=True))
    assert sorted(User.objects.filter(email__endswith=".example").values_list("email")) == (
        staff_before
    )
    assert Trust.objects.filter(name__in=demo.DEMO_TRUST_NAMES).count() == 2
    assert AuditEvent.objects.filter(action="demo.seed").count() == 2  # one per trust


def test_removing_the_demo_leaves_other_trusts_alone() -> None:
    other = Trust.objects.create(name="Unrelated Trust")
    school = School.objects.create(
        trust=other,
        name="Unrelated School",
        urn="123456",
        la_code="201",
        establishment_number="2999",
    )
    person = User.objects.create_user("someone@unrelated.example", "a-long-password-1")
    Membership.objects.create(user=person, trust=other, school=school, role=Role.TEACHER)
    demo.demo_remove()
    assert not Trust.objects.filter(name__in=demo.DEMO_TRUST_NAMES)
    assert not User.objects.filter(
        Q(email__endswith=f"@{demo.RIVERSIDE_DOMAIN}")
        | Q(email__endswith=f"@{demo.NORTHGATE_DOMAIN}")
    )
    assert not AuditEvent.objects.filter(action="demo.seed")
    assert School.objects.filter(pk=school.pk).exists()
    assert Membership.objects.filter(user=person).exists()
