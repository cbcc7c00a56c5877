"""The list widget of every BaseModelView (ScaledViewMixin.list_widget): FAB's HTML, made in
one Python pass over the page instead of a Jinja loop.

FAB's list widget formats each cell through a Jinja call to the column's formatter, builds
three links per row with url_for and six gettext calls, and escapes every value twice (the
formatter's Markup, then the template's autoescape): on a 25-row page that was most of the
widget's time (bench/README.md). Here the links are built once per page by the template
(templates/widgets/list.html: FAB's permissions and filters decide them) and each row's HTML
is assembled here from escaped parts. The HTML is FAB's but for white space
(tests/views/test_datamodel.py renders both and compares).
"""

from __future__ import annotations

from flask_appbuilder.widgets import ListWidget
from flask_babel.speaklater import LazyString
from jinja2.utils import url_quote
from markupsafe import Markup, escape

from app.views.translations import worded

PK = "__iku_pk__"  # stands for a row's key in the page's link templates


def _cells(rows, columns, formatters) -> list[list[Markup]]:
    """Each value as its column's formatter words it, escaped; a label (lazy text) worded
    once per request, not once per row."""
    cells = []
    for row in rows:
        shown = []
        for col in columns:
            value = formatters[col](row[col]) if col in formatters else row[col]
            shown.append(escape(worded(value) if type(value) is LazyString else value))
        cells.append(shown)
    return cells


def _buttons(pk_url: str, links: dict, locked: bool, texts: dict, nonce: str) -> str:
    parts = ['<td><center>\n<div class="btn-group btn-group-xs" style="display: flex;">\n']
    if links["show"]:
        parts.append(
            f'<a href="{escape(links["show"].replace(PK, pk_url))}" class="btn btn-sm '
            f'btn-default" data-toggle="tooltip" rel="tooltip"\ntitle="{texts["show_record"]}">'
            f'\n<span class="sr-only">{texts["show"]}</span>\n<i class="fa fa-search"></i>\n</a>\n')
    if links["edit"] and not locked:
        parts.append(
            f'<a href="{escape(links["edit"].replace(PK, pk_url))}" class="btn btn-sm '
            f'btn-default" data-toggle="tooltip" rel="tooltip"\ntitle="{texts["edit_record"]}">'
            f'\n<span class="sr-only">{texts["edit"]}</span>\n<i class="fa fa-edit"></i>\n</a>\n')
    if links["delete"] and not locked:
        href = escape(links["delete"].replace(PK, pk_url))
        parts.append(
            f'<a\nid="btn-delete-{href}"\nhref="#"\nclass="btn btn-sm btn-default confirm"\n'
            f'rel="tooltip"\ntitle="{texts["delete_record"]}"\n>\n'
            f'<span class="sr-only">{texts["delete"]}</span>\n<i class="fa fa-trash"></i>\n</a>\n'
            f'<script nonce="{escape(nonce)}">\ndocument.getElementById("btn-delete-{href}")\n'
            f'.addEventListener("click", function () {{\nconst adminAction = new AdminActions();\n'
            f"return adminAction.execute_single_delete('{href}','{texts['sure']}');\n}})\n"
            "</script>\n")
    parts.append("</div>\n</center></td>\n")
    return "".join(parts)


def list_rows(cells, pks, has_actions: bool, with_buttons: bool, links: dict, locked_pks,
              texts: dict, nonce: str) -> Markup:
    """The table's rows: a checkbox when the list has actions, the row's show/edit/delete
    links (`links`: URL templates holding PK, or None when not allowed; none for a locked
    row but show), then the cells."""
    texts = {name: escape(text) for name, text in texts.items()}
    locked = locked_pks or ()
    out = []
    for pk, row in zip(pks, cells, strict=True):
        out.append("<tr>\n")
        if has_actions:
            out.append(f'<td>\n<input id="{escape(pk)}" class="action_check" name="rowid" '
                       f'value="{escape(pk)}" type="checkbox">\n</td>\n')
        if with_buttons:
            out.append(_buttons(url_quote(str(pk)), links, pk in locked, texts, nonce))
        out.extend(f"<td>{cell}</td>\n" for cell in row)
        out.append("</tr>\n")
    return Markup("".join(out))


class IkuListWidget(ListWidget):
    """FAB's list widget; says "> N" when the count was capped (CappedCount), and renders its
    rows with list_rows."""

    template = "widgets/list.html"

    def __call__(self, **kwargs):
        args = self.template_args
        args["cells"] = _cells(args["value_columns"], args["include_columns"],
                               args.get("formatters_columns") or {})
        args["list_rows"], args["PK"] = list_rows, PK
        return super().__call__(**kwargs)
