"""Whatever day the demo is built, a collection is open for teachers to record (the browser
test and anyone trying Grove depend on it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from grove.core.models import AcademicYear
from grove.pupils import demo
from grove.tracking.models import CollectionPoint, Result

SPRING_DAY = dt.date(2027, 3, 30)


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        years_before = set(AcademicYear.objects.values_list("pk", flat=True))
        demo.demo_seed(reset=True, today=SPRING_DAY)
    yield
    with django_db_blocker.unblock(), transaction.atomic():
        demo.demo_remove()
        AcademicYear.objects.exclude(pk__in=years_before).delete()


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_built_in_the_spring_the_spring_collection_is_open_and_part_done() -> None:
    open_now = CollectionPoint.objects.filter(
        trust__name=demo.DEMO_TRUST_NAME,
        name="Spring teacher assessment",
        opens__lte=SPRING_DAY,
        closes__gte=SPRING_DAY,
    ).first()
    assert open_now is not None
    assert Result.objects.filter(point=open_now).exists()
    autumn = CollectionPoint.objects.get(
        trust__name=demo.DEMO_TRUST_NAME,
        name="Autumn teacher assessment",
        academic_year=open_now.academic_year,
    )
    assert autumn.closes < open_now.opens
    assert (
        Result.objects.filter(point=autumn).count() > Result.objects.filter(point=open_now).count()
    )
