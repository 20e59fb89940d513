"""Every URL pattern × every role: generated from the URL conf, so a new view cannot ship untested.

Each entry says what a role gets from a GET (and, for views that change things, a POST) on the
cast's own objects. A role with no place in the school gets 404, never the object; a role that may
see but not change gets 403.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grove.core.models import Membership, Role
from tests.conftest import CAST_ROLES, Cast

ROLES = [*CAST_ROLES, "anonymous"]

# Groups of roles, to keep the table readable.
SCHOOL_STAFF = ["head", "senior", "teacher", "ta", "senco", "subject_leader", "support", "admin"]
PUPIL_VIEWERS = ["head", "senior", "teacher", "ta", "senco", "subject_leader", "admin", "data_lead"]
LEADERS = ["head", "senior", "admin"]
TRUST_VIEWERS = ["trust_leader", "data_lead"]


def expect(ok: list[str], *, ok_status: int = 200, denied: int = 403) -> dict[str, int]:
    """Roles in `ok` get ok_status; other Alder roles get `denied`; the outsider 404; anonymous
    visitors are sent to log in."""
    table = {role: (ok_status if role in ok else denied) for role in CAST_ROLES}
    table["outsider"] = 404
    table["anonymous"] = 302
    return table


def trust_page(ok: list[str], ok_status: int = 200) -> dict[str, int]:
    # A trust page is simply not there for someone without a trust role.
    return expect(ok, ok_status=ok_status, denied=404)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(CAST_ROLES, status) | {"anonymous": 302}


# Tracking: who sees attainment figures, who sees pupils' judgements, who records them.
FIGURE_VIEWERS = [*PUPIL_VIEWERS, "governor", "trust_leader"]  # all but support staff
RESULT_VIEWERS = [*LEADERS, "senco", "subject_leader", "data_lead"]  # every pupil's judgements
OWN_RESULTS = [*RESULT_VIEWERS, "teacher", "ta"]  # the taught pupil / the teacher's group
TRUST_MANAGERS = ["data_lead"]  # trust scales and calendar (and a trust-wide administrator)

GET: dict[str, dict[str, int]] = {
    "home": everyone(302),
    "switch_school": everyone(405),
    "mfa_required": everyone(302),  # nobody in the cast's trusts has to set it up
    "staff_list": expect([*SCHOOL_STAFF, *TRUST_VIEWERS]),
    "staff_new": expect(["head", "admin"]),
    "staff_role_remove": everyone(405),
    "audit_log": expect(["head", "admin"]),
    "trust_settings": trust_page([*TRUST_VIEWERS, "trustee"]),
    "trust_overview": trust_page([*TRUST_VIEWERS, "trustee"]),
    "school_overview": expect([*SCHOOL_STAFF, "governor", "trustee", *TRUST_VIEWERS]),
    "pupil_list": expect(PUPIL_VIEWERS),
    "pupil_new": expect(LEADERS),
    "pupil_profile": expect(PUPIL_VIEWERS),
    "pupil_characteristics": expect([*LEADERS, "senco"]),
    "pupil_upn": expect(LEADERS),
    "group_list": expect(PUPIL_VIEWERS),
    "group_new": expect(LEADERS),
    "group_page": expect(PUPIL_VIEWERS),
    "group_pupils": everyone(405),
    # Imports from the MIS: leaders and administrators only.
    "import_list": expect(LEADERS),
    "import_new": expect(LEADERS),
    "import_job": expect(LEADERS),
    "import_columns": expect(LEADERS),
    # Tracking setup: scales and the collection calendar.
    "tracking_trust": trust_page([*TRUST_VIEWERS, "trustee"]),
    "tracking_trust_workload": trust_page(TRUST_VIEWERS) | {"trustee": 403},
    "tracking_school": expect([*FIGURE_VIEWERS, "trustee"]),
    "tracking_year": expect([*FIGURE_VIEWERS, "trustee"]),
    "tracking_group": expect(OWN_RESULTS),
    "tracking_pupil": expect(OWN_RESULTS),
    "tracking_workload": expect([*LEADERS, "trust_leader", "data_lead"]),
    "tracking_record": expect([*LEADERS, "teacher", "ta", "senco", "subject_leader"]),
    "tracking_entry": expect([*LEADERS, "teacher", "ta"]),
    "tracking_target": everyone(405),
    "tracking_trust_scales": trust_page([*TRUST_VIEWERS, "trustee"]),
    "tracking_trust_scale_new": trust_page(TRUST_MANAGERS) | {"trust_leader": 403, "trustee": 403},
    "tracking_trust_calendar": trust_page([*TRUST_VIEWERS, "trustee"]),
    "tracking_trust_point_new": trust_page(TRUST_MANAGERS) | {"trust_leader": 403, "trustee": 403},
    "tracking_school_scales": expect([*FIGURE_VIEWERS, "trustee"]),
    "tracking_school_scale_new": expect([*LEADERS, "data_lead"]),
    "tracking_school_calendar": expect([*FIGURE_VIEWERS, "trustee"]),
    "tracking_school_point_new": expect([*LEADERS, "data_lead"]),
}

# Views that change things: what an empty or minimal POST gets. A form that fails validation
# answers 200 with its errors; a successful change redirects.
POST: dict[str, dict[str, int]] = {
    "switch_school": everyone(302) | {"outsider": 404},
    "trust_settings": trust_page(["data_lead"], ok_status=302)
    | {"trust_leader": 403, "trustee": 403},
    "pupil_new": expect(LEADERS),
    "pupil_characteristics": expect([*LEADERS, "senco"]),
    "pupil_upn": expect(LEADERS),
    "group_new": expect(LEADERS),
    "group_pupils": expect(LEADERS, ok_status=302),
    "import_new": expect(LEADERS),  # no file: the form answers with its error
    "import_columns": expect(LEADERS),  # no columns chosen: the form answers
    "staff_new": expect(["head", "admin"]),
    "staff_role_remove": expect(["head", "admin"], ok_status=302),
    # Tracking setup. Posting to the trust's scales installs the built-in ones.
    "tracking_entry": expect([*LEADERS, "teacher", "ta"], ok_status=302),
    "tracking_target": expect([*LEADERS, "teacher", "ta"], ok_status=302),
    "tracking_trust_scales": trust_page(TRUST_MANAGERS, ok_status=302)
    | {"trust_leader": 403, "trustee": 403},
    "tracking_trust_scale_new": trust_page(TRUST_MANAGERS) | {"trust_leader": 403, "trustee": 403},
    "tracking_trust_point_new": trust_page(TRUST_MANAGERS) | {"trust_leader": 403, "trustee": 403},
    "tracking_school_scales": expect([*LEADERS, "data_lead"]),
    "tracking_school_scale_new": expect([*LEADERS, "data_lead"]),
    "tracking_school_point_new": expect([*LEADERS, "data_lead"]),
}

# URL namespaces owned by libraries and tested there (allauth) or closed to all but
# administrators (the admin, tested in test_auth).
EXTERNAL_PREFIXES = ("accounts/", "admin/")


def grove_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str
    ) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(EXTERNAL_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route, pattern

    yield from walk(get_resolver().url_patterns, "")


def import_job_id(cast: Cast) -> int:
    """An import at Alder Primary waiting for its columns to be matched."""
    from grove.interop.actions import import_job_create
    from grove.interop.models import ImportJob

    job = ImportJob.objects.filter(school=cast.alder_primary, filename="matrix.csv").first()
    if job is None:
        job = import_job_create(
            actor=cast.head, school=cast.alder_primary, kind="pupils",
            filename="matrix.csv", content=b"UPN,Surname\r\n",
        )  # fmt: skip
    return job.pk


def url_for(name: str, cast: Cast) -> str:
    kwargs = {
        "school_id": cast.alder_primary.pk,
        "trust_id": cast.alder.pk,
        "pupil_id": cast.taught_pupil.pk,
        "group_id": cast.teacher_group.pk,
        "membership_id": Membership.objects.get(user=cast.ta, role=Role.TEACHING_ASSISTANT).pk,
        "point_id": cast.point.pk,
        "subject_id": cast.maths.pk,
        "scale_id": cast.point.scale_id,
        "year_group": "4",
    }
    pattern = {p.name: p for _, p in grove_patterns()}[name]
    wanted = set(pattern.pattern.converters)
    if "job_id" in wanted:
        kwargs["job_id"] = import_job_id(cast)
    return reverse(name, kwargs={k: v for k, v in kwargs.items() if k in wanted})


def test_every_view_is_in_the_matrix() -> None:
    patterns = [pattern for _, pattern in grove_patterns()]
    assert all(p.name for p in patterns), "every URL pattern needs a name"
    names = {p.name for p in patterns if p.name}
    missing = names - set(GET)
    assert not missing, f"add these views to the permission matrix: {sorted(missing)}"
    assert not set(GET) - names, "the matrix names views that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(GET))
def test_get(cast: Cast, name: str, role: str) -> None:
    response = cast.client_for(role).get(url_for(name, cast))
    assert response.status_code == GET[name][role], f"GET {name} as {role}"
    if response.status_code == 404:
        # Nothing of the object leaks into the not-found page.
        assert cast.taught_pupil.legal_last_name.encode() not in response.content


POST_DATA = {"switch_school": lambda cast: {"school": cast.alder_primary.pk}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POST))
def test_post(cast: Cast, name: str, role: str) -> None:
    data = POST_DATA.get(name, lambda cast: {"pupil": cast.other_pupil.pk})(cast)
    response = cast.client_for(role).post(url_for(name, cast), data)
    assert response.status_code == POST[name][role], f"POST {name} as {role}"


@pytest.mark.parametrize(
    "name",
    ["school_overview", "staff_list", "pupil_list", "group_list", "audit_log", "pupil_new"],
)
def test_other_trusts_school_is_not_found_for_everyone_in_alder(cast: Cast, name: str) -> None:
    url = reverse(name, kwargs={"school_id": cast.birch_primary.pk})
    for role in CAST_ROLES:
        if role == "outsider":
            continue
        assert cast.client_for(role).get(url).status_code == 404, f"{role} reached {name} of Birch"


def test_other_trust_is_not_found(cast: Cast) -> None:
    for name in ["trust_overview", "trust_settings"]:
        url = reverse(name, kwargs={"trust_id": cast.birch.pk})
        for role in TRUST_VIEWERS:
            assert cast.client_for(role).get(url).status_code == 404
