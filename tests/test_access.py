"""What each role sees: pupil detail, isolation between schools and trusts, the audit log."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grove.core.models import AuditEvent
from tests.conftest import Cast
from tests.factories import PupilFactory, enrol, group


def page(cast: Cast, role: str, name: str, *args: int) -> str:
    response = cast.client_for(role).get(reverse(name, args=args))
    assert response.status_code == 200, f"{role} {name} {response.status_code}"
    return response.content.decode()


def test_teacher_sees_characteristics_of_pupils_they_teach_only(cast: Cast) -> None:
    school = cast.alder_primary.pk
    taught = page(cast, "teacher", "pupil_profile", school, cast.taught_pupil.pk)
    assert "SEN support" in taught and "Speech, language and communication needs" in taught
    other = page(cast, "teacher", "pupil_profile", school, cast.other_pupil.pk)
    assert "Oliver Other" in other
    assert "Polish" not in other and "EAL" not in other
    assert "shown to this pupil's teachers" in other


def test_teacher_filtering_by_a_characteristic_sees_only_their_pupils(cast: Cast) -> None:
    url = reverse("pupil_list", args=[cast.alder_primary.pk])
    listing = cast.client_for("teacher").get(url, {"characteristic": "eal"}).content.decode()
    assert "Other, Oliver" not in listing  # EAL, but not taught by this teacher
    head = cast.client_for("head").get(url, {"characteristic": "eal"}).content.decode()
    assert "Other, Oliver" in head and "Taught, Tamsin" not in head


def test_pupil_list_search_finds_by_name_and_upn(cast: Cast) -> None:
    url = reverse("pupil_list", args=[cast.alder_primary.pk])
    client = cast.client_for("head")
    assert "Taught, Tamsin" in client.get(url, {"q": "tams"}).content.decode()
    by_upn = client.get(url, {"q": cast.other_pupil.upn}, HTTP_HX_REQUEST="true").content.decode()
    assert "Other, Oliver" in by_upn and "Taught, Tamsin" not in by_upn
    assert "<html" not in by_upn  # htmx gets the partial only


def test_governor_sees_figures_but_no_names(cast: Cast) -> None:
    overview = page(cast, "governor", "school_overview", cast.alder_primary.pk)
    assert "pupils on roll" in overview
    for pupil in (cast.taught_pupil, cast.other_pupil):
        assert pupil.legal_last_name not in overview
    assert "fewer than 5" in overview  # two pupils in Year 4: too few to show
    assert "Teacher Cast" not in overview
    assert 'href="/schools/' + str(cast.alder_primary.pk) + "/pupils/" not in overview


def test_head_sees_exact_counts(cast: Cast) -> None:
    overview = page(cast, "head", "school_overview", cast.alder_primary.pk)
    assert "fewer than 5" not in overview


def test_trust_leader_sees_their_trusts_schools_only(cast: Cast) -> None:
    overview = page(cast, "trust_leader", "trust_overview", cast.alder.pk)
    assert "Alder Primary" in overview and "Alder Secondary" in overview
    assert "Birch" not in overview


def test_data_lead_opens_pupils_across_the_trust(cast: Cast) -> None:
    profile = page(
        cast, "data_lead", "pupil_profile", cast.alder_secondary.pk, cast.secondary_pupil.pk
    )
    assert "Seren Secondary" in profile


def test_a_pupil_is_only_found_through_their_own_school(cast: Cast) -> None:
    client = cast.client_for("head")
    wrong_school = reverse("pupil_profile", args=[cast.alder_primary.pk, cast.secondary_pupil.pk])
    assert client.get(wrong_school).status_code == 404
    other_trust = reverse("pupil_profile", args=[cast.alder_primary.pk, cast.birch_pupil.pk])
    assert client.get(other_trust).status_code == 404
    their_school = reverse("pupil_profile", args=[cast.alder_secondary.pk, cast.secondary_pupil.pk])
    assert client.get(their_school).status_code == 404  # the head has no role at the secondary


def test_a_group_of_another_school_is_not_found(cast: Cast) -> None:
    url = reverse("group_page", args=[cast.alder_primary.pk, cast.birch_group.pk])
    assert cast.client_for("head").get(url).status_code == 404


def test_reading_send_detail_is_audited(cast: Cast) -> None:
    page(cast, "senco", "pupil_profile", cast.alder_primary.pk, cast.taught_pupil.pk)
    event = AuditEvent.objects.get(action="pupil.view_send", actor=cast.senco)
    assert event.summary == "Viewed SEN detail of Tamsin Taught"
    assert event.school == cast.alder_primary


def test_head_searches_the_audit_log(cast: Cast) -> None:
    page(cast, "senco", "pupil_profile", cast.alder_primary.pk, cast.taught_pupil.pk)
    url = reverse("audit_log", args=[cast.alder_primary.pk])
    found = cast.client_for("head").get(url, {"q": "Tamsin"}).content.decode()
    assert "Viewed SEN detail of Tamsin Taught" in found and "senco@cast.example" in found
    none = cast.client_for("head").get(url, {"q": "nobody-at-all"}).content.decode()
    assert "Nothing matches." in none
    bad = cast.client_for("head").get(url, {"since": "2026-05-01", "until": "2026-01-01"})
    assert "The end date is before the start date." in bad.content.decode()


def test_staff_list_shows_this_schools_staff_and_trust_staff(cast: Cast) -> None:
    listing = page(cast, "teacher", "staff_list", cast.alder_primary.pk)
    assert "Head Cast" in listing and "Trust_Leader Cast" in listing
    assert "Outsider Cast" not in listing


def test_school_switcher_lists_only_the_viewers_schools(cast: Cast) -> None:
    overview = page(cast, "data_lead", "school_overview", cast.alder_primary.pk)
    assert 'id="switch-school"' in overview and "Alder Secondary" in overview
    assert "Birch Primary" not in overview
    single = page(cast, "teacher", "school_overview", cast.alder_primary.pk)
    assert 'id="switch-school"' not in single


def _count(cast: Cast, role: str, url: str) -> int:
    client = cast.client_for(role)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_and_dashboards_cost_the_same_whatever_their_size(cast: Cast) -> None:
    school = cast.alder_primary
    urls = {
        "pupil list": reverse("pupil_list", args=[school.pk]),
        "school overview": reverse("school_overview", args=[school.pk]),
        "group list": reverse("group_list", args=[school.pk]),
        "group page": reverse("group_page", args=[school.pk, cast.teacher_group.pk]),
        "staff list": reverse("staff_list", args=[school.pk]),
        "trust overview": reverse("trust_overview", args=[cast.alder.pk]),
    }
    role = {"trust overview": "data_lead"}
    before = {name: _count(cast, role.get(name, "head"), url) for name, url in urls.items()}
    pupils = [enrol(PupilFactory(trust=cast.alder), school) for _ in range(30)]
    for n in range(5):
        group(school, f"Extra {n}", teachers=(cast.teacher,), pupils=tuple(pupils[n::5]))
    after = {name: _count(cast, role.get(name, "head"), url) for name, url in urls.items()}
    assert after == before
    assert max(after.values()) <= 12, after


def test_counts_without_names_are_rounded_so_hidden_cells_cannot_be_worked_out(
    cast: Cast,
) -> None:
    school = cast.alder_primary
    for _ in range(11):  # 13 pupils in Year 4, 2 of them on SEN support or more
        enrol(PupilFactory(trust=cast.alder), school)
    governor = page(cast, "governor", "school_overview", school.pk)
    assert ">15<" in governor and ">13<" not in governor  # roll rounded to the nearest 5
    head = page(cast, "head", "school_overview", school.pk)
    assert ">13<" in head


def test_trustee_sees_the_trusts_figures_without_names(cast: Cast) -> None:
    overview = page(cast, "trustee", "trust_overview", cast.alder.pk)
    assert "Alder Primary" in overview
    assert (
        cast.client_for("trustee")
        .get(reverse("pupil_list", args=[cast.alder_primary.pk]))
        .status_code
        == 403
    )


def test_not_found_and_forbidden_pages_speak_plainly(cast: Cast) -> None:
    missing = cast.client_for("teacher").get(
        reverse("school_overview", args=[cast.birch_primary.pk])
    )
    assert missing.status_code == 404 and "Page not found" in missing.content.decode()
    denied = cast.client_for("teacher").get(reverse("audit_log", args=[cast.alder_primary.pk]))
    assert denied.status_code == 403 and "Your role does not allow this" in denied.content.decode()


def test_another_schools_enrolment_is_named_only_to_those_who_see_that_school(
    cast: Cast,
) -> None:
    from grove.core.models import AcademicYear

    earlier, _ = AcademicYear.objects.get_or_create(start_year=cast.year.start_year - 1)
    enrol(cast.other_pupil, cast.alder_secondary, "3", year=earlier)
    args = (cast.alder_primary.pk, cast.other_pupil.pk)
    assert "Alder Secondary" not in page(cast, "head", "pupil_profile", *args)
    assert "Alder Secondary" in page(cast, "data_lead", "pupil_profile", *args)
