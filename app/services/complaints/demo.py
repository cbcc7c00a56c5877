"""Demo complaints (`flask iku demo`): a dozen in Indonesian, in every state, one confidential,
one overdue; and a few supervision records. Made through the real verbs, backdated."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.extensions import db
from app.models.complaints import Complaint
from app.models.org import IkuUser
from app.services import complaints, supervision

# (liaison or bureau user, kind, subject, description, complainant, confidential, days ago,
#  how far it got)
ITEMS = [
    ("setpres", "pengaduan", "Undangan pembahasan IKU diterima terlambat",
     "Undangan rapat pembahasan baru diterima sehari sebelum rapat.", "Sri Wahyuni", False, 30,
     "closed"),
    ("setwapres", "keluhan", "Notulen pembahasan belum dibagikan",
     "Sudah dua minggu notulen pembahasan IKU belum kami terima.", "Rudi Hartanto", True, 20,
     "in_progress"),
    ("bogor", "masukan", "Format matriks IKU agar disederhanakan",
     "Mohon kolom sumber data dan formula digabung agar mudah diisi.", "Lina Marlina", False, 12,
     "awaiting_approval"),
    ("setpres", "pengaduan", "Tanggapan atas usulan perubahan IKU tidak jelas",
     "Jawaban atas usulan perubahan belum menjelaskan alasan penolakan.", "Sri Wahyuni", False,
     10, "delegated"),
    ("cipanas", "keluhan", "Narahubung Bagian AK I sulit dihubungi",
     "Telepon dan email narahubung tidak dibalas selama tiga hari.", "Dedi Kurniawan", False, 15,
     "received"),
    ("setwapres", "masukan", "Jadwal pembahasan dibagi per kelompok",
     "Usul pembahasan dijadwalkan per kelompok unit agar lebih fokus.", "Rudi Hartanto", False, 3,
     "received"),
    ("bogor", "pengaduan", "Permintaan data kepegawaian",
     "Kami meminta data formasi pegawai untuk unit kami.", "Lina Marlina", False, 8, "rejected"),
    ("setpres", "masukan", "Pengaduan ganda tentang undangan",
     "Pengaduan ini sama dengan pengaduan sebelumnya tentang undangan.", "Sri Wahyuni", False, 25,
     "archived"),
    ("setmilpres", "keluhan", "Salinan Permen IKU belum diterima",
     "Salinan Peraturan Menteri tentang IKU belum sampai ke unit kami.", "Agung Prasetyo", False,
     9, "closed"),
    ("cipanas", "masukan", "Contoh pengisian definisi operasional",
     "Mohon disediakan contoh definisi operasional yang baik.", "Dedi Kurniawan", False, 2,
     "received"),
    ("setmilpres", "pengaduan", "Target IKU diubah tanpa konfirmasi",
     "Target pada rancangan akhir berbeda dari yang kami sepakati.", "Agung Prasetyo", False, 6,
     "in_progress"),
    ("setwapres", "keluhan", "Hasil pembahasan tidak sesuai kesepakatan",
     "Rumusan indikator pada berita acara berbeda dari hasil rapat.", "Rudi Hartanto", False, 4,
     "delegated"),
]


def _user(username: str) -> IkuUser | None:
    return db.session.scalars(select(IkuUser).filter_by(username=username)).one_or_none()


def load_demo_complaints() -> list[str]:
    if db.session.scalar(select(func.count(Complaint.id))):
        return ["Pengaduan demo sudah ada."]
    karo, kabag1, staf1 = _user("karo"), _user("kabag1"), _user("staf1")
    if not (karo and kabag1 and staf1):
        return ["Pengaduan demo dilewati: akun demo biro belum ada."]
    now = dt.datetime.now(dt.UTC)
    made = 0
    for username, kind, subject, text, who, secret, days, state in ITEMS:
        liaison = _user(username)
        if liaison is None:
            continue
        at = now - dt.timedelta(days=days)
        c = complaints.file_complaint(db.session, liaison, kind=kind, subject=subject,
                                      description=text, complainant_name=who,
                                      complainant_contact="0812-1234-5678", confidential=secret,
                                      now=at).complaint
        made += 1
        step = at + dt.timedelta(hours=3)
        if state == "rejected":
            complaints.reject(db.session, karo, c.id, note="Data kepegawaian adalah kewenangan "
                              "Biro Sumber Daya Manusia.", now=step)
        elif state == "archived":
            complaints.archive(db.session, karo, c.id, note="Duplikat pengaduan sebelumnya.",
                               now=step)
        if state in ("delegated", "in_progress", "awaiting_approval", "closed"):
            complaints.verify(db.session, karo, c.id, delegate_user_id=kabag1.id, now=step)
        if state in ("in_progress", "awaiting_approval", "closed"):
            complaints.assign(db.session, kabag1, c.id, handler_user_id=staf1.id, now=step)
        if state in ("awaiting_approval", "closed"):
            complaints.draft_response(db.session, staf1, c.id, now=step, response=(
                "Terima kasih atas masukannya. Jadwal dan dokumen telah kami perbaiki dan "
                "dikirimkan kembali kepada unit Saudara."))
        if state == "closed":
            complaints.send_response(db.session, kabag1, c.id, now=step + dt.timedelta(days=1))
    lines = [f"Pengaduan demo: {made} (satu dirahasiakan, satu terlambat diverifikasi)."]
    return lines + _demo_supervision(kabag1, staf1, now)


def _demo_supervision(kabag1: IkuUser, staf1: IkuUser, now: dt.datetime) -> list[str]:
    today = now.date()
    complaints_of_staf = [i for i, _ in supervision.basis_choices(
        db.session, staf1.pelaksana_id).complaints][:1]
    supervision.record_supervision(
        db.session, kabag1, pelaksana_id=staf1.pelaksana_id, kind="supervisi",
        held_on=today - dt.timedelta(days=20), finding="Penyusunan notulen pembahasan sesuai "
        "jadwal; pengarsipan undangan perlu dirapikan.", follow_up="Rapikan arsip undangan.",
        follow_up_due=today + dt.timedelta(days=10), now=now)
    supervision.record_supervision(
        db.session, kabag1, pelaksana_id=staf1.pelaksana_id, kind="teguran_lisan",
        held_on=today - dt.timedelta(days=5), finding="Notulen pembahasan terlambat dibagikan "
        "kepada unit.", complaint_ids=complaints_of_staf,
        follow_up="Bagikan notulen paling lambat dua hari kerja setelah rapat.",
        follow_up_due=today + dt.timedelta(days=5), now=now)
    return ["Catatan pengawasan demo: 2."]
