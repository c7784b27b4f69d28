"""CSV export of the enterprise list: the rows the user may see, streamed, and recorded in the audit log.

The columns are the importer's Chinese headers (district by code, industry by
GB/T 4754 letter), so an export can be edited and imported again.  Contact
numbers are masked exactly as in the API for anyone outside the enterprise's
district.  Every cell that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) is prefixed with an apostrophe (CSV
injection, `zjtx.spreadsheet`); the importer removes it again.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditAction
from enterprises.models import Enterprise
from zjtx.access import can_see_contact
from zjtx.privacy import mask_phone
from zjtx.spreadsheet import neutralise

COLUMNS = (
    ("统一社会信用代码", "credit_code"),
    ("企业名称", "name"),
    ("所属区县", "district__code"),
    ("行业门类", "industry__code"),
    ("成立日期", "founded_on"),
    ("企业规模", "size_class"),
    ("上市情况", "listing_status"),
    ("上市日期", "listed_on"),
    ("主导产品", "main_product"),
    ("联系人", "contact_name"),
    ("联系电话", "contact_phone"),
    ("当前层级", "current_tier__code"),
    ("层级有效期至", "current_tier_until"),
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(neutralise(text))


def enterprises_export(*, actor: Any, queryset: QuerySet[Enterprise], filters: dict[str, Any]) -> Iterator[bytes]:
    """The CSV (UTF-8 with BOM, as Excel expects) of `queryset`, already restricted to `actor`'s scope."""
    fields = [f for _h, f in COLUMNS]
    rows = queryset.order_by("credit_code").values_list("district_id", *fields)
    count = rows.count()
    record(
        AuditAction.EXPORT,
        None,
        object_repr=_("Enterprise list, %(rows)s rows") % {"rows": count},
        changes={"format": "csv", "rows": count, "filters": filters},
    )
    phone_at = fields.index("contact_phone")

    def lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield codecs.BOM_UTF8
        writer.writerow([h for h, _f in COLUMNS])
        for n, (district_id, *values) in enumerate(rows.iterator(chunk_size=2000), start=1):
            if not can_see_contact(actor, district_id):
                values[phone_at] = mask_phone(values[phone_at])
            writer.writerow([_cell(v) for v in values])
            if n % 500 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    return lines()
