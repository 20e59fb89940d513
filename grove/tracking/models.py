"""Subjects, scales and bands, the collection calendar, results with their rollups, targets,
and the time teachers spend entering data."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from grove.core.models import AcademicYear, School, Trust, User
from grove.pupils.models import Pupil, TeachingGroup


class Subject(models.Model):
    """A subject the trust tracks, shared by its schools so trust figures line up."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "code"], name="subject_unique_code"),
            models.UniqueConstraint(fields=["trust", "name"], name="subject_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Scale(models.Model):
    """An ordered set of bands. A trust's common scale has no school; a school's own scale
    belongs to the school and maps each of its bands onto a band of one common scale."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=100)
    builtin_key = models.CharField(max_length=30, blank=True)
    description = models.CharField(max_length=300, blank=True)
    numeric = models.BooleanField(
        default=False, help_text="Results are numbers (a score) rather than band codes."
    )
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    maps_onto = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="school_scales",
        help_text="For a school's own scale: the trust's common scale it maps onto.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "name"], condition=Q(school__isnull=True), name="scale_trust_name"
            ),
            models.UniqueConstraint(
                fields=["school", "name"],
                condition=Q(school__isnull=False),
                name="scale_school_name",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=True, maps_onto__isnull=True)
                | Q(school__isnull=False, maps_onto__isnull=False),
                name="school_scale_maps_onto_common",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_common(self) -> bool:
        return self.school_id is None


class Band(models.Model):
    """One step of a scale. On a numeric scale, ``value`` is the band's lower bound."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="bands")
    code = models.CharField(max_length=12)
    label = models.CharField(max_length=100)
    value = models.FloatField()
    is_expected = models.BooleanField(
        "expected standard", default=False, help_text="At or above this band meets the standard."
    )
    common_band = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a school scale's band: the common band it counts as in trust figures.",
    )

    class Meta:
        ordering = ["scale", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="band_unique_code"),
            models.UniqueConstraint(fields=["scale", "value"], name="band_unique_value"),
            models.UniqueConstraint(
                fields=["scale"], condition=Q(is_expected=True), name="one_expected_band"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SchoolScale(models.Model):
    """A school's choice: where the trust collects on a common scale, the school records on
    its own scale instead (which maps back onto the common one)."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    common_scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="+")
    own_scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "common_scale"], name="school_scale_unique_choice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.own_scale} for {self.common_scale}"


class CollectionPoint(models.Model):
    """A summative data collection: when, for whom, on which scale, why, and at what cost.
    A trust-wide point has no school; a school may add its own."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    opens = models.DateField()
    closes = models.DateField()
    year_groups = models.JSONField(default=list, help_text="Year group codes, e.g. ['5', '6'].")
    subjects = models.ManyToManyField(Subject, related_name="+")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=500)
    used_by = models.CharField("who uses the data", max_length=300)
    minutes_per_pupil = models.DecimalField(
        "estimated minutes per pupil", max_digits=5, decimal_places=1
    )
    over_cap_reason = models.CharField("reason for going over the cap", max_length=500, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["opens", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gte=models.F("opens")), name="point_closes_after_opening"
            )
        ]
        indexes = [models.Index(fields=["trust", "academic_year"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year})"


class Result(models.Model):
    """One judgement: a pupil, a subject, a collection point. ``band`` is on the scale the
    school records in; ``common_band`` is the trust's common band it counts as.

    ``groups`` is a snapshot of the pupil groups (see ``rollup.GROUP_BITS``) the pupil was in
    when the judgement was recorded, so the rollups it feeds can be undone exactly."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+", db_index=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", db_index=False)
    point = models.ForeignKey(
        CollectionPoint, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", db_index=False)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    year_group = models.CharField(max_length=2)
    band = models.ForeignKey(Band, on_delete=models.PROTECT, related_name="+", db_index=False)
    common_band = models.ForeignKey(
        Band, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    value = models.FloatField(help_text="The score on a numeric scale, else the band's value.")
    groups = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["point", "subject", "pupil"], name="result_unique_per_point"
            )
        ]
        # The unique constraint is the one index: reads name the point and subject (and the
        # pupils), so it answers them all. Foreign keys carry no index of their own: each
        # would cost every import a write.

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.subject_id} {self.band_id}"


class Rollup(models.Model):
    """Counts of results per common band for one school, point, subject, year group and pupil
    group. Kept in step by the result-writing actions; dashboards read only these."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+", db_index=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", db_index=False)
    point = models.ForeignKey(
        CollectionPoint, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+", db_index=False)
    year_group = models.CharField(max_length=2)
    pupil_group = models.CharField(max_length=12)
    band = models.ForeignKey(Band, on_delete=models.CASCADE, related_name="+", db_index=False)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["point", "subject", "pupil_group", "school", "year_group", "band"],
                name="rollup_unique_cell",
            )
        ]
        indexes = [models.Index(fields=["trust", "pupil_group", "subject"])]

    def __str__(self) -> str:
        return (
            f"{self.school_id}/{self.point_id}/{self.subject_id}/{self.pupil_group}: {self.count}"
        )


class Target(models.Model):
    """A teacher's optional target for a pupil in a subject this year: a band to aim for."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="targets")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    band = models.ForeignKey(Band, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "subject", "academic_year"], name="target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.subject_id}: {self.band_id}"


class EntrySession(models.Model):
    """Time a member of staff spent entering one group's judgements at one collection point:
    the measured workload a collection causes."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(CollectionPoint, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    seconds = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["point", "subject", "group", "user"], name="entry_session_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.group_id}: {self.seconds}s"
