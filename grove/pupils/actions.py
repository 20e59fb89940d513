"""Every write to pupils: adding a pupil, recording characteristics, teaching groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from grove.core.actions import audit_record
from grove.core.models import AcademicYear, School, User
from grove.pupils.codes import validate_upn
from grove.pupils.models import (
    Characteristics,
    Enrolment,
    FormerUPN,
    GroupPupil,
    Pupil,
    TeachingGroup,
)


@dataclass(frozen=True)
class CharacteristicValues:
    sen_provision: str = "N"
    sen_primary_need: str = ""
    sen_secondary_need: str = ""
    fsm: bool = False
    fsm_ever6: bool = False
    pupil_premium: bool = False
    eal: bool = False
    first_language: str = "ENG"
    looked_after: bool = False
    previously_looked_after: bool = False
    service_child: bool = False


@transaction.atomic
def pupil_create(
    *,
    actor: User,
    school: School,
    academic_year: AcademicYear,
    upn: str,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: dt.date,
    sex: str,
    year_group: str,
    preferred_first_name: str = "",
    preferred_last_name: str = "",
    characteristics: CharacteristicValues | None = None,
    starts: dt.date,
) -> Pupil:
    """Put a new pupil on the school's roll. Raises ValidationError naming the field at fault;
    then nothing is saved."""
    try:
        upn, temporary = validate_upn(upn)
    except ValueError as error:
        raise ValidationError({"upn": str(error)}) from error
    if Pupil.objects.filter(trust_id=school.trust_id, upn=upn).exists():
        raise ValidationError({"upn": f"A pupil with UPN {upn} is already on the trust's roll."})
    pupil = Pupil(
        trust_id=school.trust_id,
        upn=upn,
        upn_is_temporary=temporary,
        legal_first_name=legal_first_name,
        legal_last_name=legal_last_name,
        preferred_first_name=preferred_first_name,
        preferred_last_name=preferred_last_name,
        date_of_birth=date_of_birth,
        sex=sex,
    )
    pupil.full_clean()
    pupil.save()
    enrolment = Enrolment(
        trust_id=school.trust_id,
        pupil=pupil,
        school=school,
        academic_year=academic_year,
        year_group=year_group,
        starts=starts,
    )
    enrolment.full_clean()
    enrolment.save()
    record = Characteristics(
        trust_id=school.trust_id,
        pupil=pupil,
        valid_from=starts,
        **asdict(characteristics or CharacteristicValues()),
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="pupil.create",
        summary=f"Added {pupil.name} ({upn}) to the roll",
        school=school,
        target=pupil,
    )
    return pupil


@transaction.atomic
def pupil_upn_replace(*, actor: User, school: School, pupil: Pupil, upn: str, on: dt.date) -> Pupil:
    """Give a pupil a new UPN (a permanent one for a temporary one, or a correction), keeping
    the old one as a former UPN so files that carry it still match."""
    try:
        upn, temporary = validate_upn(upn)
    except ValueError as error:
        raise ValidationError({"upn": str(error)}) from error
    if upn == pupil.upn:
        raise ValidationError({"upn": f"{upn} is already this pupil's UPN."})
    if Pupil.objects.filter(trust_id=pupil.trust_id, upn=upn).exists():
        raise ValidationError({"upn": f"A pupil with UPN {upn} is already on the trust's roll."})
    old = pupil.upn
    FormerUPN.objects.get_or_create(
        pupil=pupil, upn=old, defaults={"replaced_on": on, "trust_id": pupil.trust_id}
    )
    pupil.upn, pupil.upn_is_temporary = upn, temporary
    pupil.save(update_fields=["upn", "upn_is_temporary"])
    audit_record(
        actor=actor,
        action="pupil.upn",
        summary=f"Replaced UPN {old} of {pupil.name} with {upn}",
        school=school,
        target=pupil,
    )
    return pupil


@transaction.atomic
def characteristics_record(
    *,
    actor: User,
    school: School,
    pupil: Pupil,
    values: CharacteristicValues,
    valid_from: dt.date,
) -> Characteristics:
    """Record a pupil's characteristics from a date, closing the record they replace."""
    current = (
        Characteristics.objects.select_for_update()
        .filter(pupil=pupil, valid_to__isnull=True)
        .first()
    )
    if current is not None:
        if valid_from <= current.valid_from:
            raise ValidationError(
                {
                    "valid_from": f"The current record starts on {current.valid_from:%d/%m/%Y}; "
                    "a change must start after it."
                }
            )
        current.valid_to = valid_from - dt.timedelta(days=1)
        current.save(update_fields=["valid_to"])
    record = Characteristics(
        trust_id=pupil.trust_id, pupil=pupil, valid_from=valid_from, **asdict(values)
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="pupil.characteristics",
        summary=f"Recorded characteristics for {pupil.name} from {valid_from:%d/%m/%Y}",
        school=school,
        target=pupil,
    )
    return record


@transaction.atomic
def group_create(
    *,
    actor: User,
    school: School,
    academic_year: AcademicYear,
    name: str,
    kind: str,
    year_groups: list[str],
    subject: str = "",
    teachers: list[User] | None = None,
) -> TeachingGroup:
    if TeachingGroup.objects.filter(school=school, academic_year=academic_year, name=name).exists():
        raise ValidationError(
            {"name": f"{school.name} already has a group called {name!r} this year."}
        )
    group = TeachingGroup(
        trust_id=school.trust_id,
        school=school,
        academic_year=academic_year,
        name=name,
        kind=kind,
        year_groups=year_groups,
        subject=subject,
    )
    group.full_clean()
    group.save()
    if teachers:
        group.teachers.set(teachers, through_defaults={"trust_id": school.trust_id})
    audit_record(
        actor=actor,
        action="group.create",
        summary=f"Created group {name}",
        school=school,
        target=group,
    )
    return group


@transaction.atomic
def group_pupil_add(
    *, actor: User, group: TeachingGroup, pupil: Pupil, starts: dt.date
) -> GroupPupil:
    if not Enrolment.objects.filter(
        pupil=pupil, school_id=group.school_id, academic_year_id=group.academic_year_id
    ).exists():
        raise ValidationError({"pupil": f"{pupil.name} is not on {group.school}'s roll this year."})
    if GroupPupil.objects.filter(group=group, pupil=pupil, ends__isnull=True).exists():
        raise ValidationError({"pupil": f"{pupil.name} is already in {group.name}."})
    placement = GroupPupil.objects.create(
        trust_id=group.trust_id, group=group, pupil=pupil, starts=starts
    )
    audit_record(
        actor=actor,
        action="group.pupil_add",
        summary=f"Added {pupil.name} to {group.name}",
        school=group.school,
        target=group,
    )
    return placement


@transaction.atomic
def group_pupil_remove(*, actor: User, group: TeachingGroup, pupil: Pupil, ends: dt.date) -> None:
    """End a pupil's place in a group; the placement is kept as history."""
    placement = GroupPupil.objects.filter(group=group, pupil=pupil, ends__isnull=True).first()
    if placement is None:
        raise ValidationError({"pupil": f"{pupil.name} is not in {group.name}."})
    placement.ends = max(ends, placement.starts)
    placement.save(update_fields=["ends"])
    audit_record(
        actor=actor,
        action="group.pupil_remove",
        summary=f"Removed {pupil.name} from {group.name}",
        school=group.school,
        target=group,
    )
