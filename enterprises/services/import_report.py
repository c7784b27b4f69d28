"""The rejected rows of an import run as a downloadable CSV file (the run's report, apart from its counts)."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditAction
from enterprises.models.registry import ImportRun

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    # An echoed cell may be anything the file held: never let a spreadsheet run it as a formula.
    return "'" + text if text.startswith(_FORMULA_START) else text


def import_errors_csv(*, actor: Any, run: ImportRun) -> tuple[str, bytes]:
    """(file name, UTF-8 CSV with BOM) of the run's rejected rows: row number, credit code as the file has
    it, reasons; the download is recorded in the audit log."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Credit code"), _("Reasons")])
    for error in run.errors:
        writer.writerow([error["row"], _safe(error.get("credit_code", "")), _safe("；".join(error["reasons"]))])
    record(
        AuditAction.EXPORT,
        run,
        object_repr=_("Rejected rows of import %(name)s") % {"name": run.file_name},
        changes={"format": "csv", "rows": len(run.errors)},
    )
    return f"import-{run.pk}-errors.csv", codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
