"""Tracking setup pages: the trust's common scales, a school's own scales mapped onto them,
the collection calendar with its cost and its cap, and the cap in the trust's settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grove.core.models import AuditEvent, Role
from grove.tracking.actions import BandInput, collection_point_create, scale_create
from grove.tracking.models import Band, CollectionPoint, Scale, SchoolScale, Subject
from grove.tracking.queries import recording_scale
from tests.conftest import Cast
from tests.factories import TrustFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def band_rows(rows: list[dict[str, Any]], total: int = 6) -> dict[str, Any]:
    """The POST data of the band formset: the given rows, then blank ones."""
    data: dict[str, Any] = {
        "bands-TOTAL_FORMS": str(total),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"bands-{i}-{key}"] = value
    return data


THREE_BANDS = [
    {"code": "B", "label": "Beginning"},
    {"code": "D", "label": "Developing"},
    {"code": "S", "label": "Secure", "is_expected": "on"},
]


# --- trust scales -----------------------------------------------------------------------------
def test_data_lead_creates_a_common_scale_with_bands(cast: Cast) -> None:
    url = reverse("tracking_trust_scale_new", args=[cast.alder.pk])
    data = {"name": "Reading age", "description": "Months ahead or behind"} | band_rows(THREE_BANDS)
    response = cast.client_for("data_lead").post(url, data)
    assert response.status_code == 302
    scale = Scale.objects.get(trust=cast.alder, school=None, name="Reading age")
    bands = list(scale.bands.order_by("value").values_list("code", "value", "is_expected"))
    assert bands == [("B", 1.0, False), ("D", 2.0, False), ("S", 3.0, True)]
    assert AuditEvent.objects.filter(action="tracking.scale_create", trust=cast.alder).exists()
    page = cast.client_for("trust_leader").get(response["Location"]).content.decode()
    assert "Reading age" in page and "Secure" in page and "Expected standard" in page
    assert "Define a new scale" not in page  # the trust leader sees, but does not edit


def test_numeric_scale_keeps_its_range(cast: Cast) -> None:
    url = reverse("tracking_trust_scale_new", args=[cast.alder.pk])
    rows = [
        {"code": "LOW", "label": "Low", "value": "0"},
        {"code": "MID", "label": "Middle", "value": "40", "is_expected": "on"},
        {"code": "TOP", "label": "Top", "value": "80"},
    ]
    data = {"name": "Quiz", "numeric": "on", "minimum": "0", "maximum": "100"} | band_rows(rows)
    assert cast.client_for("data_lead").post(url, data).status_code == 302
    scale = Scale.objects.get(trust=cast.alder, name="Quiz")
    assert (scale.numeric, scale.minimum, scale.maximum) == (True, 0, 100)


def test_duplicate_band_code_names_the_row_and_saves_nothing(cast: Cast) -> None:
    url = reverse("tracking_trust_scale_new", args=[cast.alder.pk])
    rows = [{"code": "A", "label": "First"}, {"code": "a", "label": "Second"}]
    response = cast.client_for("data_lead").post(url, {"name": "Twice"} | band_rows(rows))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_bands-1-code"' in page
    assert "Band 2: code: The code “a” is already band 1" in page
    assert not Scale.objects.filter(name="Twice").exists()
    assert not Band.objects.filter(label="Second").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""} | band_rows(THREE_BANDS), "id_name", "This field is required"),
        ({"name": "One band"} | band_rows(THREE_BANDS[:1]), "id_bands-0-code", "at least two"),
        (
            {"name": "Scores", "numeric": "on", "maximum": "10"} | band_rows(THREE_BANDS),
            "id_minimum",
            "Give the lowest score",
        ),
        (
            {"name": "Two expected"}
            | band_rows([THREE_BANDS[2], {"code": "X", "label": "X", "is_expected": "on"}]),
            "id_bands-1-is_expected",
            "Only one band",
        ),
        (
            {"name": "No label"} | band_rows([{"code": "A"}, {"code": "B", "label": "B"}]),
            "id_bands-0-label",
            "Give the band a label",
        ),
        (
            {"name": "Teacher assessment"} | band_rows(THREE_BANDS),
            "id_bands-0-code",  # the action's refusal: a scale of that name already exists
            "There is already a scale called",
        ),
    ],
)
def test_bad_scale_input_names_the_field(
    cast: Cast, data: dict[str, Any], field: str, message: str
) -> None:
    before = Scale.objects.count(), Band.objects.count()
    url = reverse("tracking_trust_scale_new", args=[cast.alder.pk])
    response = cast.client_for("data_lead").post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    if "already a scale" not in message:
        assert f'href="#{field}"' in page
    assert (Scale.objects.count(), Band.objects.count()) == before


def test_add_more_rows_keeps_what_was_typed(cast: Cast) -> None:
    url = reverse("tracking_trust_scale_new", args=[cast.alder.pk])
    data = {"name": "Long", "add_rows": "1"} | band_rows(THREE_BANDS)
    page = cast.client_for("data_lead").post(url, data).content.decode()
    assert 'name="bands-11-code"' in page and 'value="Developing"' in page
    assert not Scale.objects.filter(name="Long").exists()


def test_a_trust_without_scales_installs_the_built_in_ones() -> None:
    trust = TrustFactory(name="Cedar Trust")
    lead = member(UserFactory(), Role.TRUST_DATA_LEAD, trust=trust)
    client = Client()
    client.force_login(lead)
    url = reverse("tracking_trust_scales", args=[trust.pk])
    assert "Install the built-in scales" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    names = set(Scale.objects.filter(trust=trust).values_list("name", flat=True))
    assert {"KS2 scaled score", "Teacher assessment"} <= names
    assert Subject.objects.filter(trust=trust, code="maths").exists()


# --- school scales ----------------------------------------------------------------------------
def test_school_maps_its_own_scale_onto_the_common_one_and_records_on_it(cast: Cast) -> None:
    common = cast.point.scale
    bands = {b.code: b.pk for b in common.bands.all()}
    head = cast.client_for("head")
    url = reverse("tracking_school_scale_new", args=[cast.alder_primary.pk])
    assert "Maps onto the trust" in head.get(url).content.decode()
    page = head.get(f"{url}?onto={common.pk}").content.decode()
    assert "Band 1: counts as" in page and "WTS – Working towards" in page
    rows = [
        {"code": "E", "label": "Emerging", "common_band": bands["WTS"]},
        {"code": "S", "label": "Secure", "common_band": bands["EXS"], "is_expected": "on"},
        {"code": "M", "label": "Mastery", "common_band": bands["GDS"]},
    ]
    response = head.post(f"{url}?onto={common.pk}", {"name": "Alder steps"} | band_rows(rows))
    assert response.status_code == 302
    own = Scale.objects.get(school=cast.alder_primary, name="Alder steps")
    assert own.maps_onto_id == common.pk
    assert recording_scale(cast.point, cast.alder_primary) == common  # not chosen yet

    scales_url = reverse("tracking_school_scales", args=[cast.alder_primary.pk])
    response = head.post(scales_url, {"common_scale": common.pk, "own_scale": own.pk})
    assert response.status_code == 302
    assert recording_scale(cast.point, cast.alder_primary) == own
    assert recording_scale(cast.point, cast.alder_secondary) == common

    # A teacher sees the choice and the mapping, without the controls.
    page = cast.client_for("teacher").get(scales_url).content.decode()
    assert "records this on its own scale <strong>“Alder steps”</strong>" in page
    assert "Mastery" in page and "GDS" in page
    assert "Save choice" not in page
    # The trust sees which school records on its own scale.
    trust_page = cast.client_for("data_lead").get(
        reverse("tracking_trust_scales", args=[cast.alder.pk])
    )
    assert "Alder Primary (“Alder steps”)" in trust_page.content.decode()

    # And back to the trust's scale.
    assert head.post(scales_url, {"common_scale": common.pk, "own_scale": ""}).status_code == 302
    assert recording_scale(cast.point, cast.alder_primary) == common


def test_school_scale_band_without_mapping_is_refused(cast: Cast) -> None:
    common = cast.point.scale
    url = reverse("tracking_school_scale_new", args=[cast.alder_primary.pk])
    rows = [{"code": "E", "label": "Emerging"}, {"code": "S", "label": "Secure"}]
    response = cast.client_for("head").post(
        f"{url}?onto={common.pk}", {"name": "Unmapped"} | band_rows(rows)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_bands-0-common_band"' in page and "Choose the common band" in page
    assert not Scale.objects.filter(name="Unmapped").exists()


def test_school_cannot_choose_another_schools_scale(cast: Cast) -> None:
    common = cast.point.scale
    other = scale_create(
        actor=cast.data_lead,
        trust=cast.alder,
        school=cast.alder_secondary,
        name="Secondary steps",
        numeric=False,
        bands=[
            BandInput("L", "Low", 1, common_band_id=common.bands.first().pk),  # type: ignore[union-attr]
            BandInput("H", "High", 2, common_band_id=common.bands.last().pk),  # type: ignore[union-attr]
        ],
        maps_onto=common,
    )
    url = reverse("tracking_school_scales", args=[cast.alder_primary.pk])
    response = cast.client_for("head").post(url, {"common_scale": common.pk, "own_scale": other.pk})
    assert response.status_code == 200
    assert 'href="#own-scale-' in response.content.decode()
    assert not SchoolScale.objects.filter(school=cast.alder_primary).exists()


# --- the collection calendar ------------------------------------------------------------------
def point_data(cast: Cast, **extra: Any) -> dict[str, Any]:
    opens = max(cast.year.starts, timezone.localdate())
    return {
        "name": "Spring check",
        "opens": opens.isoformat(),
        "closes": min(cast.year.ends, opens + dt.timedelta(days=14)).isoformat(),
        "year_groups": ["4"],
        "subjects": [cast.maths.pk],
        "scale": cast.point.scale_id,
        "purpose": "To choose who joins the maths catch-up group.",
        "used_by": "Year 4 teachers and the maths lead.",
        "minutes_per_pupil": "30",
    } | extra


def test_fourth_point_needs_a_reason_that_everyone_sees(cast: Cast) -> None:
    head = cast.client_for("head")
    url = reverse("tracking_school_point_new", args=[cast.alder_primary.pk])
    # The trust's Autumn point is the first; two more fit under the cap of 3.
    for name in ["Spring check", "Summer check"]:
        page = head.get(url).content.decode()
        assert "Reason for going over the cap" not in page
        assert head.post(url, point_data(cast, name=name)).status_code == 302
    page = head.get(url).content.decode()
    assert "caps collections at 3 a year" in page and "Reason for going over the cap" in page

    response = head.post(url, point_data(cast, name="Extra check"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_over_cap_reason"' in page and "Going past the cap needs a reason" in page
    assert not CollectionPoint.objects.filter(name="Extra check").exists()

    reason = "Ofsted asked for a phonics re-check after the spring dip."
    response = head.post(url, point_data(cast, name="Extra check", over_cap_reason=reason))
    assert response.status_code == 302
    assert CollectionPoint.objects.get(name="Extra check").over_cap_reason == reason

    calendar_url = reverse("tracking_school_calendar", args=[cast.alder_primary.pk])
    for role in ["teacher", "governor"]:
        page = cast.client_for(role).get(calendar_url).content.decode()
        assert "4 of 3" in page
        assert "over Alder Trust's cap of 3" in page
        assert reason in page, role
        assert "To choose who joins the maths catch-up group." in page
        assert "Add a collection point" not in page
    # The secondary school's calendar is not over: the extra points are the primary's own.
    secondary = reverse("tracking_school_calendar", args=[cast.alder_secondary.pk])
    assert "1 of 3" in cast.client_for("data_lead").get(secondary).content.decode()
    # The trust counts its points and the busiest school's own.
    trust_calendar = reverse("tracking_trust_calendar", args=[cast.alder.pk])
    page = cast.client_for("trust_leader").get(trust_calendar).content.decode()
    assert "4 of 3" in page and reason in page


def test_calendar_estimates_teacher_hours(cast: Cast) -> None:
    collection_point_create(
        actor=cast.head,
        trust=cast.alder,
        school=cast.alder_primary,
        academic_year=cast.year,
        name="Times tables",
        opens=cast.year.starts,
        closes=cast.year.starts + dt.timedelta(days=7),
        year_groups=["4"],
        subjects=[cast.maths],
        scale=cast.point.scale,
        purpose="Practice planning.",
        used_by="Class teachers.",
        minutes_per_pupil=Decimal("30"),
    )
    page = cast.client_for("teacher").get(
        reverse("tracking_school_calendar", args=[cast.alder_primary.pk])
    )
    # Two pupils on roll in year 4 at Alder Primary: 2 x 30 minutes.
    assert "1 hours (2 pupils on roll in these year groups)" in page.content.decode()


def test_bad_point_input_names_the_field(cast: Cast) -> None:
    url = reverse("tracking_trust_point_new", args=[cast.alder.pk])
    data = point_data(cast, closes=cast.year.starts.isoformat(), year_groups=[], purpose="")
    data["opens"] = (cast.year.starts + dt.timedelta(days=3)).isoformat()
    response = cast.client_for("data_lead").post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    for field in ["id_closes", "id_year_groups", "id_purpose"]:
        assert f'href="#{field}"' in page, field
    outside = point_data(cast, opens="2001-01-01", closes="2001-01-02")
    page = cast.client_for("data_lead").post(url, outside).content.decode()
    assert 'href="#id_opens"' in page and "The window must fall inside" in page
    assert not CollectionPoint.objects.filter(name="Spring check").exists()


def test_trust_point_lands_on_every_school_calendar(cast: Cast) -> None:
    url = reverse("tracking_trust_point_new", args=[cast.alder.pk])
    assert cast.client_for("data_lead").post(url, point_data(cast)).status_code == 302
    page = cast.client_for("governor").get(
        reverse("tracking_school_calendar", args=[cast.alder_primary.pk])
    )
    assert "Spring check" in page.content.decode()
    assert "Alder Trust, for every school" in page.content.decode()


def test_year_switcher_shows_another_year(cast: Cast) -> None:
    url = reverse("tracking_school_calendar", args=[cast.alder_primary.pk])
    page = cast.client_for("teacher").get(f"{url}?year=1999").content.decode()
    assert "Autumn assessment" in page  # an unknown year falls back to the current one
    assert f'<option value="{cast.year.start_year}" selected>' in page


# --- the cap in the trust's settings ----------------------------------------------------------
def test_data_lead_changes_the_cap(cast: Cast) -> None:
    url = reverse("trust_settings", args=[cast.alder.pk])
    assert 'value="3"' in cast.client_for("data_lead").get(url).content.decode()
    response = cast.client_for("data_lead").post(url, {"collection_cap": "4"})
    assert response.status_code == 302
    cast.alder.refresh_from_db()
    assert cast.alder.collection_cap == 4
    assert AuditEvent.objects.filter(action="trust.settings", summary__contains="from 3 to 4")
    page = cast.client_for("data_lead").post(url, {"collection_cap": "0"}).content.decode()
    assert 'href="#id_collection_cap"' in page
    assert (
        "Collection points a year</dt><dd>4" in cast.client_for("trustee").get(url).content.decode()
    )


# --- query counts -----------------------------------------------------------------------------
def _add_points(cast: Cast, n: int) -> None:
    for i in range(n):
        collection_point_create(
            actor=cast.head,
            trust=cast.alder,
            school=cast.alder_primary if i % 2 else None,
            academic_year=cast.year,
            name=f"Point {i}",
            opens=cast.year.starts,
            closes=cast.year.starts + dt.timedelta(days=7),
            year_groups=["3", "4"],
            subjects=[cast.maths],
            scale=cast.point.scale,
            purpose="Why.",
            used_by="Who.",
            minutes_per_pupil=Decimal("5"),
            over_cap_reason="Testing",
        )


def _count(client: Client, url: str, django_assert_max_num_queries: Any, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "role", "key", "limit"),
    [
        # session, user, memberships, then the page's own reads
        ("tracking_school_calendar", "teacher", "school", 10),
        ("tracking_trust_calendar", "trust_leader", "trust", 10),
        ("tracking_school_scales", "head", "school", 8),
        ("tracking_trust_scales", "data_lead", "trust", 7),
    ],
)
def test_setup_pages_take_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any, name: str, role: str, key: str, limit: int
) -> None:
    target = cast.alder_primary.pk if key == "school" else cast.alder.pk
    url = reverse(name, args=[target])
    client = cast.client_for(role)
    client.get(url)  # warm the session
    _count(client, url, django_assert_max_num_queries, limit)
    _add_points(cast, 8)
    common = cast.point.scale
    for i in range(4):
        scale_create(
            actor=cast.head,
            trust=cast.alder,
            school=cast.alder_primary,
            name=f"Steps {i}",
            numeric=False,
            bands=[
                BandInput(f"L{i}", "Low", 1, common_band_id=common.bands.first().pk),  # type: ignore[union-attr]
                BandInput(f"H{i}", "High", 2, common_band_id=common.bands.last().pk),  # type: ignore[union-attr]
            ],
            maps_onto=common,
        )
        scale_create(
            actor=cast.data_lead,
            trust=cast.alder,
            school=None,
            name=f"Common {i}",
            numeric=False,
            bands=[BandInput("A", "A", 1), BandInput("B", "B", 2)],
        )
    _count(client, url, django_assert_max_num_queries, limit)
