"""Reading an XLSX workbook's sheets back in tests (zipfile and the sheets' XML: no spreadsheet library needed)."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(r"^([A-Z]+)(\d+)$")

Cell = str | float | None


def read_sheets(data: bytes) -> dict[str, list[list[Cell]]]:
    """Each sheet's rows by its name, in workbook order; text as str, numbers (and times) as float, blanks None."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared = _shared_strings(book)
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets: dict[str, list[list[Cell]]] = {}
        for sheet in workbook.iterfind("m:sheets/m:sheet", NS):
            target = str(targets[sheet.get(REL)]).removeprefix("/xl/")
            sheets[str(sheet.get("name"))] = _rows(ElementTree.fromstring(book.read(f"xl/{target}")), shared)
    return sheets


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in item.iterfind(".//m:t", NS)) for item in root.iterfind("m:si", NS)]


def _rows(sheet: ElementTree.Element, shared: list[str]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for row in sheet.iterfind("m:sheetData/m:row", NS):
        cells: list[Cell] = []
        for cell in row.iterfind("m:c", NS):
            match = _CELL.match(str(cell.get("r")))
            assert match, cell.get("r")
            column = _column_index(match[1])
            cells += [None] * (column - len(cells))
            cells.append(_value(cell, shared))
        rows.append(cells)
    return rows


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _value(cell: ElementTree.Element, shared: list[str]) -> Cell:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iterfind(".//m:t", NS))
    value = cell.findtext("m:v", default=None, namespaces=NS)
    if value is None:
        return None
    if kind == "s":
        return shared[int(value)]
    if kind in ("str", "b"):
        return value
    return float(value)
