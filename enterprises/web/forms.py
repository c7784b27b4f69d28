"""Forms of the registry pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import EnterpriseYearFact

# What a person enters for one year: the figures, and what the 2026 criteria (工信部企业〔2026〕2号) read besides.
YEAR_FACT_FIELDS = [
    "revenue", "main_business_revenue", "rd_expense", "total_assets", "total_liabilities", "net_profit",
    "equity_financing", "employees", "rd_staff", "invention_patents", "class_i_ip", "development_score",
    "national_market_rank", "niche_years", "chain_product",
]  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))


class YearFactForm(forms.Form):
    """One year of an enterprise's facts; an empty field is "not known" (the criteria then say what is missing)."""

    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in forms.fields_for_model(EnterpriseYearFact, fields=YEAR_FACT_FIELDS).items():
            field.required = False
            self.fields[name] = field
