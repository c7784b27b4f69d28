"""A tier's held certifications exported in the layout of the published lists, so the file imports back
unchanged (tiers/services/tier_lists.py finds every row recorded)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditAction
from reference.models import Tier
from tiers.models import Certification
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.access import restrict

COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属区县", "批次", "公示日期", "认定日期", "有效期", "备注")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def certifications_export(*, actor: Any, tier: Tier) -> Iterator[bytes]:
    """CSV (UTF-8 with BOM) of the certifications of `tier` held today in `actor`'s scope; 有效期 is the last
    valid day (the period is half-open in the registry)."""
    rows = (
        restrict(Certification.objects.all(), actor)
        .filter(tier=tier, status__in=C.HOLDING)
        .order_by("enterprise__district__code", "enterprise__credit_code")
        .values_list("enterprise__name", "enterprise__credit_code", "enterprise__district__name", "valid_from",
                     "valid_until")
    )  # fmt: skip
    count = rows.count()
    record(
        AuditAction.EXPORT,
        None,
        object_repr=_("Certifications of %(tier)s, %(rows)s rows") % {"tier": tier, "rows": count},
        changes={"format": "csv", "rows": count, "tier": tier.code},
    )

    def lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield codecs.BOM_UTF8
        writer.writerow(COLUMNS)
        for n, (name, code, district, start, until) in enumerate(rows.iterator(chunk_size=2000), start=1):
            last = until - dt.timedelta(days=1)
            writer.writerow([n, _safe(name), code, district, "", "", start.isoformat(), last.isoformat(), ""])
            if n % 500 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    return lines()
