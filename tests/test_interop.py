"""Imports from the MIS: CSV, Excel and the Common Transfer File. All or nothing, repeatable,
every problem named by row and column."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from grove.core.models import AcademicYear, AuditEvent, School
from grove.interop import actions
from grove.interop.models import ColumnMapping, ImportJob, ImportKind, ImportStatus
from grove.interop.tabular import FileProblem, guess_mapping, read_csv, read_table
from grove.pupils.codes import make_upn
from grove.pupils.models import Characteristics, Enrolment, GroupPupil, Pupil, TeachingGroup
from grove.tracking.actions import rollups_rebuild
from grove.tracking.models import CollectionPoint, Result, Rollup
from tests.conftest import Cast
from tests.factories import PupilFactory, enrol

DATA = Path(__file__).parent / "data" / "interop"

PUPILS_CSV = (
    "UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Gender,Year,SEN Status,"
    "Primary Need,FSM Eligible\r\n"
    f"{make_upn('201800000001')},Adeyemi,Tobi,,14/03/2017,M,4,N,,N\r\n"
    f"{make_upn('201800000002')},Brennan,Siobhan,Shiv,02/10/2016,F,Year 4,K,SLCN,Y\r\n"
    f"{make_upn('201800000003')},Chowdhury,Rafi,,2017-06-30,M,3,N,,N\r\n"
)


def counts() -> dict[str, int]:
    return {
        "pupils": Pupil.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "characteristics": Characteristics.objects.count(),
        "groups": TeachingGroup.objects.count(),
        "placements": GroupPupil.objects.count(),
        "results": Result.objects.count(),
        "rollups": Rollup.objects.count(),
        "points": CollectionPoint.objects.count(),
        "audit": AuditEvent.objects.exclude(action="import.run").count(),
    }


def run(cast: Cast, kind: str, filename: str, content: bytes, school: School | None = None):
    """Upload and import a file as the head would, with the columns Grove guesses."""
    school = school or cast.alder_primary
    job = actions.import_job_create(
        actor=cast.head, school=school, kind=kind, filename=filename, content=content
    )
    if kind == ImportKind.CTF:
        actions.import_job_dispatch(job=job, enqueue=lambda job_id: None)
        job.refresh_from_db()
        return job
    table = read_table(filename, content)
    return actions.import_job_start(
        actor=cast.head, job=job, mapping=guess_mapping(kind, table.headers, {})
    )


def errors_of(job: ImportJob) -> set[tuple[int, str]]:
    return {(e["row"], e["field"]) for e in job.errors}


# --- pupils -------------------------------------------------------------------------------------
def test_pupils_csv_puts_pupils_on_the_roll_with_characteristics(cast: Cast) -> None:
    job = run(cast, ImportKind.PUPILS, "sims.csv", PUPILS_CSV.encode())
    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary["created"] == 3
    shiv = Pupil.objects.get(legal_last_name="Brennan")
    assert shiv.name == "Shiv Brennan"
    assert shiv.enrolments.get().year_group == "4"
    record = shiv.characteristics.get()
    assert (record.sen_provision, record.sen_primary_need, record.fsm) == ("K", "SLCN", True)
    assert AuditEvent.objects.filter(action="import.run", school=cast.alder_primary).count() == 1


def test_importing_the_same_pupils_file_twice_changes_nothing(cast: Cast) -> None:
    run(cast, ImportKind.PUPILS, "sims.csv", PUPILS_CSV.encode())
    before = counts()
    job = run(cast, ImportKind.PUPILS, "sims.csv", PUPILS_CSV.encode())
    assert job.summary["created"] == job.summary["updated"] == 0
    assert job.summary["unchanged"] == 3
    assert counts() == before


def test_a_changed_characteristic_closes_the_old_record_and_keeps_history(cast: Cast) -> None:
    run(cast, ImportKind.PUPILS, "sims.csv", PUPILS_CSV.encode())
    pupil = Pupil.objects.get(legal_last_name="Adeyemi")
    # The record began before today, so a change starts a new one.
    pupil.characteristics.update(valid_from=cast.year.starts)
    changed = PUPILS_CSV.replace(",14/03/2017,M,4,N,,N", ",14/03/2017,M,5,N,,Y")
    job = run(cast, ImportKind.PUPILS, "sims.csv", changed.encode())
    assert job.summary["updated"] == 1 and job.summary["unchanged"] == 2
    assert pupil.characteristics.count() == 2
    assert pupil.characteristics.get(valid_to__isnull=True).fsm is True
    assert pupil.enrolments.get().year_group == "5"


def test_pupils_from_excel_read_date_cells(cast: Cast) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["UPN", "Last name", "First name", "Date of birth", "Gender", "Year group"])
    # Excel cells hold naive datetimes: the sheet has no time zone.
    born = [dt.datetime(2016, 9, 2), dt.datetime(2017, 1, 20)]  # noqa: DTZ001
    sheet.append([make_upn("201800000011"), "Evans", "Megan", born[0], "F", 5])
    sheet.append([make_upn("201800000012"), "Farah", "Idris", born[1], "M", "5"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run(cast, ImportKind.PUPILS, "arbor.xlsx", buffer.getvalue())
    assert job.status == ImportStatus.DONE, job.errors
    assert Pupil.objects.get(legal_last_name="Evans").date_of_birth == dt.date(2016, 9, 2)


def test_one_bad_pupil_row_rejects_the_whole_file_naming_row_and_column(cast: Cast) -> None:
    before = counts()
    bad = PUPILS_CSV.replace("02/10/2016", "31/02/2016").replace(",M,3,", ",X,3,")
    job = run(cast, ImportKind.PUPILS, "sims.csv", bad.encode())
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == {(3, "DOB"), (4, "Gender")}
    assert counts() == before


def test_duplicate_pupil_rows_are_named(cast: Cast) -> None:
    lines = PUPILS_CSV.splitlines()
    job = run(cast, ImportKind.PUPILS, "sims.csv", "\n".join([*lines, lines[1]]).encode())
    assert (5, "UPN") in errors_of(job)
    assert "row 2" in job.errors[0]["message"]


def test_a_file_not_in_utf8_is_refused_with_the_place(cast: Cast) -> None:
    before = counts()
    content = PUPILS_CSV.replace("Siobhan", "Siobhán").encode("cp1252")
    with pytest.raises(FileProblem, match=r"not UTF-8.*line 3.*CSV UTF-8"):
        read_csv(content)
    job = actions.import_job_create(
        actor=cast.head, school=cast.alder_primary, kind=ImportKind.PUPILS,
        filename="sims.csv", content=content,
    )  # fmt: skip
    response = cast.client_for("head").get(
        reverse("import_columns", args=[cast.alder_primary.pk, job.pk]), follow=True
    )
    assert b"not UTF-8" in response.content
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert counts() == before


def test_utf8_with_a_byte_order_mark_is_read(cast: Cast) -> None:
    job = run(cast, ImportKind.PUPILS, "sims.csv", PUPILS_CSV.encode("utf-8-sig"))
    assert job.status == ImportStatus.DONE, job.errors


# --- the web flow -------------------------------------------------------------------------------
def test_upload_match_columns_and_see_the_report(cast: Cast) -> None:
    client = cast.client_for("admin")
    school = cast.alder_primary
    response = client.post(
        reverse("import_new", args=[school.pk]),
        {"kind": "pupils", "file": SimpleUploadedFile("sims.csv", PUPILS_CSV.encode())},
    )
    job = ImportJob.objects.latest("id")
    assert response["Location"] == reverse("import_columns", args=[school.pk, job.pk])
    page = client.get(response["Location"])
    assert b"Legal Forename" in page.content and b"Brennan" in page.content
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(reverse("import_columns", args=[school.pk, job.pk]), data)
    assert response["Location"] == reverse("import_job", args=[school.pk, job.pk])
    page = client.get(response["Location"])
    assert b"Done" in page.content and b"every 1s" not in page.content
    # The mapping is saved for the school: the next upload pre-fills it.
    saved = ColumnMapping.objects.get(school=school, kind="pupils")
    assert saved.mapping["legal_first_name"] == "Legal Forename"
    listing = client.get(reverse("import_list", args=[school.pk]))
    assert b"sims.csv" in listing.content


def test_a_saved_mapping_prefills_unusual_headers(cast: Cast) -> None:
    school = cast.alder_primary
    actions.column_mapping_save(
        actor=cast.head, school=school, kind="groups",
        mapping={"group": "Form", "upn": "Pupil number"},
    )  # fmt: skip
    job = actions.import_job_create(
        actor=cast.head, school=school, kind="groups", filename="g.csv",
        content=f"Form,Pupil number\n4 Oak,{cast.other_pupil.upn}\n".encode(),
    )  # fmt: skip
    page = cast.client_for("head").get(reverse("import_columns", args=[school.pk, job.pk]))
    assert page.context["form"]["col_group"].value() == "Form"
    assert page.context["form"]["col_upn"].value() == "Pupil number"


def test_a_running_job_polls_every_second(cast: Cast) -> None:
    job = actions.import_job_create(
        actor=cast.head, school=cast.alder_primary, kind="ctf", filename="a.xml", content=b"<x/>"
    )
    ImportJob.objects.filter(pk=job.pk).update(total_rows=10, processed_rows=4)
    url = reverse("import_job", args=[cast.alder_primary.pk, job.pk])
    page = cast.client_for("head").get(url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in page.content and b"4 of 10" in page.content
    assert b"<html" not in page.content


# --- groups -------------------------------------------------------------------------------------
def test_groups_csv_creates_groups_and_placements_once(cast: Cast) -> None:
    other, taught = cast.other_pupil, cast.taught_pupil
    csv = (
        "Group,UPN,Teacher's email,Subject\n"
        f"4 Maths Set 1,{other.upn},teacher@cast.example,Maths\n"
        f"4 Maths Set 1,{taught.upn},,Maths\n"
        f"4 Oak,{other.upn},,\n"
    )
    job = run(cast, ImportKind.GROUPS, "groups.csv", csv.encode())
    assert job.status == ImportStatus.DONE, job.errors
    group = TeachingGroup.objects.get(name="4 Maths Set 1")
    assert set(group.placements.values_list("pupil_id", flat=True)) == {other.pk, taught.pk}
    assert list(group.teachers.all()) == [cast.teacher]
    before = counts()
    again = run(cast, ImportKind.GROUPS, "groups.csv", csv.encode())
    assert again.summary["unchanged"] == 3 and again.summary["created"] == 0
    assert counts() == before


def test_groups_errors_unknown_pupil_and_stranger_teacher(cast: Cast) -> None:
    csv = (
        "Group,UPN,Teacher's email\n"
        f"4 Oak,{make_upn('999999999999')},\n"
        f"4 Oak,{cast.birch_pupil.upn},\n"
        f"4 Oak,{cast.other_pupil.upn},outsider@cast.example\n"
        f"4 Oak,{cast.secondary_pupil.upn},\n"
    )
    before = counts()
    job = run(cast, ImportKind.GROUPS, "groups.csv", csv.encode())
    assert errors_of(job) == {(2, "UPN"), (3, "UPN"), (4, "Teacher's email"), (5, "UPN")}
    assert counts() == before


# --- results ------------------------------------------------------------------------------------
def results_csv(cast: Cast, rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["UPN,Subject,Collection point,Result"] + [",".join(r) for r in rows]
    return "\n".join(lines).encode()


def test_results_csv_imports_and_keeps_rollups_in_step(cast: Cast) -> None:
    taught, other = cast.taught_pupil, cast.other_pupil
    content = results_csv(
        cast,
        [
            (taught.upn, "maths", "Autumn assessment", "GDS"),
            (taught.upn, "Reading", "Autumn assessment", "exs"),
            (other.upn, "maths", "autumn assessment", "WTS"),
            (other.upn, "reading", "Autumn assessment", ""),
        ],
    )
    job = run(cast, ImportKind.RESULTS, "results.csv", content)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary == {
        "created": 2, "updated": 1, "unchanged": 0, "skipped": 1, "notes": [],
    }  # fmt: skip
    cells = ("school_id", "point_id", "subject_id", "year_group", "pupil_group", "band_id")
    kept = set(Rollup.objects.filter(count__gt=0).values_list(*cells, "count"))
    rollups_rebuild(trust=cast.alder)
    assert set(Rollup.objects.filter(count__gt=0).values_list(*cells, "count")) == kept
    before = counts()
    again = run(cast, ImportKind.RESULTS, "results.csv", content)
    assert again.summary["unchanged"] == 3 and again.summary["created"] == 0
    assert counts() == before


@pytest.mark.parametrize(
    ("row", "field", "says"),
    [
        (("{taught}", "maths", "Autumn assessment", "XYZ"), "Result", "not a band"),
        (("{taught}", "maths", "Autumn assessment", "EXS"), "UPN", "duplicate"),
        (("{unknown}", "maths", "Autumn assessment", "EXS"), "UPN", "No pupil"),
        (("{secondary}", "maths", "Autumn assessment", "EXS"), "UPN", "not on Alder Primary"),
        (("{taught}", "art", "Autumn assessment", "EXS"), "Subject", "does not collect"),
        (("{taught}", "potions", "Autumn assessment", "EXS"), "Subject", "not one of"),
        (("{taught}", "maths", "Summer assessment", "EXS"), "Collection point", "no collection"),
        (("{taught}", "maths", "Next year", "EXS"), "Collection point", "before its window"),
        (("{year2}", "maths", "Autumn assessment", "EXS"), "UPN", "Year 2"),
    ],
)
def test_bad_result_rows_are_named_and_nothing_is_written(
    cast: Cast, row: tuple[str, ...], field: str, says: str
) -> None:
    today = timezone.localdate()
    future = CollectionPoint.objects.create(
        trust=cast.alder, academic_year=cast.year, name="Next year",
        opens=min(cast.year.ends, today + dt.timedelta(days=30)), closes=cast.year.ends,
        year_groups=["4"], scale=cast.point.scale, purpose="p", used_by="u",
        minutes_per_pupil=1,
    )  # fmt: skip
    future.subjects.set([cast.maths])
    year2 = enrol(PupilFactory(trust=cast.alder), cast.alder_primary, "2")
    names = {
        "taught": cast.taught_pupil.upn, "unknown": make_upn("999999999998"),
        "secondary": cast.secondary_pupil.upn, "year2": year2.upn,
    }  # fmt: skip
    good = (cast.taught_pupil.upn, "maths", "Autumn assessment", "EXS")
    rows = [good, (cast.other_pupil.upn, "reading", "Autumn assessment", "WTS")]
    bad = tuple(cell.format(**names) for cell in row)
    before = counts()
    job = run(cast, ImportKind.RESULTS, "r.csv", results_csv(cast, [*rows, bad]))  # type: ignore[list-item]
    assert job.status == ImportStatus.FAILED
    assert (4, field) in errors_of(job), job.errors
    assert says in " ".join(e["message"] for e in job.errors)
    assert counts() == before


def test_a_result_for_a_pupil_outside_the_named_group_is_refused(cast: Cast) -> None:
    rows = [
        {"upn": cast.taught_pupil.upn, "subject": "maths", "point": "Autumn assessment",
         "result": "EXS", "group": "4 Oak"},
        {"upn": cast.other_pupil.upn, "subject": "maths", "point": "Autumn assessment",
         "result": "EXS", "group": "4 Oak"},
    ]  # fmt: skip
    with pytest.raises(actions.ImportRejected) as rejected:
        actions.results_import_rows(actor=cast.head, school=cast.alder_primary, rows=rows)
    assert [(e.row, e.field) for e in rejected.value.errors] == [(3, "Group")]


def test_historical_results_outside_the_window_are_allowed_for_imports(cast: Cast) -> None:
    CollectionPoint.objects.filter(pk=cast.point.pk).update(
        opens=cast.year.starts, closes=cast.year.starts
    )
    rows = [{"upn": cast.other_pupil.upn, "subject": "maths", "point": "Autumn assessment",
             "result": "EXS"}]  # fmt: skip
    summary = actions.results_import_rows(actor=cast.head, school=cast.alder_primary, rows=rows)
    assert summary.created == 1


def test_progress_is_recorded_and_large_files_go_to_the_task_queue(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    pupils = [enrol(PupilFactory(trust=cast.alder), cast.alder_primary, "5") for _ in range(5)]
    rows = [(p.upn, s, "Autumn assessment", "EXS") for p in pupils for s in ("maths", "reading")]
    content = results_csv(cast, rows * 1)
    seen: list[int] = []
    with pytest.raises(actions.ImportRejected):  # repeated rows are duplicates
        actions.results_check(
            school=cast.alder_primary,
            rows=[{"upn": u, "subject": s, "point": p, "result": r} for u, s, p, r in rows] * 120,
            progress=seen.append,
        )
    assert seen and seen == sorted(seen) and seen[-1] < 1200
    # Past the size threshold, the job is enqueued (tests run tasks at once).
    monkeypatch.setattr(actions, "BACKGROUND_BYTES", 10)
    job = actions.import_job_create(
        actor=cast.head, school=cast.alder_primary, kind="results", filename="r.csv",
        content=content,
    )  # fmt: skip
    job = actions.import_job_start(
        actor=cast.head, job=job,
        mapping={"upn": "UPN", "subject": "Subject", "point": "Collection point",
                 "result": "Result"},
    )  # fmt: skip
    assert job.status == ImportStatus.DONE, job.errors
    assert job.processed_rows == job.total_rows == 10
    assert job.summary["created"] == 10


def test_ten_thousand_results_import_in_one_go(cast: Cast) -> None:
    year = cast.year
    made = Pupil.objects.bulk_create(
        PupilFactory.build(trust=cast.alder, upn=make_upn(f"3{n:011d}")) for n in range(2500)
    )
    Enrolment.objects.bulk_create(
        Enrolment(trust=cast.alder, pupil=p, school=cast.alder_primary, academic_year=year,
                  year_group=str(3 + n % 4), starts=year.starts)
        for n, p in enumerate(made)
    )  # fmt: skip
    CollectionPoint.objects.get(pk=cast.point.pk).subjects.add(
        *cast.point.subjects.model.objects.filter(trust=cast.alder, code__in=["writing", "science"])
    )
    bands = ["WTS", "EXS", "GDS", "PK6"]
    rows = [
        {"upn": p.upn, "subject": s, "point": "Autumn assessment", "result": bands[n % 4]}
        for n, p in enumerate(made)
        for s in ("maths", "reading", "writing", "science")
    ]
    started = time.perf_counter()
    summary = actions.results_import_rows(actor=cast.head, school=cast.alder_primary, rows=rows)
    print(f"10,000 results in {time.perf_counter() - started:.2f}s")
    assert summary.created == 10_000
    again = actions.results_import_rows(actor=cast.head, school=cast.alder_primary, rows=rows)
    assert again.unchanged == 10_000


# --- the Common Transfer File ------------------------------------------------------------------
@pytest.fixture
def secondary(cast: Cast) -> School:
    School.objects.filter(pk=cast.alder_secondary.pk).update(establishment_number="7002")
    cast.alder_secondary.refresh_from_db()
    return cast.alder_secondary


def test_ctf_brings_pupils_sen_fsm_and_ks2_results(cast: Cast, secondary: School) -> None:
    job = run(cast, ImportKind.CTF, "ctf.xml", (DATA / "ctf_ks2.xml").read_bytes(), secondary)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary["created"] == 3
    assert "Hazel Lane Primary (201/3999)" in " ".join(job.summary["notes"])
    amy = Pupil.objects.get(legal_last_name="Okafor")
    assert amy.name == "Amy Okafor"
    assert amy.enrolments.get(school=secondary).year_group == "7"
    assert amy.characteristics.get().fsm is True
    assert Pupil.objects.get(legal_last_name="Nowak").characteristics.get().fsm is False
    joseph = Pupil.objects.get(legal_last_name="Whitfield").characteristics.get()
    assert (joseph.sen_provision, joseph.sen_primary_need) == ("K", "SLCN")
    tests = CollectionPoint.objects.get(name="KS2 tests 2026")
    assert tests.scale.builtin_key == "ks2_scaled"
    assert tests.academic_year == AcademicYear.objects.get(start_year=2025)
    maths = Result.objects.get(point=tests, pupil=amy, subject__code="maths")
    assert (maths.value, maths.band.code, maths.year_group) == (104, "EXS", "6")
    assert Result.objects.filter(point=tests, subject__code="gps").count() == 1
    ta = CollectionPoint.objects.get(name="KS2 teacher assessment 2026")
    assert Result.objects.filter(point=ta).count() == 4
    # Absent (A) and the KS1 result are skipped, not errors.
    assert job.summary["skipped"] == 2
    before = counts()
    again = run(cast, ImportKind.CTF, "ctf.xml", (DATA / "ctf_ks2.xml").read_bytes(), secondary)
    assert again.status == ImportStatus.DONE
    assert again.summary["unchanged"] == 3
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ((DATA / "billion_laughs.xml").read_bytes(), "declares XML entities"),
        ((DATA / "external_entity.xml").read_bytes(), "declares XML entities"),
        (b"<CTfile><Header></CTfile>", "not well-formed XML (mismatched tag: line 1"),
        (b"<SomethingElse/>", "root element is <SomethingElse>"),
        ("<CTfile><Header/>é".encode("latin-1"), "not well-formed"),
    ],
)
def test_dangerous_or_malformed_ctf_is_refused(
    cast: Cast, secondary: School, content: bytes, says: str
) -> None:
    before = counts()
    job = run(cast, ImportKind.CTF, "bad.xml", content, secondary)
    assert job.status == ImportStatus.FAILED
    assert says in job.errors[0]["message"]
    assert counts() == before


def test_ctf_for_another_school_is_refused(cast: Cast) -> None:
    job = run(cast, ImportKind.CTF, "ctf.xml", (DATA / "ctf_ks2.xml").read_bytes())
    assert job.status == ImportStatus.FAILED
    assert "addressed to school 201/7002" in job.errors[0]["message"]


def test_bad_ctf_values_are_named_by_pupil_and_element(cast: Cast, secondary: School) -> None:
    text = (DATA / "ctf_ks2.xml").read_text()
    text = text.replace("<Result>104</Result>", "<Result>140</Result>")
    text = text.replace("<Gender>M</Gender>", "<Gender>Q</Gender>")
    before = counts()
    job = run(cast, ImportKind.CTF, "ctf.xml", text.encode(), secondary)
    assert errors_of(job) == {(1, "StageAssessment MAT/TT/SCALED"), (2, "Gender")}
    assert counts() == before


# --- property: one corrupted cell ---------------------------------------------------------------
CORRUPTIONS = {
    "UPN": ["", "A123", "Z201800000001"],
    "DOB": ["", "31/13/2016", "yesterday"],
    "Gender": ["", "X", "unknown"],
    "Year": ["", "15", "Year twelve"],
    "SEN Status": ["Q", "maybe"],
    "FSM Eligible": ["perhaps", "2"],
    "Legal Surname": [""],
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    row=st.integers(min_value=0, max_value=2),
    column=st.sampled_from(sorted(CORRUPTIONS)),
    choice=st.integers(min_value=0, max_value=2),
)
def test_one_corrupted_cell_is_named_and_nothing_is_saved(
    cast: Cast, row: int, column: str, choice: int
) -> None:
    lines = [line.split(",") for line in PUPILS_CSV.strip().split("\r\n")]
    index = lines[0].index(column)
    values = CORRUPTIONS[column]
    lines[row + 1][index] = values[choice % len(values)]
    before = counts()
    content = "\n".join(",".join(cells) for cells in lines).encode()
    job = run(cast, ImportKind.PUPILS, "sims.csv", content)
    assert job.status == ImportStatus.FAILED
    assert (row + 2, column) in errors_of(job), job.errors
    assert counts() == before
