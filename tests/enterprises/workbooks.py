"""Workbooks written part by part, for the importer's tests and the upload-bomb benchmark.

A spreadsheet program never writes these files; an attacker does: a sheet whose XML is streamed into the
zip (so a row of millions of cells costs a few seconds and ~100 KB), shared strings of any size, and a
document type declaration in front of any part.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def column(n: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_row(number: int, values: Iterable[object]) -> str:
    """One row of inline cells: str → text, int/float → number."""
    cells = []
    for i, value in enumerate(values, start=1):
        ref = f"{column(i)}{number}"
        if isinstance(value, (int, float)):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif value is not None:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def workbook(
    rows: Iterable[str | bytes],
    *,
    shared_strings: Iterable[str | bytes] | None = None,
    prolog: str = "",
    shared_prolog: str = "",
) -> bytes:
    """A workbook whose first sheet's sheetData is `rows` (XML text, streamed into the zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            _write_all(sheet, rows)
            sheet.write(b"</sheetData></worksheet>")
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(f'<?xml version="1.0" encoding="UTF-8"?>{shared_prolog}<sst xmlns="{MAIN}">'.encode())
            _write_all(shared, shared_strings or ())
            shared.write(b"</sst>")
    return out.getvalue()


def _write_all(part: io.BufferedIOBase | object, pieces: Iterable[str | bytes]) -> None:
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        data = piece.encode() if isinstance(piece, str) else piece
        buffer.append(data)
        size += len(data)
        if size > 1 << 20:
            part.write(b"".join(buffer))  # type: ignore[attr-defined]
            buffer, size = [], 0
    part.write(b"".join(buffer))  # type: ignore[attr-defined]


def repeated(piece: bytes, times: int) -> Iterator[bytes]:
    """`piece` `times` times, in blocks of about 1 MB (never the whole text in memory)."""
    block = max(1, (1 << 20) // len(piece))
    whole, rest = divmod(times, block)
    chunk = piece * block
    for _ in range(whole):
        yield chunk
    yield piece * rest


# --- the bombs of issue 12 ------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
EXTERNAL_ENTITY = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def wide_row_bomb(cells: int = 4_000_000) -> bytes:
    """One row of `cells` numeric cells without references (a few seconds to write, ~100 KB)."""
    return workbook([b'<row r="1">', *repeated(b"<c><v>1</v></c>", cells), b"</row>"])


def many_rows_bomb(rows: int = 2_500_000) -> bytes:
    """`rows` rows of one empty cell each, numbered."""

    def lines() -> Iterator[bytes]:
        for start in range(1, rows + 1, 10_000):
            stop = min(start + 10_000, rows + 1)
            yield b"".join(f'<row r="{n}"><c r="A{n}"/></row>'.encode() for n in range(start, stop))

    return workbook(lines())


def shared_string_bomb(megabytes: int = 400) -> bytes:
    """One shared string of `megabytes` MB, used by one cell."""
    return workbook(
        ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
        shared_strings=[b"<si><t>", *repeated(b"A" * 1024, megabytes * 1024), b"</t></si>"],
    )


def single_line_csv(megabytes: int = 50) -> bytes:
    """A CSV file of one line of `megabytes` MB of short cells."""
    return b"".join(repeated(b"a,", megabytes * 512 * 1024))
