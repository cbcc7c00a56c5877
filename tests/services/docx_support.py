"""Reading a generated DOCX as its reader does (shared by the document tests; no tests here)."""

from __future__ import annotations

import io

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph


def lines(data: bytes) -> list[str]:
    """The document's text in reading order: one line per paragraph, one per table row with
    its cells joined by ' | ' (a merged cell once)."""
    doc = Document(io.BytesIO(data))
    out: list[str] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells, seen = [], []
                for cell in row.cells:
                    if not any(cell._tc is element for element in seen):
                        seen.append(cell._tc)
                        cells.append(cell.text.replace("\n", " / "))
                out.append(" | ".join(cells))
    return out


def text(data: bytes) -> str:
    return "\n".join(lines(data))


def table_rows(data: bytes, header_first_cell: str) -> list[list[str]]:
    """The rows of the table whose first header cell reads so (header excluded)."""
    doc = Document(io.BytesIO(data))
    for table in doc.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == header_first_cell:
            return rows[1:]
    raise AssertionError(f"no table headed {header_first_cell!r}")


def docx_with(*paragraphs: str) -> bytes:
    """A DOCX whose body is these paragraphs, each one run."""
    doc = Document()
    for paragraph in paragraphs:
        doc.add_paragraph(paragraph)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
