"""Reading enterprise files (.csv, .xlsx) row by row, without loading the whole file.

Rows come out as (row_number, tuple_of_cells) with the spreadsheet's own
numbering: the header is row 1, the first data row is row 2.  A file that
cannot be read raises ImportFileError, and the importer then writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

SUPPORTED = (".csv", ".xlsx")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing headers): nothing is written."""


Row = tuple[int, tuple[Any, ...]]


def _detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the head decodes as UTF-8, else GB18030 (Excel's Chinese CSV)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_rows(stream: IO[bytes]) -> Iterator[Row]:
    head = stream.read(1 << 20)
    stream.seek(0)
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        reader = csv.reader(text)
        for number, cells in enumerate(reader, start=1):
            yield number, tuple(cells)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The CSV file is not valid %(encoding)s text near byte %(pos)s.")
            % {"encoding": encoding, "pos": exc.start}
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be parsed: %(error)s") % {"error": exc}) from exc
    finally:
        # Hand the caller's stream back open; it may be closed already when an aborted import's
        # generator is collected late (detach() would then raise).
        if not text.closed:
            text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, tuple(cells)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read to the end.")) from exc
    finally:
        book.close()


def read_rows(stream: IO[bytes], file_name: str) -> Iterator[Row]:
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(stream)
    if suffix == ".xlsx":
        return _xlsx_rows(stream)
    raise ImportFileError(
        _("Unsupported file type %(suffix)s; use %(supported)s.")
        % {"suffix": suffix or "?", "supported": ", ".join(SUPPORTED)}
    )
