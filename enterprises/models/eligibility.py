"""The facts the tier criteria need beyond the yearly figures (the enterprise's eligibility profile).

The criteria that read them, and the assessments, live in the tiers app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.rules import facts as rules
from zjtx.access import RestrictedQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RdInstitutionChoices(models.TextChoices):
    NONE = rules.RdInstitution.NONE, _("None")
    BELOW_MUNICIPAL = rules.RdInstitution.BELOW_MUNICIPAL, _("Below municipal level")
    MUNICIPAL = rules.RdInstitution.MUNICIPAL, _("Municipal")
    PROVINCIAL = rules.RdInstitution.PROVINCIAL, _("Provincial / ministerial")
    NATIONAL = rules.RdInstitution.NATIONAL, _("National")


class AwardLevelChoices(models.TextChoices):
    NONE = rules.AwardLevel.NONE, _("None")
    PROVINCIAL = rules.AwardLevel.PROVINCIAL, _("Provincial")
    NATIONAL = rules.AwardLevel.NATIONAL, _("National")


class MakerChinaChoices(models.TextChoices):
    NONE = rules.MakerChina.NONE, _("Not placed")
    TOP500 = rules.MakerChina.TOP500, _("National top 500")
    TOP50 = rules.MakerChina.TOP50, _("National top 50")


class IpGradeChoices(models.TextChoices):
    NONE = rules.IpGrade.NONE, _("None")
    CLASS_II = rules.IpGrade.CLASS_II, _("Class II")
    CLASS_I = rules.IpGrade.CLASS_I, _("Class I")
    OWN_CLASS_I = rules.IpGrade.OWN_CLASS_I, _("Class I, developed in-house")
    HIGH_VALUE_CLASS_I = rules.IpGrade.HIGH_VALUE_CLASS_I, _("Class I, high value")


class ProductDomainChoices(models.TextChoices):
    OTHER = rules.ProductDomain.OTHER, _("Other")
    SIX_BASICS = rules.ProductDomain.SIX_BASICS, _("Industrial 'six basics', time-honoured brand or key-chain supplier")
    KEY_CHAIN = rules.ProductDomain.KEY_CHAIN, _("Fills a gap at a key link of an industrial chain")


def _flag(label: StrOrPromise) -> models.BooleanField[bool | None, bool | None]:
    return models.BooleanField(label, null=True, blank=True, help_text=_("Empty: not known."))


class EligibilityProfile(models.Model):
    """What the tier criteria ask beyond the yearly figures. Every field may be empty: not known yet."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="profile"
    )
    niche_market_since = models.DateField(_("in its niche market since"), null=True, blank=True)
    high_tech = _flag(_("high-tech enterprise (valid)"))
    innovation_honour = _flag(_("national innovation or IP honour (valid)"))
    rd_institution = models.CharField(
        _("R&D institution"), max_length=20, choices=RdInstitutionChoices.choices, blank=True, default=""
    )
    award_level = models.CharField(
        _("best S&T award"), max_length=20, choices=AwardLevelChoices.choices, blank=True, default=""
    )
    award_year = models.PositiveSmallIntegerField(_("award year"), null=True, blank=True)
    award_rank = models.PositiveSmallIntegerField(_("rank among the award-winning units"), null=True, blank=True)
    maker_china = models.CharField(
        _("创客中国 contest placing"), max_length=20, choices=MakerChinaChoices.choices, blank=True, default=""
    )
    maker_china_year = models.PositiveSmallIntegerField(_("contest year"), null=True, blank=True)
    ip_grade = models.CharField(
        _("best IP related to the main product"), max_length=20, choices=IpGradeChoices.choices, blank=True, default=""
    )
    strategic_emerging = _flag(_("main product in a strategic emerging industry"))
    product_domain = models.CharField(
        _("field of the main product"), max_length=20, choices=ProductDomainChoices.choices, blank=True, default=""
    )
    digital_level = models.PositiveSmallIntegerField(
        _("digitalisation level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    quality_items = models.PositiveSmallIntegerField(
        _("quality-management items met"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
        help_text=_("Provincial quality award, certified quality system, own brand, standards (0–4)."),
    )
    local_feature_points = models.DecimalField(
        _("local distinctiveness points"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(15)],
        help_text=_("Points awarded on the province's own distinctiveness indicators (0–15)."),
    )
    info_system = _flag(_("a core business runs on an information system"))
    management_certification = _flag(_("management-system or developed-market product certification"))
    national_market_share = models.DecimalField(
        _("national niche-market share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    own_brand = _flag(_("own competitive brand"))
    chain_key_link = _flag(_("at a key link of an industrial chain"))
    key_field = _flag(_("main product in a key field"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"

    class Meta:
        verbose_name = _("eligibility facts")
        verbose_name_plural = _("eligibility facts")

    def __str__(self) -> str:
        return str(self.enterprise_id)
