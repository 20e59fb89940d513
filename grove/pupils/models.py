"""Pupils (by UPN), their enrolments, characteristics with history, and teaching groups."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from grove.core.models import AcademicYear, School, Trust, User
from grove.pupils.codes import FIRST_LANGUAGES, SEN_NEEDS, SEN_PROVISION, SEX, YEAR_GROUPS


class Pupil(models.Model):
    # Every tenant row carries its trust: the isolation key, and the natural shard key later.
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13)
    upn_is_temporary = models.BooleanField("temporary UPN", default=False)
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=SEX)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "upn"], name="pupil_unique_upn_in_trust")
        ]
        indexes = [models.Index(fields=["trust", "legal_last_name", "legal_first_name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        return self.preferred_first_name or self.legal_first_name

    @property
    def last_name(self) -> str:
        return self.preferred_last_name or self.legal_last_name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class FormerUPN(models.Model):
    """A UPN the pupil was known by before (a temporary one replaced, or a corrected one)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="former_upns")
    upn = models.CharField("former UPN", max_length=13)
    replaced_on = models.DateField()

    class Meta:
        ordering = ["-replaced_on"]
        constraints = [models.UniqueConstraint(fields=["pupil", "upn"], name="former_upn_unique")]

    def __str__(self) -> str:
        return self.upn


class Enrolment(models.Model):
    """A pupil on a school's roll in one academic year, in one National Curriculum year group."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    year_group = models.CharField(max_length=2, choices=YEAR_GROUPS)
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school", "academic_year"], name="enrolment_unique_per_year"
            )
        ]
        indexes = [models.Index(fields=["school", "academic_year", "year_group"])]

    def __str__(self) -> str:
        return (
            f"{self.pupil} — {self.school}, {self.academic_year}, {self.get_year_group_display()}"
        )


class Characteristics(models.Model):
    """What the census records about a pupil, from one date; the current row has no end date."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="characteristics")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    sen_provision = models.CharField(
        "SEN provision", max_length=1, choices=SEN_PROVISION, default="N"
    )
    sen_primary_need = models.CharField(
        "SEN primary need", max_length=4, choices=SEN_NEEDS, blank=True
    )
    sen_secondary_need = models.CharField(
        "SEN secondary need", max_length=4, choices=SEN_NEEDS, blank=True
    )
    fsm = models.BooleanField("free school meals", default=False)
    fsm_ever6 = models.BooleanField("FSM Ever 6", default=False)
    pupil_premium = models.BooleanField(default=False)
    eal = models.BooleanField("EAL", default=False)
    first_language = models.CharField(max_length=3, choices=FIRST_LANGUAGES, default="ENG")
    looked_after = models.BooleanField(default=False)
    previously_looked_after = models.BooleanField(default=False)
    service_child = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "characteristics"
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(valid_to__isnull=True), name="one_current_record"
            ),
            models.CheckConstraint(
                condition=Q(sen_provision="N") | ~Q(sen_primary_need=""),
                name="sen_needs_primary_need",
            ),
            models.CheckConstraint(
                condition=Q(sen_secondary_need="") | ~Q(sen_primary_need=""),
                name="secondary_need_after_primary",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.pupil} from {self.valid_from}"


class GroupKind(models.TextChoices):
    CLASS = "class", "Class"
    SET = "set", "Set"
    INTERVENTION = "intervention", "Intervention group"


class TeachingGroup(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teaching_groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=GroupKind.choices, default=GroupKind.CLASS)
    year_groups = models.JSONField(default=list, help_text="Year group codes, e.g. ['5', '6'].")
    subject = models.CharField(max_length=100, blank=True)
    teachers: models.ManyToManyField[User, GroupTeacher] = models.ManyToManyField(
        User, through="GroupTeacher", related_name="teaching_groups", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "name"], name="group_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class GroupTeacher(models.Model):
    """A member of staff who teaches a group (a TA working with it counts too)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_teacher_unique")
        ]
        indexes = [models.Index(fields=["user", "group"])]

    def __str__(self) -> str:
        return f"{self.user} teaches {self.group}"


class GroupPupil(models.Model):
    """A pupil's place in a teaching group, from one date to another (open while current)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="placements")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="placements")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "pupil"], condition=Q(ends__isnull=True), name="one_open_placement"
            ),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="placement_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "ends"])]

    def __str__(self) -> str:
        return f"{self.pupil} in {self.group}"
