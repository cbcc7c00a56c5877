"""Sample facts for the test render of an uploaded template (document_context.sample_context):
the same shape as the facts read from the database, with made-up values and every list
non-empty, so that a template that loops, tests or prints any variable is exercised."""

from __future__ import annotations

import struct
import zlib


def _png(size: int = 21) -> bytes:
    """A small black-and-white PNG, in the place of the QR code."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(0 if (x + y) % 2 else 255 for x in range(size))
                    for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


SAMPLE_PNG = _png()

_SIGNER = {"jabatan": "Deputi Bidang Administrasi Aparatur", "nama": "Nama Pejabat Contoh",
           "nip": "197001011995031001"}
SAMPLE_FACTS = {
    "periode": "2025-2029",
    "siklus": {"kode": "IKU-2027", "judul": "Pengoordinasian Penyusunan IKU 2027",
               "periode": "2025-2029", "mulai": "4 Januari 2027",
               "rencana_selesai": "12 Februari 2027"},
    "batas_waktu": "8 Januari 2027",
    "biro": "Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja",
    "penerbit_negara": "Menteri Sekretaris Negara Republik Indonesia",
    "dasar_hukum": ["Peraturan Presiden Nomor 29 Tahun 2014 tentang Sistem Akuntabilitas "
                    "Kinerja Instansi Pemerintah"],
    "penandatangan": _SIGNER,
    "pengesah": {"jabatan": "Kepala Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja",
                 "nama": "Nama Kepala Biro Contoh", "nip": "197204121998031001"},
    "yth": ["Pimpinan Sekretariat Presiden", "Pimpinan Sekretariat Wakil Presiden"],
    "tim": [{"no": 1, "nama": "Nama Pengarah Contoh", "jabatan": "Deputi Bidang Administrasi "
             "Aparatur", "kedudukan": "Pengarah"},
            {"no": 2, "nama": "Wakil Sekretariat Presiden", "jabatan": "Pejabat yang ditunjuk",
             "kedudukan": "Anggota"}],
    "lampiran": [
        {"kelompok": "I. KEMENTERIAN SEKRETARIAT NEGARA", "no": "", "sasaran": "", "iku": "",
         "penjelasan": "", "satuan": "", "target": "", "penanggung_jawab": "",
         "sumber_data": ""},
        {"kelompok": "", "no": "1", "sasaran": "Terwujudnya tata kelola yang akuntabel",
         "iku": "Nilai SAKIP Kementerian", "penjelasan": "Nilai hasil evaluasi SAKIP.\n"
         "Formula: Nilai evaluasi SAKIP", "satuan": "nilai", "target": "2025: 81\n2026: 82",
         "penanggung_jawab": "Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja",
         "sumber_data": "LHE SAKIP"},
    ],
    "pegawai": {"nama": "Nama Pelaksana Contoh", "nip": "199001172015032006", "jabatan": "Staf",
                "unit_kerja": "Subbagian Perencanaan dan Pelaporan Kinerja I"},
    "kompetensi": [{"kode": "a", "uraian": "Memiliki pengetahuan tentang kebijakan SAKIP",
                    "tingkat": "Memenuhi", "tanggal": "1 Desember 2026"}],
    "kinerja": {"selesai": 12, "tepat_waktu": 11, "terlambat": 1},
}
