"""Adding pupils, recording characteristics and managing groups: what users see, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grove.core.models import AuditEvent
from grove.pupils.codes import make_upn
from grove.pupils.models import Characteristics, Enrolment, GroupPupil, Pupil
from tests.conftest import Cast

GOOD = {
    "upn": make_upn("201200026123"),
    "legal_first_name": "Ada",
    "legal_last_name": "Lovelace",
    "date_of_birth": "2018-05-01",
    "sex": "F",
    "year_group": "3",
    "starts": "2026-09-01",
    "sen_provision": "N",
    "first_language": "ENG",
    "pupil_premium": "on",
}


def add_pupil(cast: Cast, **changes: str):
    url = reverse("pupil_new", args=[cast.alder_primary.pk])
    return cast.client_for("head").post(url, GOOD | changes)


def test_head_adds_a_pupil_who_appears_on_the_roll(cast: Cast) -> None:
    response = add_pupil(cast)
    assert response.status_code == 302
    pupil = Pupil.objects.get(upn=GOOD["upn"])
    profile = cast.client_for("head").get(response["Location"]).content.decode()
    assert "Ada Lovelace" in profile and "Year 3" in profile
    assert pupil.characteristics.get().pupil_premium
    assert AuditEvent.objects.filter(action="pupil.create", object_id=str(pupil.pk)).exists()
    listing = cast.client_for("head").get(reverse("pupil_list", args=[cast.alder_primary.pk]))
    assert "Lovelace, Ada" in listing.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("upn", "A12345678901", "A UPN has 13 characters"),
        ("upn", "B801200110001", "should be &#x27;Q&#x27;"),
        ("date_of_birth", "2099-01-01", "The date of birth is in the future."),
        ("year_group", "15", "Select a valid choice"),
        ("year_group", "Y7", "Select a valid choice"),
        ("sex", "X", "Select a valid choice"),
        ("first_language", "KLINGON", "Select a valid choice"),
        ("sen_primary_need", "ADHD", "Select a valid choice"),
        ("sen_provision", "K", "SEN support and EHC plans need a primary need."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    cast: Cast, field: str, value: str, message: str
) -> None:
    before = (Pupil.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count())
    response = add_pupil(cast, **{field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    at = "sen_primary_need" if field == "sen_provision" else field
    assert f'href="#id_{at}"' in page  # the summary links to the field at fault
    assert (Pupil.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count()) == before


def test_a_upn_already_in_the_trust_is_refused(cast: Cast) -> None:
    response = add_pupil(cast, upn=cast.other_pupil.upn)
    assert "already on the trust&#x27;s roll" in response.content.decode()
    assert Pupil.objects.filter(upn=cast.other_pupil.upn).count() == 1


def test_a_temporary_upn_is_accepted_and_marked(cast: Cast) -> None:
    upn = make_upn("20120002612A")
    add_pupil(cast, upn=upn)
    pupil = Pupil.objects.get(upn=upn)
    assert pupil.upn_is_temporary
    page = cast.client_for("head").get(
        reverse("pupil_profile", args=[cast.alder_primary.pk, pupil.pk])
    )
    assert "temporary" in page.content.decode()


def test_characteristics_keep_their_history(cast: Cast) -> None:
    pupil = cast.other_pupil
    url = reverse("pupil_characteristics", args=[cast.alder_primary.pk, pupil.pk])
    today = timezone.localdate()
    response = cast.client_for("senco").post(
        url,
        {"valid_from": today.isoformat(), "sen_provision": "K", "sen_primary_need": "SPLD",
         "first_language": "POL"},
    )  # fmt: skip
    assert response.status_code == 302
    records = list(Characteristics.objects.filter(pupil=pupil).order_by("valid_from"))
    assert [r.sen_provision for r in records] == ["N", "K"]
    assert records[0].valid_to == today - dt.timedelta(days=1)
    assert records[1].valid_to is None and records[1].eal
    page = cast.client_for("senco").get(
        reverse("pupil_profile", args=[cast.alder_primary.pk, pupil.pk])
    )
    assert "Specific learning difficulty" in page.content.decode()
    assert "History" in page.content.decode()


def test_a_change_dated_before_the_current_record_is_refused(cast: Cast) -> None:
    pupil = cast.other_pupil
    url = reverse("pupil_characteristics", args=[cast.alder_primary.pk, pupil.pk])
    response = cast.client_for("senco").post(
        url, {"valid_from": "2000-01-01", "sen_provision": "N", "first_language": "POL"}
    )
    assert "a change must start after it" in response.content.decode()
    assert Characteristics.objects.filter(pupil=pupil).count() == 1


def test_a_future_dated_change_is_refused(cast: Cast) -> None:
    url = reverse("pupil_characteristics", args=[cast.alder_primary.pk, cast.other_pupil.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = cast.client_for("senco").post(
        url, {"valid_from": tomorrow.isoformat(), "sen_provision": "N", "first_language": "ENG"}
    )
    assert "The date is in the future." in response.content.decode()


def test_head_creates_a_group_and_moves_pupils_in_and_out(cast: Cast) -> None:
    client = cast.client_for("head")
    school = cast.alder_primary
    response = client.post(
        reverse("group_new", args=[school.pk]),
        {"name": "4 Willow", "kind": "class", "year_groups": ["4"], "teachers": [cast.teacher.pk]},
    )
    group_url = response["Location"]
    group_id = int(group_url.rstrip("/").split("/")[-1])
    add_url = reverse("group_pupils", args=[school.pk, group_id])
    page = client.post(add_url, {"pupil": cast.other_pupil.pk}, HTTP_HX_REQUEST="true")
    assert "Other, Oliver" in page.content.decode()
    assert "1 pupil in 4 Willow" in page.content.decode()
    again = client.post(add_url, {"pupil": cast.other_pupil.pk}, HTTP_HX_REQUEST="true")
    assert "already in 4 Willow" in again.content.decode()
    client.post(add_url, {"pupil": cast.other_pupil.pk, "remove": "1"}, HTTP_HX_REQUEST="true")
    placement = GroupPupil.objects.get(group_id=group_id, pupil=cast.other_pupil)
    assert placement.ends is not None  # kept as history
    # The teacher now sees the group among theirs.
    mine = cast.client_for("teacher").get(reverse("group_list", args=[school.pk]) + "?mine=1")
    assert "4 Willow" in mine.content.decode()


def test_a_group_name_used_twice_in_a_year_is_refused(cast: Cast) -> None:
    response = cast.client_for("head").post(
        reverse("group_new", args=[cast.alder_primary.pk]),
        {"name": "4 Oak", "kind": "class", "year_groups": ["4"]},
    )
    assert "already has a group called" in response.content.decode()


def test_a_pupil_of_another_school_cannot_be_put_in_a_group(cast: Cast) -> None:
    url = reverse("group_pupils", args=[cast.alder_primary.pk, cast.teacher_group.pk])
    response = cast.client_for("head").post(
        url, {"pupil": cast.birch_pupil.pk}, HTTP_HX_REQUEST="true"
    )
    assert "not on this school" in response.content.decode()
    assert not GroupPupil.objects.filter(pupil=cast.birch_pupil, group=cast.teacher_group).exists()


def test_a_temporary_upn_is_replaced_and_kept_as_former(cast: Cast) -> None:
    pupil = cast.other_pupil
    old = pupil.upn
    new = make_upn("201200026999")
    url = reverse("pupil_upn", args=[cast.alder_primary.pk, pupil.pk])
    bad = cast.client_for("head").post(url, {"upn": "X" + new[1:]})
    assert "fails the DfE check" in bad.content.decode()
    response = cast.client_for("head").post(url, {"upn": new})
    assert response.status_code == 302
    profile = cast.client_for("head").get(response["Location"]).content.decode()
    assert new in profile and "Former UPNs" in profile and old in profile
    pupil.refresh_from_db()
    assert pupil.upn == new and not pupil.upn_is_temporary
    taken = cast.client_for("head").post(url, {"upn": cast.taught_pupil.upn})
    assert "already on the trust" in taken.content.decode()
