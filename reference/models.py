"""Reference data: jurisdictions, their district-level divisions, industries and tiers; the record of job runs.

Loaded from fixtures/ by `manage.py load_reference_data`, which upserts by
natural key (division code, industry code, tier code).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zjtx.access import RestrictedQuerySet


class Bilingual(models.Model):
    """Reference rows carry their Chinese name and an English one; show the one the reader asked for."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)

    access_policy = "reference"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class ReferenceQuerySet(RestrictedQuerySet):
    def get_by_natural_key(self, code: str) -> models.Model:
        return self.get(code=code)


class Jurisdiction(Bilingual):
    """A province-level unit that runs its own tier scheme (Chongqing, Beijing)."""

    code = models.CharField(_("code"), max_length=6, unique=True, help_text=_("GB/T 2260 code, e.g. 500000"))
    short_name = models.CharField(_("short name"), max_length=20)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "enterprises_jurisdiction"  # the table kept its name when the model moved here
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]


class DistrictKind(models.TextChoices):
    DISTRICT = "district", pgettext_lazy("division kind", "District")
    COUNTY = "county", pgettext_lazy("division kind", "County")
    AUTONOMOUS_COUNTY = "autonomous_county", pgettext_lazy("division kind", "Autonomous county")
    FUNCTIONAL_ZONE = "functional_zone", pgettext_lazy("division kind", "Functional zone")


class District(Bilingual):
    """A district-level unit (区/县/自治县) or a functional zone that reports on its own (经开区)."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("GB/T 2260 code; functional zones without one use a code of the form 110000-XX"),
    )
    gb2260_code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True, null=True, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="districts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DistrictKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "enterprises_district"  # the table kept its name when the model moved here
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["jurisdiction__code", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="functional_zone") | models.Q(gb2260_code__isnull=False),
                name="district_has_gb_code_unless_functional_zone",
            )
        ]


class Industry(Bilingual):
    """A section (门类) of GB/T 4754-2017, the national industry classification."""

    code = models.CharField(_("code"), max_length=1, unique=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "enterprises_industry"  # the table kept its name when the model moved here
        verbose_name = _("industry section")
        verbose_name_plural = _("industry sections")
        ordering = ["code"]


class CertifyingLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("Provincial / municipal authority")
    NATIONAL = "national", _("Ministry of Industry and Information Technology")


class Tier(Bilingual):
    """One rung of the ladder under one scheme, in force for a period.

    Tiers are data, not an enum: the national scheme was revised in 2026
    (科技和创新型中小企业 replaced 创新型中小企业 at the first level) and a
    jurisdiction may run tiers of its own.  `level` orders the ladder; a tier
    of level n presupposes a held tier of level n-1.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1 = lowest rung of the ladder"))
    certifying_level = models.CharField(_("certified by"), max_length=20, choices=CertifyingLevel.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tiers",
        help_text=_("Empty for tiers of the national scheme."),
    )
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), default=3)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until (exclusive)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "enterprises_tier"  # the table kept its name when the model moved here
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["level", "effective_from", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1), name="tier_level_positive"),
            models.CheckConstraint(condition=models.Q(validity_years__gte=1), name="tier_validity_positive"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gt=models.F("effective_from")),
                name="tier_period_not_empty",
            ),
        ]

    def in_force_on(self, day: object) -> bool:
        return bool(self.effective_from <= day and (self.effective_until is None or day < self.effective_until))  # type: ignore[operator]

    def applies_to(self, jurisdiction_id: int) -> bool:
        return self.jurisdiction_id is None or self.jurisdiction_id == jurisdiction_id


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One execution of a job: for which day or period, when it started and ended, how, with what result."""

    job = models.CharField(_("job"), max_length=100)
    key = models.CharField(_("for"), max_length=60, blank=True, help_text=_("The day or period the job ran for."))
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "system"

    class Meta:
        db_table = "enterprises_jobrun"  # the table kept its name when the model moved here
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "key"], name="jobrun_job_key")]

    def __str__(self) -> str:
        return f"{self.job} [{self.key}] {self.get_status_display()}"
