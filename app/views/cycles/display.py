"""What the cycle lists and exports show instead of stored codes: an item's name as readers
know it ("Langkah 6 — Sekretariat Militer Presiden", app.services.cycles.naming), a cycle's
reason as its standard words it, an event's details in words. Values, not queries per row:
each cycle's item names are loaded once per request."""

from __future__ import annotations

from flask import g
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.cycles import Cycle, WorkEvent, WorkItem
from app.models.org import IkuUser, OrgUnit
from app.services.cycles import cycle_reasons
from app.services.cycles.naming import load_cycle_family, load_family
from app.services.cycles.people import user_name
from app.views.cycles import format as fmt


def names_of(cycle_id: int):
    """The names of one cycle's items, loaded once per request (a list page shows a few
    cycles' items, an export the same)."""
    if "iku_families" not in g:
        g.iku_families = {}
    if cycle_id not in g.iku_families:
        g.iku_families[cycle_id] = load_cycle_family(db.session, cycle_id)
    return g.iku_families[cycle_id]


def name_page_items(items) -> None:
    """A list page names its rows' items from one query (load_family: their steps and
    paths only) instead of loading each shown cycle's every item."""
    items = [item for item in items if item is not None]
    g.iku_page_family = load_family(db.session, items) if items else None


def item_name(item: WorkItem | None) -> str:
    """"Langkah 6 — Sekretariat Militer Presiden", never `s06@SETMILPRES`."""
    if item is None:
        return ""
    page = g.get("iku_page_family")
    if page is not None and item.id in page.by_id:
        return fmt.item_name(page.ref(item.id))
    return fmt.item_name(names_of(item.cycle_id).ref(item.id))


def cycle_code(cycle_id: int | None) -> str:
    """A cycle's code by id, each looked up once per request (a list page: see
    code_page_cycles; an export: one at a time as the rows stream)."""
    codes = g.setdefault("iku_cycle_codes", {})
    if cycle_id not in codes:
        codes[cycle_id] = db.session.scalar(select(Cycle.code).where(Cycle.id == cycle_id))
    return codes[cycle_id] or ""


def code_page_cycles(cycle_ids) -> None:
    """The codes of a list page's cycles in one query, for cycle_code()."""
    wanted = set(cycle_ids) - set(g.setdefault("iku_cycle_codes", {}))
    if wanted:
        g.iku_cycle_codes.update(db.session.execute(
            select(Cycle.id, Cycle.code).where(Cycle.id.in_(wanted))).tuples().all())


def reason_text(cycle: Cycle) -> str:
    """The reason as the standard words it, not its code ("periodic"); each standard version
    is read once per request, not once per row."""
    cache = g.setdefault("iku_reason_texts", {})
    texts = cache.get(cycle.standard_id)
    if texts is None:
        texts = cache[cycle.standard_id] = {
            r["code"]: r["text"] for r in cycle_reasons(cycle.standard)}
    return texts.get(cycle.reason, cycle.reason)


def details_text(event: WorkEvent) -> str:
    """An event's details in words: the standard, reason and units of a cycle's start, the
    items a return reopened, who an item was reassigned from and to. Never codes or ids."""
    details = event.details or {}
    parts = []
    cycle = db.session.get(Cycle, event.cycle_id) if "standard" in details else None
    if cycle is not None:
        parts.append(gettext("Standard: %(title)s, version %(version)s",
                             title=cycle.standard.title, version=details.get("version")))
        parts.append(gettext("Reason: %(text)s", text=reason_text(cycle)))
    if details.get("units"):
        names = dict(db.session.execute(select(OrgUnit.code, OrgUnit.name).where(
            OrgUnit.code.in_(details["units"]))).tuples().all())
        parts.append(gettext("Units: %(names)s", names=", ".join(
            names.get(code, code) for code in details["units"])))
    if details.get("reopened"):
        family = names_of(event.cycle_id)
        parts.append(gettext("Reopened: %(items)s", items=", ".join(
            fmt.item_name(family.ref(family.id_of.get(code))) for code in details["reopened"])))
    if "to_user_id" in details:
        people = {u.id: user_name(u) for u in db.session.scalars(select(IkuUser).where(
            IkuUser.id.in_([details.get("from_user_id"), details["to_user_id"]])))}
        parts.append(gettext("Reassigned from %(old)s to %(new)s",
                             old=people.get(details.get("from_user_id")) or gettext("nobody"),
                             new=people.get(details["to_user_id"]) or gettext("nobody")))
    return "; ".join(parts) or "–"
