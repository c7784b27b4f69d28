"""Reading import files (.csv, .xlsx) row by row, within limits that bound a worker's memory and time.

Rows come out as (row_number, tuple_of_cells) with the spreadsheet's own
numbering: the header is row 1, the first data row is row 2.  A file that
cannot be read, or that goes beyond a limit, raises ImportFileError with the
reason, and the importer then writes nothing.

Cells keep the type the file gave them: a .csv cell is always text; an .xlsx
cell is text (str), a number (float or int), a date or datetime, or a boolean.
The row parser needs the difference: a credit code stored as a number has
already lost its last digits.

.xlsx files are zip archives of XML parts, and a small upload can unpack to
gigabytes (decompression bombs) or declare entities that expand (billion
laughs) or point outside (external entities).  Before any parser sees a
workbook, `_inspect_workbook` streams every part it will parse through zlib
under a size cap, refuses any document type declaration, and scans the sheet
for its rows, columns and cell positions.  Only then is the sheet read:
whole by python-calamine when it is small enough (it materialises the sheet,
~100 bytes a cell, and is 10-15x faster than openpyxl), otherwise streamed by
openpyxl's read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

SUPPORTED = (".csv", ".xlsx")
MAX_ZIP_ENTRIES = 10_000
# A CSV record (one row, possibly over several lines when a quoted cell holds line breaks) longer than
# this is refused before the csv module splits it: one line of a million commas is a million cells.
MAX_RECORD_CHARS = 1 << 20


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing headers, a limit): nothing is written."""


Row = tuple[int, tuple[Any, ...]]


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cell_chars: int
    sheet_bytes: int
    shared_strings_bytes: int
    part_bytes: int
    fast_xlsx_cells: int


def limits() -> Limits:
    return Limits(
        rows=settings.ZJTX_IMPORT_MAX_ROWS,
        columns=settings.ZJTX_IMPORT_MAX_COLUMNS,
        cell_chars=settings.ZJTX_IMPORT_MAX_CELL_CHARS,
        sheet_bytes=settings.ZJTX_IMPORT_MAX_SHEET_BYTES,
        shared_strings_bytes=settings.ZJTX_IMPORT_MAX_SHARED_STRINGS_BYTES,
        part_bytes=settings.ZJTX_IMPORT_MAX_PART_BYTES,
        fast_xlsx_cells=settings.ZJTX_IMPORT_FAST_XLSX_CELLS,
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f}"


def _too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s data rows; split it into smaller files.") % {"limit": f"{limit:,}"}
    )


def _too_wide(number: int, limit: int) -> ImportFileError:
    return ImportFileError(
        _("Row %(row)s has more than %(limit)s cells; the file is refused.") % {"row": number, "limit": limit}
    )


def _cell_too_long(number: int, limit: int) -> ImportFileError:
    return ImportFileError(
        _("Row %(row)s has a cell longer than %(limit)s characters (the most a spreadsheet cell holds).")
        % {"row": number, "limit": f"{limit:,}"}
    )


def _check_row(number: int, cells: tuple[Any, ...], lim: Limits) -> None:
    if number > lim.rows + 1:
        raise _too_many_rows(lim.rows)
    if len(cells) > lim.columns:
        raise _too_wide(number, lim.columns)
    for cell in cells:
        if isinstance(cell, str) and len(cell) > lim.cell_chars:
            raise _cell_too_long(number, lim.cell_chars)


# --- CSV ------------------------------------------------------------------------------------


def _detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the head decodes as UTF-8, else GB18030 (Excel's Chinese CSV)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_rows(stream: IO[bytes], lim: Limits) -> Iterator[Row]:
    head = stream.read(1 << 20)
    stream.seek(0)
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    record = {"chars": 0, "number": 1}

    def lines() -> Iterator[str]:
        # The csv module gets the file line by line, each line read with a cap, and the lines of one
        # record are counted: no record longer than MAX_RECORD_CHARS is ever held.
        while True:
            line = text.readline(MAX_RECORD_CHARS + 1)
            if not line:
                return
            record["chars"] += len(line)
            if record["chars"] > MAX_RECORD_CHARS:
                raise ImportFileError(
                    _("Row %(row)s is longer than %(limit)s characters; the file is refused.")
                    % {"row": record["number"], "limit": f"{MAX_RECORD_CHARS:,}"}
                )
            yield line

    try:
        reader = csv.reader(lines())
        for number, cells in enumerate(reader, start=1):
            record["chars"], record["number"] = 0, number + 1
            row = tuple(cells)
            _check_row(number, row, lim)
            yield number, row
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


# --- XLSX: inspection before parsing --------------------------------------------------------

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# Only rows have an all-digit reference (r="12"), only cells one with column letters (r="B12"): both
# patterns start with a literal, which the regular-expression engine finds at C speed.
_ROW_NUMBER = re.compile(rb' r="(\d+)"')
_CELL_COLUMN = re.compile(rb' r="([A-Z])\d')  # one letter: CPython's one-byte bytes are shared, no allocation
_WIDE_COLUMN = re.compile(rb' r="([A-Za-z]{2,}|[a-z])\d')
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_CELL_STARTS = (b"<c ", b"<c>", b"<c/")
_PREFIXED_CELL_STARTS = (b":c ", b":c>", b":c/")
_BLOCK = 1 << 20


def _unreadable() -> ImportFileError:
    return ImportFileError(_("The file is not a readable .xlsx workbook."))


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index


@dataclass
class SheetShape:
    rows: int  # row elements
    max_row: int  # highest row number (rows without a number count on from the last one)
    max_column: int  # widest row: highest column reference or most cells


def _blocks(book: zipfile.ZipFile, name: str, cap: int, what: str) -> Iterator[bytes]:
    """The part's bytes, decompressed block by block; refuses a part that unpacks beyond `cap` bytes,
    whatever its header claims, and any document type declaration (entity expansion, outside files)."""
    info = book.getinfo(name)
    too_big = ImportFileError(
        _("A part of the workbook (%(part)s) unpacks to more than %(mb)s MB; the file is refused.")
        % {"part": what, "mb": _mb(cap)}
    )
    if info.file_size > cap:
        raise too_big
    total, tail = 0, b""
    with book.open(info) as part:
        while block := part.read(_BLOCK):
            total += len(block)
            if total > cap:
                raise too_big
            if _DTD.search(tail + block):
                raise ImportFileError(
                    _(
                        "The workbook contains a document type declaration (DTD), which spreadsheet programs never "
                        "write; it can expand entities or read outside files. The file is refused as unreadable."
                    )
                )
            tail = block[-16:]
            yield block


def _read_part(book: zipfile.ZipFile, name: str, cap: int) -> bytes:
    return b"".join(_blocks(book, name, cap, name))


def _relationships(book: zipfile.ZipFile, name: str, cap: int) -> dict[str, str]:
    if name not in book.NameToInfo:
        return {}
    root = ElementTree.fromstring(_read_part(book, name, cap))
    return {r.get("Id", ""): r.get("Target", "") for r in root.iter(f"{{{_NS_PKG_REL}}}Relationship")}


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _first_sheet(book: zipfile.ZipFile, cap: int) -> tuple[str, str]:
    """(workbook part, first worksheet part), as a spreadsheet program's reader would find them."""
    package = _relationships(book, "_rels/.rels", cap)
    office = next((t for t in package.values() if t.rstrip("/").endswith(".xml")), "xl/workbook.xml")
    workbook = _resolve("", office)
    if workbook not in book.NameToInfo:
        raise _unreadable()
    folder = posixpath.dirname(workbook)
    rels = _relationships(book, posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels"), cap)
    root = ElementTree.fromstring(_read_part(book, workbook, cap))
    sheet = root.find(f"{{{_NS_MAIN}}}sheets/{{{_NS_MAIN}}}sheet")
    if sheet is None:
        raise ImportFileError(_("The workbook has no worksheet."))
    target = rels.get(sheet.get(f"{{{_NS_REL}}}id", ""), "")
    part = _resolve(folder, target)
    if part not in book.NameToInfo:
        raise _unreadable()
    return workbook, part


def _zip_entries(stream: IO[bytes]) -> int | None:
    """The entry count of the zip's end record, read before zipfile loads the whole directory."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - 65_557))
    tail = stream.read()
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    return int(struct.unpack("<H", tail[at + 10 : at + 12])[0])


def _scan_sheet(book: zipfile.ZipFile, part: str, lim: Limits) -> SheetShape:
    """Rows, highest row number and widest row of the sheet, from its XML text: counts and literal-led
    regular expressions over 1 MB blocks, so a few Python steps per block (per row only for cells written
    without a reference, which few programs do)."""
    shape = SheetShape(0, 0, 0)
    carry = b""
    for block in _blocks(book, part, lim.sheet_bytes, _("worksheet")):
        data = carry + block
        # Scan up to the last complete tag; the rest is carried into the next block.
        cut = data.rfind(b"<")
        data, carry = data[:cut], data[cut:]
        numbers = _ROW_NUMBER.findall(data)
        shape.rows += max(len(numbers), data.count(b"<row"))
        if numbers:
            shape.max_row = max(shape.max_row, max(map(int, numbers)))
        shape.max_row = max(shape.max_row, shape.rows)
        narrow, wide = _CELL_COLUMN.findall(data), _WIDE_COLUMN.findall(data)
        if narrow or wide:
            shape.max_column = max(shape.max_column, max(map(_column_index, {*narrow, *wide})))
        starts = _CELL_STARTS + _PREFIXED_CELL_STARTS if b":c" in data else _CELL_STARTS
        if sum(data.count(start) for start in starts) > len(narrow) + len(wide):
            # Cells without a reference sit one after another: count the widest row's cells.
            for piece in _ROW.split(data):
                shape.max_column = max(shape.max_column, len(_CELL.findall(piece)))
        if shape.max_row > lim.rows + 1:
            raise _too_many_rows(lim.rows)
        if shape.max_column > lim.columns:
            raise ImportFileError(
                _("The worksheet is wider than %(limit)s columns; the file is refused.") % {"limit": lim.columns}
            )
    return shape


def _inspect_workbook(stream: IO[bytes], lim: Limits) -> tuple[zipfile.ZipFile, SheetShape, int]:
    """Open the workbook and check it all before parsing; returns it, its first sheet's shape and the size of
    its shared strings."""
    entries = _zip_entries(stream)
    if entries is None:
        raise _unreadable()
    if entries >= MAX_ZIP_ENTRIES:  # 0xFFFF means a zip64 directory: no spreadsheet has that many parts
        raise ImportFileError(
            _("The workbook has more than %(limit)s parts; the file is refused.") % {"limit": f"{MAX_ZIP_ENTRIES:,}"}
        )
    try:
        book = zipfile.ZipFile(stream)
        _workbook, sheet = _first_sheet(book, lim.part_bytes)
        shared = 0
        for info in book.infolist():
            name = info.filename
            if not name.endswith((".xml", ".rels")) or name == sheet:
                continue
            if name.startswith(("xl/worksheets/sheet", "xl/chartsheets/sheet")):
                continue  # other sheets are never parsed
            if name.endswith("sharedStrings.xml"):
                shared = sum(len(b) for b in _blocks(book, name, lim.shared_strings_bytes, _("shared strings")))
            else:
                for _block in _blocks(book, name, lim.part_bytes, name):
                    pass
        shape = _scan_sheet(book, sheet, lim)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, KeyError, OSError, ValueError) as exc:
        raise _unreadable() from exc
    except EOFError as exc:
        raise _unreadable() from exc
    return book, shape, shared


# --- XLSX: parsing --------------------------------------------------------------------------


@contextmanager
def _on_disk(stream: IO[bytes]) -> Iterator[str]:
    """A path to the stream's bytes: its own file when it has one, else a temporary copy (calamine reads
    a path without copying the file into memory)."""
    name = getattr(stream, "name", None)
    if isinstance(name, str) and Path(name).is_file() and not isinstance(stream, io.BytesIO):
        yield name
        return
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        stream.seek(0)
        shutil.copyfileobj(stream, copy)
        copy.flush()
        stream.seek(0)
        yield copy.name


def _calamine_rows(stream: IO[bytes], lim: Limits) -> Iterator[Row]:
    import python_calamine

    with _on_disk(stream) as path:
        try:
            book = python_calamine.CalamineWorkbook.from_path(path)
            sheet = book.get_sheet_by_index(0)
        except (python_calamine.CalamineError, ValueError, OSError) as exc:
            raise _unreadable() from exc
        try:
            # iter_rows starts at the sheet's first row even when it is empty (its columns start at the
            # first used one, the same for every row, which the header mapping absorbs).
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                row = tuple(cells)
                _check_row(number, row, lim)
                yield number, row
        finally:
            book.close()


def _openpyxl_rows(stream: IO[bytes], lim: Limits) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    stream.seek(0)
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _unreadable() from exc
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            row = tuple(cells)
            _check_row(number, row, lim)
            yield number, row
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read to the end.")) from exc
    finally:
        book.close()


def _xlsx_rows(stream: IO[bytes], lim: Limits) -> Iterator[Row]:
    book, shape, _shared = _inspect_workbook(stream, lim)
    book.close()
    if shape.max_row * shape.max_column <= lim.fast_xlsx_cells:
        yield from _calamine_rows(stream, lim)
    else:
        yield from _openpyxl_rows(stream, lim)


def read_rows(stream: IO[bytes], file_name: str, lim: Limits | None = None) -> Iterator[Row]:
    lim = lim or limits()
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(stream, lim)
    if suffix == ".xlsx":
        return _xlsx_rows(stream, lim)
    raise ImportFileError(
        _("Unsupported file type %(suffix)s; use %(supported)s.")
        % {"suffix": suffix or "?", "supported": ", ".join(SUPPORTED)}
    )
