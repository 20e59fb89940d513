"""Tracking: recording judgements (and what is refused), rollups kept in step, figures from
trust to pupil with small numbers hidden, targets, workload, exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grove.core.models import AuditEvent
from grove.pupils.models import GroupPupil, Pupil, TeachingGroup
from grove.tracking import actions
from grove.tracking.actions import ResultRow, results_write, rollups_rebuild
from grove.tracking.models import Band, CollectionPoint, EntrySession, Result, Rollup, Target
from tests.conftest import Cast
from tests.factories import PupilFactory, SchoolFactory, enrol, group

pytestmark = pytest.mark.django_db


def rollup_state(trust_id: int) -> set[tuple[object, ...]]:
    return set(
        Rollup.objects.filter(trust_id=trust_id, count__gt=0).values_list(
            "school_id", "point_id", "subject_id", "year_group", "pupil_group", "band_id", "count"
        )
    )


def band(cast: Cast, code: str) -> Band:
    return Band.objects.get(scale=cast.point.scale, code=code)


def a_class(cast: Cast, size: int = 30) -> tuple[list[Pupil], TeachingGroup]:
    pupils = [
        enrol(PupilFactory(trust=cast.alder), cast.alder_primary, "5", pupil_premium=i % 3 == 0)
        for i in range(size)
    ]
    g = group(cast.alder_primary, "5 Willow", teachers=(cast.teacher,), pupils=tuple(pupils))
    return pupils, g


# --- the write path ---------------------------------------------------------------------------
def test_recording_keeps_rollups_equal_to_a_recount(cast: Cast) -> None:
    pupils, g = a_class(cast, 12)
    codes = ["WTS", "EXS", "GDS", "PK6"]
    actions.results_record(
        actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
        judgements={p.pk: codes[i % 4] for i, p in enumerate(pupils)},
    )  # fmt: skip
    # Change some, clear one: the counts move, never drift.
    actions.results_record(
        actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
        judgements={pupils[0].pk: "GDS", pupils[1].pk: "", pupils[2].pk: "wts"},
    )  # fmt: skip
    incremental = rollup_state(cast.alder.pk)
    rollups_rebuild(trust=cast.alder)
    assert rollup_state(cast.alder.pk) == incremental
    all_rows = Rollup.objects.filter(
        point=cast.point, subject=cast.maths, school=cast.alder_primary, year_group="5",
        pupil_group="all",
    )  # fmt: skip
    assert sum(r.count for r in all_rows) == 11  # 12 recorded, one cleared
    pp = Rollup.objects.filter(
        point=cast.point, subject=cast.maths, year_group="5", pupil_group="pp"
    )
    assert sum(r.count for r in pp) == 4  # pupils 0, 3, 6, 9


def test_writing_the_same_judgements_twice_changes_nothing(cast: Cast) -> None:
    pupils, g = a_class(cast, 5)
    judgements = {p.pk: "EXS" for p in pupils}
    first = actions.results_record(
        actor=cast.teacher, point=cast.point, subject=cast.maths, group=g, judgements=judgements
    )
    before = (rollup_state(cast.alder.pk), AuditEvent.objects.count())
    again = actions.results_record(
        actor=cast.teacher, point=cast.point, subject=cast.maths, group=g, judgements=judgements
    )
    assert first.created == 5
    assert (again.created, again.changed, again.unchanged) == (0, 0, 5)
    assert (rollup_state(cast.alder.pk), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [("XYZ", "is not a band of Teacher assessment"), ("EX", "is not a band")],
)
def test_an_unknown_band_saves_nothing_and_names_the_pupil(
    cast: Cast, typed: str, message: str
) -> None:
    pupils, g = a_class(cast, 3)
    with pytest.raises(ValidationError) as caught:
        actions.results_record(
            actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
            judgements={pupils[0].pk: "EXS", pupils[1].pk: typed},
        )  # fmt: skip
    assert message in caught.value.message_dict[f"pupil-{pupils[1].pk}"][0]
    assert not Result.objects.filter(pupil__in=pupils).exists()


def test_a_pupil_outside_the_group_is_refused(cast: Cast) -> None:
    pupils, g = a_class(cast, 2)
    with pytest.raises(ValidationError) as caught:
        actions.results_record(
            actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
            judgements={pupils[0].pk: "EXS", cast.other_pupil.pk: "EXS"},
        )  # fmt: skip
    assert "not in 5 Willow" in caught.value.message_dict[f"pupil-{cast.other_pupil.pk}"][0]
    assert not Result.objects.filter(pupil=pupils[0]).exists()


def test_out_of_window_entry_is_refused(cast: Cast) -> None:
    pupils, g = a_class(cast, 1)
    late = cast.point.closes + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        actions.results_record(
            actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
            judgements={pupils[0].pk: "EXS"}, today=late,
        )  # fmt: skip
    assert "can't be entered today" in caught.value.message_dict["point"][0]


def test_a_year_group_the_point_does_not_collect_is_refused(cast: Cast) -> None:
    infant = enrol(PupilFactory(trust=cast.alder), cast.alder_primary, "1")
    g = group(cast.alder_primary, "1 Birch", teachers=(cast.teacher,), pupils=(infant,))
    with pytest.raises(ValidationError) as caught:
        actions.results_record(
            actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
            judgements={infant.pk: "EXS"},
        )  # fmt: skip
    assert "year group" in caught.value.message_dict[f"pupil-{infant.pk}"][0]


def test_a_numeric_scale_takes_scores_and_refuses_out_of_range(cast: Cast) -> None:
    scale = cast.point.scale.__class__.objects.get(trust=cast.alder, builtin_key="ks2_scaled")
    bands = list(Band.objects.filter(scale=scale).order_by("value"))
    assert actions.parse_judgement(scale, bands, "104")[0].code == "EXS"
    assert actions.parse_judgement(scale, bands, "99.5")[0].code == "BLW"
    with pytest.raises(ValueError, match="outside the scale"):
        actions.parse_judgement(scale, bands, "121")
    with pytest.raises(ValueError, match="not a score"):
        actions.parse_judgement(scale, bands, "high")


# --- the entry page --------------------------------------------------------------------------
def entry_url(cast: Cast, g: TeachingGroup) -> str:
    return reverse(
        "tracking_entry",
        args=[cast.alder_primary.pk, g.pk, cast.point.pk, cast.maths.pk],
    )


def test_a_teacher_saves_a_class_in_one_post_and_the_time_is_kept(cast: Cast) -> None:
    pupils, g = a_class(cast, 30)
    client = cast.client_for("teacher")
    page = client.get(entry_url(cast, g))
    assert page.status_code == 200
    assert page.content.count(b'class="judgement"') == 30
    data = {f"pupil-{p.pk}": "EXS" if i % 2 else "w" + "ts" for i, p in enumerate(pupils)}
    response = client.post(entry_url(cast, g), data | {"elapsed": "75"})
    assert response.status_code == 302
    assert Result.objects.filter(pupil__in=pupils, point=cast.point).count() == 30
    session = EntrySession.objects.get(user=cast.teacher, group_id=g.pk)
    assert session.seconds == 75
    assert session.saves == 1


def test_autosave_answers_json_and_errors_name_the_pupil(cast: Cast) -> None:
    pupils, g = a_class(cast, 2)
    client = cast.client_for("teacher")
    ok = client.post(entry_url(cast, g), {"autosave": "1", f"pupil-{pupils[0].pk}": "GDS",
                                          "elapsed": "4"})  # fmt: skip
    assert ok.status_code == 200
    assert ok.json() == {"saved": True, "errors": {}, "recorded": 1}
    bad = client.post(entry_url(cast, g), {"autosave": "1", f"pupil-{pupils[1].pk}": "nope"})
    assert bad.status_code == 200  # a refusal is an answer, not a failed request
    assert bad.json()["saved"] is False
    assert "is not a band" in bad.json()["errors"][f"pupil-{pupils[1].pk}"]
    # A long pause is time away, not work: one interval counts for at most two minutes.
    client.post(entry_url(cast, g), {"autosave": "1", "elapsed": "5000"})
    session = EntrySession.objects.get(user=cast.teacher, group_id=g.pk)
    assert session.seconds == 4 + 120


def test_the_full_form_shows_every_error_beside_its_pupil(cast: Cast) -> None:
    pupils, g = a_class(cast, 2)
    response = cast.client_for("teacher").post(
        entry_url(cast, g), {f"pupil-{pupils[0].pk}": "EXS", f"pupil-{pupils[1].pk}": "QQ"}
    )
    assert response.status_code == 200
    assert b"Nothing was saved" in response.content
    assert f'href="#id_pupil-{pupils[1].pk}"'.encode() in response.content
    assert b'value="QQ"' in response.content  # what was typed is kept
    assert not Result.objects.filter(pupil__in=pupils).exists()


def test_another_teachers_group_cannot_be_recorded(cast: Cast) -> None:
    response = cast.client_for("teacher").get(entry_url(cast, cast.other_group))
    assert response.status_code == 403


def test_the_record_page_lists_my_groups_with_progress(cast: Cast) -> None:
    response = cast.client_for("teacher").get(
        reverse("tracking_record", args=[cast.alder_primary.pk])
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "4 Oak" in text and "4 Ash" not in text
    assert "1 of 1" in text  # the taught pupil's maths judgement from the cast


# --- figures ---------------------------------------------------------------------------------
def school_url(cast: Cast, **query: object) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return reverse("tracking_school", args=[cast.alder_primary.pk]) + (
        f"?point={cast.point.pk}&subject={cast.maths.pk}&{params}"
    )


def record_class(cast: Cast, codes: list[str]) -> list[Pupil]:
    pupils, g = a_class(cast, len(codes))
    actions.results_record(
        actor=cast.teacher, point=cast.point, subject=cast.maths, group=g,
        judgements={p.pk: c for p, c in zip(pupils, codes, strict=True)},
    )  # fmt: skip
    return pupils


def test_the_school_view_shows_the_share_at_expected_and_the_spread(cast: Cast) -> None:
    record_class(cast, ["EXS"] * 6 + ["GDS"] * 2 + ["WTS"] * 2)
    response = cast.client_for("head").get(school_url(cast))
    text = response.content.decode()
    assert response.status_code == 200
    # Year 5: 8 of 10 at or above EXS.
    assert "80%" in text
    assert "Year 5" in text
    assert reverse("tracking_year", args=[cast.alder_primary.pk, "5"]) in text


def test_a_governor_sees_rounded_counts_and_no_small_groups(cast: Cast) -> None:
    record_class(cast, ["EXS"] * 10 + ["GDS"] * 2 + ["WTS"])
    text = cast.client_for("governor").get(school_url(cast)).content.decode()
    assert ">15<" in text  # 13 pupils shown to the nearest 5
    assert "&lt;5" in text  # 2 at greater depth, 1 working towards: not shown
    assert "fewer than 5" in text  # Year 4 has only the taught pupil
    assert "Tamsin" not in text


def test_filtering_by_pupil_group_narrows_the_figures(cast: Cast) -> None:
    record_class(cast, ["EXS"] * 6)  # pupils 0 and 3 are pupil premium
    text = cast.client_for("head").get(school_url(cast, pupils="pp")).content.decode()
    assert "Pupil premium" in text
    row = Rollup.objects.filter(point=cast.point, year_group="5", pupil_group="pp")
    assert sum(r.count for r in row) == 2


def test_the_trust_view_drills_down_to_schools(cast: Cast) -> None:
    record_class(cast, ["EXS"] * 6)
    url = reverse("tracking_trust", args=[cast.alder.pk]) + f"?point={cast.point.pk}"
    text = cast.client_for("trust_leader").get(url).content.decode()
    assert "Alder Primary" in text
    assert reverse("tracking_school", args=[cast.alder_primary.pk]) in text
    # The trust leader sees aggregates only: rounded, and no way to a pupil.
    assert "fewer than 5" in text


def test_the_data_lead_drills_from_trust_to_pupil(cast: Cast) -> None:
    client = cast.client_for("data_lead")
    query = f"?point={cast.point.pk}&subject={cast.maths.pk}"
    trust = client.get(reverse("tracking_trust", args=[cast.alder.pk]) + query)
    school_link = reverse("tracking_school", args=[cast.alder_primary.pk])
    assert school_link in trust.content.decode()
    school = client.get(school_link + query)
    year_link = reverse("tracking_year", args=[cast.alder_primary.pk, "4"])
    assert year_link in school.content.decode()
    year = client.get(year_link + query)
    group_link = reverse("tracking_group", args=[cast.alder_primary.pk, cast.teacher_group.pk])
    assert group_link in year.content.decode()
    sheet = client.get(group_link + query)
    pupil_link = reverse("tracking_pupil", args=[cast.alder_primary.pk, cast.taught_pupil.pk])
    assert pupil_link in sheet.content.decode()
    pupil = client.get(pupil_link)
    assert pupil.status_code == 200
    assert "EXS" in pupil.content.decode()


def test_a_teacher_drills_only_into_their_own_groups(cast: Cast) -> None:
    record_class(cast, ["EXS"] * 3)
    query = f"?point={cast.point.pk}&subject={cast.maths.pk}"
    text = (
        cast.client_for("teacher")
        .get(reverse("tracking_year", args=[cast.alder_primary.pk, "5"]) + query)
        .content.decode()
    )
    assert "5 Willow" in text  # the teacher's own group links through
    assert reverse("tracking_group", args=[cast.alder_primary.pk, cast.other_group.pk]) not in text


def test_figures_export_to_excel(cast: Cast) -> None:
    record_class(cast, ["EXS"] * 6)
    response = cast.client_for("head").get(school_url(cast, export="xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[0] == "Year 5" and row[2] == "100%" for row in values)


@pytest.mark.parametrize("name", ["tracking_trust", "tracking_school"])
def test_dashboards_cost_the_same_few_queries_however_many_schools_and_results(
    cast: Cast, name: str, django_assert_max_num_queries: object
) -> None:
    client = cast.client_for("data_lead")

    def fetch() -> None:
        if name == "tracking_trust":
            url = reverse(name, args=[cast.alder.pk])
        else:
            url = reverse(name, args=[cast.alder_primary.pk])
        response = client.get(url + f"?point={cast.point.pk}&subject={cast.maths.pk}")
        assert response.status_code == 200

    with django_assert_max_num_queries(14):  # type: ignore[operator]
        fetch()
    for i in range(3):
        SchoolFactory(trust=cast.alder, name=f"More {i}")
    record_class(cast, ["EXS", "GDS", "WTS"] * 10)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        fetch()


# --- targets, the pupil page, estimates --------------------------------------------------------
def test_a_teacher_sets_a_target_and_sees_the_pupil_on_track(cast: Cast) -> None:
    client = cast.client_for("teacher")
    url = reverse("tracking_target", args=[cast.alder_primary.pk, cast.taught_pupil.pk])
    response = client.post(url, {"subject": cast.maths.pk, "band": band(cast, "EXS").pk})
    assert response.status_code == 302
    assert Target.objects.get(pupil=cast.taught_pupil).band.code == "EXS"
    page = client.get(reverse("tracking_pupil", args=[cast.alder_primary.pk, cast.taught_pupil.pk]))
    assert "on track" in page.content.decode()
    client.post(url, {"subject": cast.maths.pk, "band": ""})
    assert not Target.objects.filter(pupil=cast.taught_pupil).exists()


def test_a_target_with_a_band_from_nowhere_is_refused(cast: Cast) -> None:
    url = reverse("tracking_target", args=[cast.alder_primary.pk, cast.taught_pupil.pk])
    birch_band = Band.objects.filter(scale__trust=cast.birch).first()
    assert birch_band is not None
    response = cast.client_for("teacher").post(
        url, {"subject": cast.maths.pk, "band": birch_band.pk}, follow=True
    )
    assert "Target" in response.content.decode()
    assert not Target.objects.filter(pupil=cast.taught_pupil).exists()


def test_estimates_are_ranges_learnt_from_earlier_cohorts(cast: Cast) -> None:
    """Two earlier years of Year 4 → Year 5 history, then this year's pupil: the page shows a
    range and chances, and never one estimated grade on its own."""
    from grove.core.models import AcademicYear

    year = cast.year
    scale = cast.point.scale
    bands = {b.code: b for b in Band.objects.filter(scale=scale)}
    codes = ["WTS", "EXS", "GDS"]

    def final_point(start_year: int) -> CollectionPoint:
        ay, _ = AcademicYear.objects.get_or_create(start_year=start_year)
        point = CollectionPoint.objects.create(
            trust=cast.alder, academic_year=ay, name=f"Summer {start_year}",
            opens=dt.date(start_year + 1, 6, 1), closes=dt.date(start_year + 1, 7, 15),
            year_groups=["3", "4", "5", "6"], scale=scale, purpose="p", used_by="u",
            minutes_per_pupil=Decimal(1),
        )  # fmt: skip
        point.subjects.add(cast.maths)
        return point

    points = {y: final_point(y) for y in (year.start_year - 3, year.start_year - 2,
                                           year.start_year - 1)}  # fmt: skip
    rows = []
    for cohort in range(2):
        outcome_year = year.start_year - 2 + cohort
        for i in range(60):
            pupil = PupilFactory(trust=cast.alder)
            start = codes[i % 3]
            end = codes[min(2, i % 3 + (i % 4 == 0))]
            for y, yg, code in ((outcome_year - 1, "3", start), (outcome_year, "4", end)):
                ay = AcademicYear.objects.get(start_year=y)
                enrol(pupil, cast.alder_primary, yg, year=ay)
                rows.append(ResultRow(points[y].pk, cast.maths.pk, pupil.pk,
                                      cast.alder_primary.pk, yg, bands[code]))  # fmt: skip
    # This year's pupil was WTS... no: EXS at the end of last year (Year 3).
    last = AcademicYear.objects.get(start_year=year.start_year - 1)
    enrol(cast.taught_pupil, cast.alder_primary, "3", year=last)
    rows.append(ResultRow(points[year.start_year - 1].pk, cast.maths.pk, cast.taught_pupil.pk,
                          cast.alder_primary.pk, "3", bands["EXS"]))  # fmt: skip
    results_write(actor=None, trust=cast.alder, rows=rows)
    text = (
        cast.client_for("teacher")
        .get(reverse("tracking_pupil", args=[cast.alder_primary.pk, cast.taught_pupil.pk]))
        .content.decode()
    )
    assert "estimate" in text.lower()
    assert "Pupils with similar starting points went on to between" in text
    assert "Chance of each band" in text
    assert "predicted" not in text.lower()


# --- workload ----------------------------------------------------------------------------------
def test_the_workload_page_sets_measured_time_beside_the_estimate(cast: Cast) -> None:
    _pupils, g = a_class(cast, 4)
    actions.entry_time_add(
        actor=cast.teacher, point=cast.point, subject=cast.maths, group=g, seconds=90, saves=2
    )
    response = cast.client_for("head").get(
        reverse("tracking_workload", args=[cast.alder_primary.pk]) + f"?point={cast.point.pk}"
    )
    text = response.content.decode()
    assert "Autumn assessment" in text
    willow = next(r for r in response.context["completion"] if r.label == "5 Willow")
    assert (willow.minutes, willow.recorded, willow.expected) == (1.5, 0, 8)  # 4 pupils × 2
    assert "Teacher Cast" in willow.teachers
    assert ("Teacher Cast", 0.03, 2) in response.context["teachers"]


def test_results_of_one_school_never_land_in_anothers_rollups(cast: Cast) -> None:
    before = Rollup.objects.filter(school=cast.alder_secondary).count()
    record_class(cast, ["EXS"] * 3)
    assert Rollup.objects.filter(school=cast.alder_secondary).count() == before
    assert not GroupPupil.objects.filter(
        group__school=cast.birch_primary, pupil__results__isnull=False
    ).exists()


def test_result_timestamps_are_kept(cast: Cast) -> None:
    pupils = record_class(cast, ["EXS"])
    result = Result.objects.get(pupil=pupils[0])
    assert abs((timezone.now() - result.recorded_at).total_seconds()) < 60
    assert result.recorded_by == cast.teacher


def test_a_teacher_filtering_by_sen_sees_no_small_numbers(cast: Cast) -> None:
    """A teacher may not look up other pupils' SEN status, so figures narrowed by it hide
    small numbers for them, while the head sees them exactly."""
    record_class(cast, ["EXS"] * 3)
    teacher = cast.client_for("teacher").get(school_url(cast, pupils="sen_k")).content.decode()
    head = cast.client_for("head").get(school_url(cast, pupils="sen_k")).content.decode()
    assert "fewer than 5" in teacher  # the taught pupil, on SEN support, in Year 4
    assert "fewer than 5" not in head


def test_a_former_pupils_judgements_at_their_next_school_stay_hidden(cast: Cast) -> None:
    """A pupil who was at Alder Primary last year and is at Alder Secondary now: the primary's
    head sees nothing recorded at the secondary."""
    from grove.core.models import AcademicYear

    last = AcademicYear.objects.get_or_create(start_year=cast.year.start_year - 1)[0]
    pupil = PupilFactory(trust=cast.alder, legal_first_name="Moved", legal_last_name="On")
    enrol(pupil, cast.alder_primary, "6", year=last)
    enrol(pupil, cast.alder_secondary, "7")
    point = cast.point
    point.year_groups = [*point.year_groups, "7"]
    point.save()
    results_write(
        actor=None,
        trust=cast.alder,
        rows=[ResultRow(point.pk, cast.maths.pk, pupil.pk, cast.alder_secondary.pk, "7",
                        band(cast, "GDS"))],
    )  # fmt: skip
    url = reverse("tracking_pupil", args=[cast.alder_primary.pk, pupil.pk])
    text = cast.client_for("head").get(url).content.decode()
    assert "No judgements have been recorded" in text


def test_on_a_scale_of_scores_a_score_inside_the_target_band_is_on_track(cast: Cast) -> None:
    from grove.tracking.queries import track_against

    scale = cast.point.scale.__class__.objects.get(trust=cast.alder, builtin_key="ks2_scaled")
    bands = {b.code: b for b in Band.objects.filter(scale=scale)}
    assert track_against(bands["EXS"], bands["EXS"]) == "on"  # e.g. 104 against EXS (100-109)
    assert track_against(bands["HS"], bands["EXS"]) == "above"
    assert track_against(bands["BLW"], bands["EXS"]) == "below"
    assert track_against(None, bands["EXS"]) == ""
