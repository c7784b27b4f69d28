"""The enterprise registry: enterprises, their yearly financial facts, and import runs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.rules import credit_code
from zjtx.access import RestrictedQuerySet
from zjtx.outbox import QueuedRun


def validate_credit_code(value: str) -> None:
    from enterprises.rule_messages import credit_code_message

    try:
        credit_code.validate(value)
    except credit_code.CreditCodeError as exc:
        raise ValidationError(
            _("Invalid unified social credit code: %(reason)s"), params={"reason": credit_code_message(exc)}
        ) from exc


class SizeClass(models.TextChoices):
    """划型 under 工信部联企业〔2011〕300号; "large" records a firm that is no longer an SME."""

    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")
    LARGE = "large", _("Large (not an SME)")


class ListingStatus(models.TextChoices):
    UNLISTED = "unlisted", _("Not listed")
    REGIONAL_EQUITY = "regional_equity", _("Regional equity market (SRDI board)")
    NEEQ = "neeq", _("NEEQ (New Third Board)")
    BSE = "bse", _("Beijing Stock Exchange")
    STAR = "star", _("STAR Market")
    CHINEXT = "chinext", _("ChiNext")
    MAIN_BOARD = "main_board", _("Main board (Shanghai/Shenzhen)")
    OVERSEAS = "overseas", _("Main overseas exchange")

    @classmethod
    def listed_on_exchange(cls) -> frozenset[str]:
        """Listings that count as 上市 (the regional market and NEEQ are 挂牌, not listings)."""
        return frozenset({cls.BSE, cls.STAR, cls.CHINEXT, cls.MAIN_BOARD, cls.OVERSEAS})


class EnterpriseQuerySet(RestrictedQuerySet):
    pass


class Enterprise(models.Model):
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industry = models.ForeignKey(
        "reference.Industry", verbose_name=_("industry"), on_delete=models.PROTECT, related_name="enterprises"
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.SMALL)
    listing_status = models.CharField(
        _("listing status"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.UNLISTED
    )
    listed_on = models.DateField(_("listing date"), null=True, blank=True)
    main_product = models.CharField(_("main product / niche market"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # Derived from the active certifications by the lifecycle services and the
    # nightly expiry job; kept on the row so counts by district need no join.
    current_tier = models.ForeignKey(
        "reference.Tier",
        verbose_name=_("current tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    current_tier_until = models.DateField(_("current tier valid until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    access_policy = "district"
    district_path = "district"

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["district", "current_tier"], name="enterprise_district_tier"),
            models.Index(fields=["current_tier", "district"], name="enterprise_tier_district"),
            # A district's enterprises in the list's order (name, id), issue 16: a district's page (every
            # list district staff see) is read off the index instead of sorting the district's firms
            # (27,000 for 500112, ~100 ms); and the district's enterprise ids by an index-only scan, where
            # the lists of a district's visits, demands and certifications start (through the foreign key's
            # own index PostgreSQL fetched every enterprise row of the district from the heap, ~110 ms).
            # Not (name, id) alone: names start with their place (重庆…, 北京…), so a walk in name order for
            # one district or city skipped 200,000 other firms first (530 ms, measured).
            models.Index(fields=["district", "name", "id"], name="enterprise_district_name"),
            # The other way round: an enterprise's district by an index-only lookup, for the scope check of an
            # official's list (demand → enterprise → district's jurisdiction), which otherwise reads each
            # enterprise's heap row (overdue demands' capped count: ~37 → ~29 ms on the loaded 500k set).
            models.Index(fields=["id"], include=["district"], name="enterprise_id_district"),
            # The few listed firms, for the new-listings metric (a partial index: unlisted rows stay out).
            models.Index(
                fields=["listed_on"],
                include=["district", "listing_status"],
                condition=~models.Q(listing_status="unlisted"),
                name="enterprise_listed_on",
            ),
        ]
        # On PostgreSQL, migration 0004 adds a trigram index on UPPER(name) for the name search (q).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(listing_status="unlisted") | models.Q(listed_on__isnull=False),
                name="listed_enterprise_has_listing_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.credit_code = credit_code.normalise(self.credit_code)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        super().clean()
        if self.credit_code:
            self.credit_code = credit_code.normalise(self.credit_code)
        if self.listing_status != ListingStatus.UNLISTED and not self.listed_on:
            raise ValidationError({"listed_on": _("A listed enterprise needs its listing date.")})


_money = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True, "validators": [MinValueValidator(0)]}
_count = {"null": True, "blank": True}


class EnterpriseYearFact(models.Model):
    """What an enterprise reported for one year. Money in yuan; empty means not reported."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="year_facts"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = models.DecimalField(_("operating revenue (yuan)"), **_money)  # type: ignore[arg-type]
    main_business_revenue = models.DecimalField(_("main-business revenue (yuan)"), **_money)  # type: ignore[arg-type]
    rd_expense = models.DecimalField(_("R&D expense (yuan)"), **_money)  # type: ignore[arg-type]
    total_assets = models.DecimalField(_("total assets (yuan)"), **_money)  # type: ignore[arg-type]
    total_liabilities = models.DecimalField(_("total liabilities (yuan)"), **_money)  # type: ignore[arg-type]
    net_profit = models.DecimalField(_("net profit (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    equity_financing = models.DecimalField(_("equity financing (yuan)"), **_money)  # type: ignore[arg-type]
    employees = models.PositiveIntegerField(_("employees"), **_count)  # type: ignore[arg-type]
    rd_staff = models.PositiveIntegerField(_("R&D staff"), **_count)  # type: ignore[arg-type]
    invention_patents = models.PositiveIntegerField(_("invention patents"), **_count)  # type: ignore[arg-type]
    class_i_ip = models.PositiveIntegerField(_("class I intellectual property"), **_count)  # type: ignore[arg-type]
    # What the 2026 criteria (工信部企业〔2026〕2号) read besides the figures, as reported for the year.
    development_score = models.DecimalField(
        _("SRDI development score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("专精特新发展评价得分 the national platform gives for the year (工信厅企业〔2024〕75号)."),
    )
    national_market_rank = models.PositiveIntegerField(
        _("national niche-market rank"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The main product's place in its national niche market (1 = first)."),
    )
    niche_years = models.PositiveSmallIntegerField(
        _("years in the niche market"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
        help_text=_("Full years in its niche market at the end of the year."),
    )
    chain_product = models.BooleanField(
        _("six-basics or key-chain product"),
        null=True,
        blank=True,
        help_text=_("The main product is in the six industrial basics (工业六基) or at a key link of a chain."),
    )

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"

    class Meta:
        verbose_name = _("yearly facts")
        verbose_name_plural = _("yearly facts")
        ordering = ["enterprise_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="one_fact_row_per_enterprise_year"),
            models.CheckConstraint(condition=models.Q(year__gte=1949, year__lte=2100), name="fact_year_plausible"),
            models.CheckConstraint(
                condition=models.Q(main_business_revenue__isnull=True)
                | models.Q(revenue__isnull=True)
                | models.Q(main_business_revenue__lte=models.F("revenue")),
                name="main_business_within_revenue",
            ),
            models.CheckConstraint(
                condition=models.Q(rd_staff__isnull=True)
                | models.Q(employees__isnull=True)
                | models.Q(rd_staff__lte=models.F("employees")),
                name="rd_staff_within_employees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.revenue is not None
            and self.main_business_revenue is not None
            and self.main_business_revenue > self.revenue
        ):
            errors["main_business_revenue"] = _("Main-business revenue cannot exceed operating revenue.")
        if self.employees is not None and self.rd_staff is not None and self.rd_staff > self.employees:
            errors["rd_staff"] = _("R&D staff cannot exceed employees.")
        if errors:
            raise ValidationError(errors)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed: nothing written")


class ImportRun(QueuedRun):
    """One import of an enterprise file: what came in, what was written, and every rejected row."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    stored_file = models.FileField(_("stored file"), upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # District staff may only import into their own district; it is fixed here when they start.
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True
    )
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    rows_created = models.PositiveIntegerField(_("enterprises created"), default=0)
    rows_updated = models.PositiveIntegerField(_("enterprises updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    facts_written = models.PositiveIntegerField(_("yearly facts written"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "district"

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
