"""The yearly evaluation as each role sees it: opening a year assigns the direct superior,
the evaluator rates and sees the evidence, the pelaksana answers and it locks; the list is
personal; the distribution warns."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.evaluation import Evaluation, EvaluationStatus
from app.models.org import IkuUser, Pelaksana, Position, Section
from app.services import evaluation as service
from app.services.complaints import figures
from app.services.evaluation import evidence

NOW = dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC)
RATED = {"competence_a": "met", "competence_b": "partly", "competence_c": "met",
         "competence_d": "met", "work_results": "above", "notes": "Bekerja rapi.",
         **{k: "above" for k in ("behaviour_service", "behaviour_accountable",
                                 "behaviour_competent", "behaviour_harmonious")},
         **{k: "as_expected" for k in ("behaviour_loyal", "behaviour_adaptive",
                                       "behaviour_collaborative")}}


def _person(name, nip, position, section, username=None):
    person = Pelaksana(
        name=name, nip=nip,
        position=db.session.scalars(select(Position).where(Position.code == position)).one(),
        section=db.session.scalars(select(Section).where(Section.code == section)).one())
    db.session.add(person)
    db.session.flush()
    if username:
        db.session.scalars(select(IkuUser).where(IkuUser.username == username)).one() \
            .pelaksana_id = person.id
    return person


@pytest.fixture
def people(app):
    db.session.execute(Pelaksana.__table__.update().values(active=False))
    out = {
        "karo": _person("Hendra Wijaya", "197204121998031001", "KARO", "BIRO-OTLAK", "karo"),
        "kabag": _person("Rina Kartika", "197808232003122002", "KABAG", "AK1", "kabag"),
        "kasubbag": _person("Dewi Lestari", "198302142008012004", "KASUBBAG", "AK1-PPK",
                            "kasubbag"),
        "staf": _person("Putri Maharani", "199001172015032006", "STAF", "AK1-PPK", "staf"),
    }
    db.session.commit()
    return out


@pytest.fixture
def period(people):
    return service.open_period(db.session, 2026, dt.date(2026, 12, 31), by="admin", now=NOW)


def _evaluation_of(person) -> Evaluation:
    return db.session.scalars(select(Evaluation).where(Evaluation.pelaksana_id == person.id)).one()


def test_opening_a_year_assigns_each_pelaksana_its_direct_superior(period, people):
    assert _evaluation_of(people["staf"]).evaluator == people["kasubbag"]
    assert _evaluation_of(people["kasubbag"]).evaluator == people["kabag"]
    assert _evaluation_of(people["kabag"]).evaluator == people["karo"]
    with pytest.raises(service.EvaluationError, match="sudah dibuka"):
        service.open_period(db.session, 2026, dt.date(2026, 12, 31), by="admin", now=NOW)


def test_admin_opens_a_period_from_the_page(client, login, people):
    login(client, "admin")
    page = client.post("/evaluasi/buka", data={"year": "2027", "closes_on": "31-12-2027",
                                               "confirm": "y"}, follow_redirects=True)
    assert "Periode evaluasi 2027 dibuka" in page.get_data(as_text=True)
    assert db.session.scalars(select(Evaluation)).all()


@pytest.mark.parametrize("username", ["kabag", "kasubbag", "staf", "karo"])
def test_bureau_roles_may_not_open_a_period(client, login, people, username):
    login(client, username)
    assert client.get("/evaluasi/buka").status_code in (302, 403)


def test_evaluator_rates_sees_evidence_and_the_predikat_is_derived(client, login, period,
                                                                    people):
    item = _evaluation_of(people["staf"])
    login(client, "kasubbag")
    page = client.get(f"/evaluasi/{item.id}").get_data(as_text=True)
    assert "Pekerjaan diselesaikan" in page and "Tepat waktu" in page
    start = page.index("Pengaduan yang ditangani")
    block = page[start:page.index("Catatan pengawasan", start)]
    assert "Pengaduan ditindaklanjuti" in block and evidence.NOT_AVAILABLE not in block
    assert "Teguran tertulis" in page[page.index("Catatan pengawasan", start):]
    assert 'id="rate-form"' in page
    page = client.post(f"/evaluasi/{item.id}/rate", data=RATED,
                       follow_redirects=True).get_data(as_text=True)
    assert "Sangat Baik" in page  # results above, behaviour above (4 of 7 above, none below)
    db.session.refresh(item)
    assert item.status == EvaluationStatus.RATED and item.behaviour == "above"


def test_someone_else_cannot_rate_or_even_see_it(client, login, period, people):
    item = _evaluation_of(people["staf"])
    login(client, "kabag")  # not the direct superior of the staf
    assert client.get(f"/evaluasi/{item.id}").status_code == 404
    assert client.post(f"/evaluasi/{item.id}/rate", data=RATED).status_code == 404
    db.session.refresh(item)
    assert item.status == EvaluationStatus.DRAFT


def test_pelaksana_objects_and_the_evaluation_locks(client, login, period, people):
    item = _evaluation_of(people["staf"])
    service.rate(db.session, item, db.session.scalars(select(IkuUser).where(
        IkuUser.username == "kasubbag")).one(), RATED, now=NOW)
    login(client, "staf")
    page = client.get(f"/evaluasi/{item.id}").get_data(as_text=True)
    assert 'id="answer-form"' in page and 'id="rate-form"' not in page
    page = client.post(f"/evaluasi/{item.id}/answer", data={"choice": "object", "confirm": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Tuliskan keberatan" in page
    client.post(f"/evaluasi/{item.id}/answer", data={
        "choice": "object", "objection": "Beban kerja tidak diperhitungkan.", "confirm": "y"})
    db.session.refresh(item)
    assert item.is_locked and item.objection == "Beban kerja tidak diperhitungkan."
    assert item.report is not None and item.report.pelaksana_id == people["staf"].id
    assert item.report.status == "final" and item.report.number
    page = client.get(f"/evaluasi/{item.id}").get_data(as_text=True)
    assert 'id="evaluation-report"' in page and "Keberatan" in page
    with pytest.raises(service.EvaluationError, match="dikunci"):
        service.rate(db.session, item, None, RATED, now=NOW, is_admin=True)


def test_the_list_is_personal_outside_the_heads(app, client, login, period, people):
    login(client, "staf")
    page = client.get("/evaluationview/list/").get_data(as_text=True)
    assert "Putri Maharani" in page and "Rina Kartika" not in page
    client = app.test_client()
    login(client, "karo")
    page = client.get("/evaluationview/list/").get_data(as_text=True)
    assert "Putri Maharani" in page and "Rina Kartika" in page


def test_liaison_has_no_evaluation_page(client, login, period, people):
    login(client, "pengguna1")
    assert client.get("/evaluationview/list/").status_code in (302, 403)
    item = _evaluation_of(people["staf"])
    assert client.get(f"/evaluasi/{item.id}").status_code in (302, 403)


def test_admin_overrides_the_evaluator(client, login, period, people):
    item = _evaluation_of(people["staf"])
    login(client, "admin")
    client.post(f"/evaluasi/{item.id}/evaluator", data={"evaluator": people["kabag"].id})
    db.session.refresh(item)
    assert item.evaluator == people["kabag"] and item.evaluator_overridden


def test_distribution_warns_when_a_rule_breaks(client, login, period, people, app):
    kasubbag = db.session.scalars(select(IkuUser).where(IkuUser.username == "kasubbag")).one()
    service.rate(db.session, _evaluation_of(people["staf"]), kasubbag, RATED, now=NOW)
    login(client, "karo")
    page = client.get("/evaluasi/distribusi/2026").get_data(as_text=True)
    assert "Predikat Sangat Baik 100,0 % melebihi batas 20,0 %." in page
    assert 'data-iku-chart=' in page and "chart.umd.min.js" in page


def test_home_counts_evaluations_waiting(client, login, period, people):
    login(client, "kasubbag")
    page = client.get("/").get_data(as_text=True)
    assert 'id="counter-evaluations_due"' in page
    assert "Evaluasi menunggu Anda" in page


def test_reminders_mail_whoever_holds_an_evaluation_up(app, period, people):
    from app.models.mail import OutboundMail

    people["kasubbag"].email = "dewi@iku.test"
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["iku", "evaluation-reminders", "--today", "2026-12-20"])
    assert result.exit_code == 0, result.output
    assert "Penilaian Putri Maharani tahun 2026 belum selesai (batas 31-12-2026)" in result.output
    queued = db.session.scalars(select(OutboundMail)).all()
    assert [m.to_addrs for m in queued] == [["dewi@iku.test"]]
    assert "Sisa waktu 11 hari" in queued[0].body_text
    again = runner.invoke(args=["iku", "evaluation-reminders", "--today", "2026-12-21"])
    assert again.exit_code == 0 and len(db.session.scalars(select(OutboundMail)).all()) == 1
    early = runner.invoke(args=["iku", "evaluation-reminders", "--today", "2026-06-01"])
    assert "0 evaluasi belum selesai" in early.output


def test_a_registered_evidence_source_replaces_not_available(client, login, period, people):
    def complaints(session, pelaksana_id, year, schedule):
        return [evidence.Figure("Pengaduan ditangani", "3"),
                evidence.Figure("Tepat waktu", "2 (67%)")]

    evidence.register_source("complaints", complaints)
    try:
        item = _evaluation_of(people["staf"])
        login(client, "kasubbag")
        page = client.get(f"/evaluasi/{item.id}").get_data(as_text=True)
        start = page.index("Pengaduan yang ditangani")
        block = page[start:page.index("Catatan pengawasan", start)]
        assert "Pengaduan ditangani" in block and "2 (67%)" in block
        assert evidence.NOT_AVAILABLE not in block
    finally:
        figures.register()


@pytest.mark.parametrize("username", ["auditor", "karo"])
def test_heads_and_auditor_read_every_evaluation_but_cannot_rate(client, login, period, people,
                                                                 username):
    item = _evaluation_of(people["staf"])
    login(client, username)
    page = client.get(f"/evaluasi/{item.id}").get_data(as_text=True)
    assert "Putri Maharani" in page and 'id="rate-form"' not in page
    response = client.post(f"/evaluasi/{item.id}/rate", data=RATED)
    if username == "auditor":  # no can_rate at all: FAB refuses before the page runs
        assert response.status_code == 403
    else:  # may rate in general, but is not this evaluation's evaluator
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Hanya penilai yang ditetapkan" in page
    db.session.refresh(item)
    assert item.status == EvaluationStatus.DRAFT
