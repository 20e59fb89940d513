"""The tracking benchmark: a synthetic trust, results loaded through Grove's own import path,
and the dashboards, class and pupil pages timed at 10%, 30% and 100% of the data.

    python -m bench.tracking [--scale S] [--out FILE]

At --scale 1 the trust has 100 schools, 75,000 pupils, 10 subjects and 3 collection points a
year for 3 years: about 6.75 million results. SQLite runs in a fresh file under var/bench/;
PostgreSQL runs when DATABASE_URL names an empty PostgreSQL database. Every rate is reported
beside a baseline measured in the same run (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "tracking.json"
WORK_DIR = ROOT / "var" / "bench"

FULL_SCHOOLS = 100
FULL_PUPILS = 75_000
YEARS = 3
POINTS_PER_YEAR = 3
YEAR_GROUPS = ("1", "2", "3", "4", "5", "6")
CLASS_SIZE = 30
REQUESTS = 30
STAGES = (("10%", 0.1), ("30%", 0.3), ("100%", 1.0))
TA_CODES = ("PK4", "PK5", "PK6", "WTS", "EXS", "GDS")
TA_CUTS = (-2.6, -2.0, -1.5, -0.5, 1.0)  # latent score -> index into TA_CODES
PROGRESS = (-0.35, -0.1, 0.15)  # autumn, spring, summer

TARGETS = {
    "trust_dashboard_p95_ms": 150.0,
    "trust_dashboard_flatness": 1.25,
    "import_results_per_s": 100_000.0,
    "import_vs_baseline": 0.5,
    "class_save_p95_ms": 50.0,
}


def _configure(database_url: str | None) -> tuple[str, Path | None]:
    """Point Django at the benchmark's database before it starts: a fresh SQLite file, or the
    PostgreSQL database named by DATABASE_URL."""
    sqlite_path: Path | None = None
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        url = database_url
    else:
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        sqlite_path = WORK_DIR / f"tracking-{os.getpid()}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{sqlite_path}"
    os.environ["DATABASE_URL"] = url
    # Debug mode keeps every query in memory: millions of them here.
    os.environ["GROVE_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grove.settings")
    import django

    django.setup()
    return url, sqlite_path


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile (nearest rank), in the samples' unit."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


@dataclass
class Trust:
    """What the build made, by primary key, for the loader and the requests."""

    trust_id: int
    leader_id: int
    schools: list[int]
    heads: dict[int, int]
    teachers: dict[int, int]
    points: list[int]  # in calendar order
    point_years: dict[int, int]  # point -> academic year start
    subjects: list[int]
    maths: int
    bands: dict[str, int]  # teacher assessment code -> band id
    pupils: dict[int, list[tuple[int, str]]]  # school -> (pupil, year group)
    latent: dict[int, float]
    first_class: dict[int, int] = field(default_factory=dict)  # school -> this year's class
    class_pupils: dict[int, list[int]] = field(default_factory=dict)
    upns: dict[int, str] = field(default_factory=dict)
    subject_codes: dict[int, str] = field(default_factory=dict)
    point_names: dict[int, str] = field(default_factory=dict)


def build(scale: float, seed: int = 2018) -> Trust:
    """A synthetic trust of primary schools with pupils, classes and a collection calendar."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from grove.core.models import AcademicYear, Membership, Phase, Role, School, User
    from grove.core.models import Trust as TrustModel
    from grove.pupils.codes import make_upn
    from grove.pupils.models import (
        Characteristics,
        Enrolment,
        GroupKind,
        GroupPupil,
        GroupTeacher,
        Pupil,
        TeachingGroup,
    )
    from grove.tracking.actions import collection_point_create, tracking_setup
    from grove.tracking.models import Band, Subject

    rng = random.Random(seed)
    n_schools = max(2, round(FULL_SCHOOLS * scale))
    per_school = max(len(YEAR_GROUPS) * 2, round(FULL_PUPILS * scale / n_schools))
    today = timezone.localdate()
    start = AcademicYear.start_year_for(today)
    years = {
        y: AcademicYear.objects.get_or_create(start_year=y)[0]
        for y in range(start - YEARS + 1, start + 1)
    }
    with transaction.atomic():
        trust = TrustModel.objects.create(name="Benchmark Trust", mfa_required=False)
        schools = School.objects.bulk_create(
            School(
                trust=trust,
                name=f"Benchmark Primary {i + 1}",
                urn=f"{700000 + i}",
                la_code="999",
                establishment_number=f"{2000 + i}",
                phase=Phase.PRIMARY,
            )
            for i in range(n_schools)
        )
        password = make_password("benchmark-password-1")
        leader = User.objects.create(
            email="leader@bench.example", given_name="Trust", family_name="Leader",
            password=password,
        )  # fmt: skip
        Membership.objects.create(user=leader, trust=trust, role=Role.TRUST_LEADER)
        heads: dict[int, int] = {}
        teachers: dict[int, int] = {}
        staff = []
        for school in schools:
            for role, table in (("head", heads), ("teacher", teachers)):
                user = User(
                    email=f"{role}.{school.urn}@bench.example",
                    given_name=role.title(),
                    family_name=school.urn,
                    password=password,
                )
                staff.append((user, school, role, table))
        User.objects.bulk_create(u for u, *_ in staff)
        Membership.objects.bulk_create(
            Membership(
                user=user,
                trust=trust,
                school=school,
                role=Role.HEADTEACHER if role == "head" else Role.TEACHER,
            )
            for user, school, role, _ in staff
        )
        for user, school, _, table in staff:
            table[school.pk] = user.pk

        tracking_setup(actor=leader, trust=trust)
        pupils: list[Pupil] = []
        placed: list[tuple[Pupil, School, str]] = []
        for school in schools:
            for i in range(per_school):
                code = YEAR_GROUPS[i % len(YEAR_GROUPS)]
                allocated = (start - int(code)) % 100
                pupil = Pupil(
                    trust=trust,
                    upn=make_upn(f"999{2000 + schools.index(school):04d}{allocated:02d}{i:03d}"),
                    legal_first_name=f"Pupil{i}",
                    legal_last_name=f"School{school.urn}",
                    date_of_birth=dt.date(start - int(code) - 5, 12, 1),
                    sex="F" if rng.random() < 0.5 else "M",
                )
                pupils.append(pupil)
                placed.append((pupil, school, code))
        Pupil.objects.bulk_create(pupils, batch_size=5000)
        sept1 = dt.date(start, 9, 1)
        chars = []
        latent: dict[int, float] = {}
        for pupil in pupils:
            pp = rng.random() < 0.25
            r = rng.random()
            sen = "E" if r < 0.02 else "K" if r < 0.14 else "N"
            latent[pupil.pk] = rng.gauss(0, 0.9) - 0.3 * pp + {"K": -0.7, "E": -1.7}.get(sen, 0)
            chars.append(
                Characteristics(
                    trust=trust,
                    pupil=pupil,
                    valid_from=sept1,
                    pupil_premium=pp,
                    fsm=pp,
                    fsm_ever6=pp,
                    sen_provision=sen,
                    sen_primary_need="SLCN" if sen != "N" else "",
                    eal=rng.random() < 0.2,
                )
            )
        Characteristics.objects.bulk_create(chars, batch_size=5000)
        # Cohorts are not moved up a year: every pupil is in the same year group each year,
        # which keeps the row counts exact and changes nothing the queries see.
        Enrolment.objects.bulk_create(
            (
                Enrolment(
                    trust=trust,
                    pupil=pupil,
                    school=school,
                    academic_year=year,
                    year_group=code,
                    starts=dt.date(y, 9, 1),
                )
                for y, year in years.items()
                for pupil, school, code in placed
            ),
            batch_size=5000,
        )
        by_school: dict[int, list[tuple[int, str]]] = {s.pk: [] for s in schools}
        for pupil, school, code in placed:
            by_school[school.pk].append((pupil.pk, code))
        groups: list[tuple[TeachingGroup, list[int]]] = []
        for year in years.values():
            for school in schools:
                for code in YEAR_GROUPS:
                    members = [p for p, c in by_school[school.pk] if c == code]
                    for n, begin in enumerate(range(0, len(members), CLASS_SIZE)):
                        group = TeachingGroup(
                            trust=trust,
                            school=school,
                            academic_year=year,
                            name=f"Year {code} class {n + 1}",
                            kind=GroupKind.CLASS,
                            year_groups=[code],
                        )
                        groups.append((group, members[begin : begin + CLASS_SIZE]))
        TeachingGroup.objects.bulk_create((g for g, _ in groups), batch_size=5000)
        GroupPupil.objects.bulk_create(
            (
                GroupPupil(trust=trust, group=g, pupil_id=p, starts=dt.date(start, 9, 1))
                for g, members in groups
                for p in members
            ),
            batch_size=5000,
        )
        first_class: dict[int, int] = {}
        class_pupils: dict[int, list[int]] = {}
        for g, members in groups:
            if g.academic_year_id == years[start].pk and g.school_id not in first_class:
                first_class[g.school_id] = g.pk
                class_pupils[g.pk] = members
        GroupTeacher.objects.bulk_create(
            GroupTeacher(trust=trust, group_id=group_id, user_id=teachers[school_id])
            for school_id, group_id in first_class.items()
        )

        subjects = list(Subject.objects.filter(trust=trust).order_by("position"))
        from grove.tracking.models import Scale

        ta = Scale.objects.get(trust=trust, school=None, builtin_key="teacher_assessment")
        bands = dict(Band.objects.filter(scale=ta).values_list("code", "pk"))
        points, point_years, point_names = [], {}, {}
        for y, year in years.items():
            for term in range(POINTS_PER_YEAR):
                if y < start:
                    opens = [dt.date(y, 11, 10), dt.date(y + 1, 3, 9), dt.date(y + 1, 6, 15)][term]
                    closes = opens + dt.timedelta(days=14)
                else:
                    # This year's points are all open, so the save can be timed on any of them.
                    opens, closes = year.starts + dt.timedelta(days=term), year.ends
                point = collection_point_create(
                    actor=leader,
                    trust=trust,
                    school=None,
                    academic_year=year,
                    name=f"{['Autumn', 'Spring', 'Summer'][term]} {y}",
                    opens=opens,
                    closes=closes,
                    year_groups=YEAR_GROUPS,
                    subjects=subjects,
                    scale=ta,
                    purpose="Benchmark data",
                    used_by="Nobody: synthetic",
                    minutes_per_pupil=Decimal("1.0"),
                )
                points.append(point.pk)
                point_years[point.pk] = y
                point_names[point.pk] = point.name
    return Trust(
        trust_id=trust.pk,
        leader_id=leader.pk,
        schools=[s.pk for s in schools],
        heads=heads,
        teachers=teachers,
        points=points,
        point_years=point_years,
        subjects=[s.pk for s in subjects],
        maths=next(s.pk for s in subjects if s.code == "maths"),
        bands=bands,
        pupils=by_school,
        latent=latent,
        first_class=first_class,
        class_pupils=class_pupils,
        upns={p.pk: p.upn for p in pupils},
        subject_codes={s.pk: s.code for s in subjects},
        point_names=point_names,
    )


def batches(t: Trust) -> list[tuple[int, int]]:
    """The import files, one per school and collection point, in date order: every school's
    file for a point before the next point (so last year's results, the prior attainment, are
    there when this year's arrive, and each stage holds whole collection points)."""
    return [(school, point) for point in t.points for school in t.schools]


def stage_ends(t: Trust) -> dict[int, str]:
    """After how many files each stage is measured: at the collection point nearest 10% and
    30% of the data (1 and 3 of 9 at full size), and at the end."""
    per_point = len(t.schools)
    ends = {}
    for name, fraction in STAGES:
        points = min(len(t.points), max(1, round(fraction * len(t.points))))
        ends[points * per_point] = name
    return ends


def rows_for(t: Trust, school: int, point: int) -> list[tuple[int, int, str, str]]:
    """(pupil, subject, year group, band code) for one school's file at one point: the same
    every time it is asked for, so Grove and the baseline store the same rows."""
    rng = random.Random(school * 1_000_003 + point)
    term = t.points.index(point) % POINTS_PER_YEAR
    rows = []
    for pupil, code in t.pupils[school]:
        for n, subject in enumerate(t.subjects):
            score = t.latent[pupil] + PROGRESS[term] + 0.05 * n + rng.gauss(0, 0.45)
            index = sum(score >= cut for cut in TA_CUTS)
            rows.append((pupil, subject, code, TA_CODES[index]))
    return rows


def import_all(
    t: Trust, plan: Sequence[tuple[int, int]], on_stage: Callable[[str, int, float], None]
) -> tuple[int, float]:
    """Load every file through Grove's import action (rows as a CSV reader gives them: UPN,
    subject, point and result as text), pausing at each stage to measure."""
    from grove.core.models import School, User
    from grove.interop.actions import results_import_rows

    leader = User.objects.get(pk=t.leader_id)
    schools = School.objects.select_related("trust").in_bulk(t.schools)
    total, seconds = 0, 0.0
    ends = stage_ends(t)
    for done, (school, point) in enumerate(plan, start=1):
        name = t.point_names[point]
        rows = [
            {"upn": t.upns[p], "subject": t.subject_codes[s], "point": name, "result": code}
            for p, s, _, code in rows_for(t, school, point)
        ]
        began = time.perf_counter()
        results_import_rows(actor=leader, school=schools[school], rows=rows)
        seconds += time.perf_counter() - began
        total += len(rows)
        if done in ends:
            on_stage(ends[done], point, done / len(plan))
    return total, seconds


def baseline(
    t: Trust, plan: Sequence[tuple[int, int]], path: Path, schema: Sequence[str] = ()
) -> tuple[int, float]:
    """The same rows into a bare table with tracking_result's columns and unique index:
    plain sqlite3 executemany, one transaction. With ``schema`` (tracking_result's own CREATE
    statements, every index included), the same into a copy of the real table."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in schema:
        db.execute(statement.replace('"tracking_result"', '"result"'))
    if not schema:
        _bare_table(db)
    values = {code: float(i + 1) for i, code in enumerate(TA_CODES)}
    now = dt.datetime.now(dt.UTC).isoformat()
    total, seconds = 0, 0.0
    db.execute("BEGIN")
    for school, point in plan:
        rows = [
            (t.trust_id, school, point, s, p, c, t.bands[code], t.bands[code], values[code], 0,
             t.leader_id, now)
            for p, s, c, code in rows_for(t, school, point)
        ]  # fmt: skip
        began = time.perf_counter()
        db.executemany(
            "INSERT INTO result (trust_id, school_id, point_id, subject_id, pupil_id, year_group, "
            "band_id, common_band_id, value, groups, recorded_by_id, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        seconds += time.perf_counter() - began
        total += len(rows)
    began = time.perf_counter()
    db.execute("COMMIT")
    seconds += time.perf_counter() - began
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return total, seconds


def _bare_table(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE result (id INTEGER PRIMARY KEY AUTOINCREMENT, trust_id INTEGER NOT NULL, "
        "school_id INTEGER NOT NULL, point_id INTEGER NOT NULL, subject_id INTEGER NOT NULL, "
        "pupil_id INTEGER NOT NULL, year_group VARCHAR(2) NOT NULL, band_id INTEGER NOT NULL, "
        "common_band_id INTEGER NOT NULL, value REAL NOT NULL, groups INTEGER NOT NULL, "
        "recorded_by_id INTEGER NULL, recorded_at DATETIME NOT NULL)"
    )
    db.execute("CREATE UNIQUE INDEX result_unique ON result (point_id, subject_id, pupil_id)")


def result_schema() -> list[str]:
    """tracking_result's CREATE TABLE and CREATE INDEX statements, on SQLite."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'tracking_result' AND sql IS NOT NULL "
            "ORDER BY type DESC"
        )
        return [row[0] for row in cursor.fetchall()]


class Pages:
    """Timed requests against the tracking pages, as the people who use them."""

    def __init__(self, t: Trust) -> None:
        from django.test import Client

        from grove.core.models import User

        self.t = t
        self.missing: list[str] = []
        self.failures: dict[str, int] = {}
        self.clients: dict[int, Client] = {}
        self._client = Client
        self._users = User

    def client(self, user_id: int) -> Any:
        if user_id not in self.clients:
            client = self._client()
            client.force_login(self._users.objects.get(pk=user_id))
            self.clients[user_id] = client
        return self.clients[user_id]

    def url(self, name: str, **kwargs: int) -> str | None:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            if name not in self.missing:
                self.missing.append(name)
            return None

    def time(
        self, name: str, user_id: int, url: str | None, data: Callable[[int], dict[str, str]] | None
    ) -> float | None:
        """The p95 in ms of REQUESTS requests (GET, or POST of data(i)); None if the page is
        not there. Every response must succeed, or the figure is reported as a failure."""
        if url is None:
            return None
        client = self.client(user_id)
        # One untimed request first, so the figure is of a page in use, not of a cold start.
        client.post(url, data(REQUESTS)) if data else client.get(url)
        samples = []
        for i in range(REQUESTS):
            began = time.perf_counter()
            response = client.post(url, data(i)) if data else client.get(url)
            samples.append(time.perf_counter() - began)
            if response.status_code not in (200, 302, 303):
                self.failures[name] = response.status_code
        return _ms(p95(samples))

    def query(self, point: int) -> str:
        # The pages pick points from the chosen academic year (this year unless told).
        year = self.t.point_years[point]
        return f"?year={year}&point={point}&subject={self.t.maths}"

    def trust_dashboard(self, point: int) -> float | None:
        url = self.url("tracking_trust", trust_id=self.t.trust_id)
        return self.time("tracking_trust", self.t.leader_id, url and url + self.query(point), None)

    def school_dashboard(self, school: int, point: int) -> float | None:
        url = self.url("tracking_school", school_id=school)
        return self.time(
            "tracking_school", self.t.heads[school], url and url + self.query(point), None
        )

    def class_page(self, school: int, point: int) -> float | None:
        group = self.t.first_class[school]
        url = self.url("tracking_group", school_id=school, group_id=group)
        return self.time(
            "tracking_group", self.t.teachers[school], url and url + self.query(point), None
        )

    def pupil_page(self, school: int) -> float | None:
        pupil = self.t.class_pupils[self.t.first_class[school]][0]
        url = self.url("tracking_pupil", school_id=school, pupil_id=pupil)
        return self.time("tracking_pupil", self.t.teachers[school], url, None)

    def class_save(self, school: int, point: int) -> float | None:
        group = self.t.first_class[school]
        pupils = self.t.class_pupils[group]
        url = self.url(
            "tracking_entry",
            school_id=school,
            group_id=group,
            point_id=point,
            subject_id=self.t.maths,
        )

        def judgements(i: int) -> dict[str, str]:
            # Every save changes every judgement, so each one really writes 30 results.
            codes = ("EXS", "WTS") if i % 2 == 0 else ("WTS", "GDS")
            return {f"pupil-{p}": codes[n % 2] for n, p in enumerate(pupils)}

        return self.time("tracking_entry", self.t.teachers[school], url, judgements)


def duckdb_aggregate(point: int, subject: int) -> float:
    """The trust dashboard's figures (results per school and common band for one point and
    subject) computed by DuckDB over the same results: a floor for what the page could cost."""
    import duckdb
    import numpy as np
    from django.db import connection

    db = duckdb.connect()
    created = False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT school_id, point_id, subject_id, common_band_id, groups FROM tracking_result"
        )
        while chunk := cursor.fetchmany(500_000):
            table = np.array(chunk, dtype=np.int64)
            arrays = {
                name: table[:, i].copy()
                for i, name in enumerate(("school_id", "point_id", "subject_id", "band_id", "g"))
            }
            del table
            db.register("chunk", arrays)
            db.execute(
                "INSERT INTO results SELECT * FROM chunk"
                if created
                else "CREATE TABLE results AS SELECT * FROM chunk"
            )
            db.unregister("chunk")
            created = True
    samples = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        db.execute(
            "SELECT school_id, band_id, count(*) FROM results WHERE point_id = ? AND "
            "subject_id = ? GROUP BY school_id, band_id",
            [point, subject],
        ).fetchall()
        samples.append(time.perf_counter() - began)
    db.close()
    return _ms(p95(samples))


def machine() -> dict[str, Any]:
    cpu = "unknown"
    memory_gb: float | None = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        cpu = platform.processor() or cpu
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"postgresql {cursor.fetchone()[0]}"
    return f"sqlite {sqlite3.sqlite_version}"


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return round(peak / 1024 / (1024 if sys.platform == "darwin" else 1), 1)


def profile(measure: Callable[[], object], top: int = 12) -> list[str]:
    """The functions of Grove (and the database driver) that one more round of a page spends
    its time in, by cumulative time: "where the time goes", from the same run."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    measure()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"grove/|backends/", top)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return [line for line in lines[start:] if line]


def run(scale: float, profiling: bool = False) -> dict[str, Any]:
    from django.core.management import call_command

    from grove.core.models import Trust as TrustModel

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if TrustModel.objects.exists():
        raise SystemExit(
            "bench.tracking: the database already holds trusts; point DATABASE_URL at an "
            "empty database (the benchmark adds a large synthetic trust)."
        )
    clock: dict[str, float] = {}
    began = time.perf_counter()
    t = build(scale)
    clock["build_s"] = round(time.perf_counter() - began, 1)
    plan = batches(t)
    pages = Pages(t)
    trust_p95: dict[str, float | None] = {}
    school_p95: dict[str, float | None] = {}
    first_school = t.schools[0]
    last_point = t.points[-1]

    fractions: dict[str, float] = {}

    def on_stage(name: str, point: int, fraction: float) -> None:
        # The dashboards show the latest collection loaded: the same size at every stage, so
        # any growth comes from the volume of data behind it.
        log(f"stage {name} ({fraction:.0%} of the results): measuring the dashboards")
        fractions[name] = round(fraction, 3)
        trust_p95[name] = pages.trust_dashboard(point)
        school_p95[name] = pages.school_dashboard(first_school, point)

    log(f"baseline: {len(plan)} files into a bare table")
    began = time.perf_counter()
    base_rows, base_seconds = baseline(t, plan, WORK_DIR / f"baseline-{os.getpid()}.sqlite3")
    clock["baseline_s"] = round(time.perf_counter() - began, 1)
    schema = result_schema()
    indexed: tuple[int, float] | None = None
    if schema:
        log("baseline: the same into a copy of tracking_result with all its indexes")
        indexed = baseline(t, plan, WORK_DIR / f"indexed-{os.getpid()}.sqlite3", schema)
    log(f"import: {len(plan)} files through Grove")
    began = time.perf_counter()
    total, seconds = import_all(t, plan, on_stage)
    clock["import_s"] = round(time.perf_counter() - began, 1)
    log("pages")
    result: dict[str, Any] = {
        "benchmark": "tracking",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": scale,
        "schools": len(t.schools),
        "pupils": sum(len(p) for p in t.pupils.values()),
        "subjects": len(t.subjects),
        "collection_points": len(t.points),
        "results": total,
        "database": database(),
        "machine": machine(),
        "import_path": "grove.interop.actions.results_import_rows (checks, then results_write)",
        "import_results_per_s": round(total / seconds),
        "import_baseline_per_s": round(base_rows / base_seconds),
        # Not a target: where the gap to the bare table goes (the real table's indexes).
        "import_indexed_table_per_s": round(indexed[0] / indexed[1]) if indexed else None,
        "trust_dashboard_p95_ms": trust_p95,
        "school_dashboard_p95_ms": school_p95,
        "stage_fractions": fractions,
        "class_page_p95_ms": pages.class_page(first_school, last_point),
        "pupil_page_p95_ms": pages.pupil_page(first_school),
        "class_save_p95_ms": pages.class_save(first_school, last_point),
    }
    if profiling:
        log("profiling the pages")
        result["profile"] = {
            "class_save": profile(lambda: pages.class_save(first_school, last_point)),
            "pupil_page": profile(lambda: pages.pupil_page(first_school)),
            "trust_dashboard": profile(lambda: pages.trust_dashboard(last_point)),
        }
    began = time.perf_counter()
    result["duckdb_trust_aggregate_ms"] = duckdb_aggregate(last_point, t.maths)
    clock["duckdb_load_s"] = round(time.perf_counter() - began, 1)
    result["peak_rss_mb"] = peak_rss_mb()
    result["seconds"] = clock
    result["missing_pages"] = pages.missing
    result["failed_pages"] = pages.failures
    result["targets"] = check(result)
    return result


def check(result: dict[str, Any]) -> dict[str, Any]:
    """Each target with the measured figure and whether it was met (None: not measured)."""
    trust = result["trust_dashboard_p95_ms"]
    full, tenth = trust.get("100%"), trust.get("10%")
    rate, base = result["import_results_per_s"], result["import_baseline_per_s"]
    save = result["class_save_p95_ms"]
    figures: dict[str, tuple[float | None, float, bool]] = {
        "trust_dashboard_p95_ms": (full, TARGETS["trust_dashboard_p95_ms"], False),
        "trust_dashboard_flatness": (
            round(full / tenth, 2) if full and tenth else None,
            TARGETS["trust_dashboard_flatness"],
            False,
        ),
        "import_results_per_s": (rate, TARGETS["import_results_per_s"], True),
        "import_vs_baseline": (round(rate / base, 2), TARGETS["import_vs_baseline"], True),
        "class_save_p95_ms": (save, TARGETS["class_save_p95_ms"], False),
    }
    return {
        name: {
            "measured": value,
            "target": (">= " if at_least else "<= ") + f"{target:g}",
            "met": None if value is None else (value >= target if at_least else value <= target),
        }
        for name, (value, target, at_least) in figures.items()
    }


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tracking", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1 is 75,000 pupils (default)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after timing, profile the save, the pupil page and the trust dashboard into the JSON",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite database file afterwards"
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be more than 0")
    _, sqlite_path = _configure(os.environ.get("DATABASE_URL"))
    try:
        result = run(args.scale, profiling=args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        if sqlite_path is not None and not args.keep:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    log(f"wrote {args.out}")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
