"""A naskah dinas render (app.services.docx_render.render: sandboxed, escaped, checked plain data)
beside a bare docxtpl render of the same template and context, in the same run.

    .venv/bin/python bench/docx_render.py [--repeat 40] [--code memo_penyusunan_iku]

Bare = DocxTemplate(template).render(context) and save to BytesIO (docxtpl's defaults: no
sandbox, no escaping). Ours = render(template, context). The two alternate, one document each,
so a busy machine slows both alike; prints the median wall and CPU time per document of each
and the ratio. No database: the context is the document's sample context (plain data, the
shape build_context returns).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docxtpl import DocxTemplate  # noqa: E402

from app.services.document_context import sample_context  # noqa: E402
from app.services.docx_render import default_template, render  # noqa: E402


def bare(template: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ours(template: bytes, context: dict) -> bytes:
    return render(template, context)


def timed(function, *args) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--code", default="memo_penyusunan_iku")
    args = parser.parse_args()
    template, context = default_template(args.code), sample_context(args.code)
    context["verifikasi_url"] = ""  # both without an image
    for function in (bare, ours):  # warm-up: imports, the template check cache
        function(template, context)
    times: dict[str, list[tuple[float, float]]] = {"bare": [], "ours": []}
    for _ in range(args.repeat):
        times["bare"].append(timed(bare, template, context))
        times["ours"].append(timed(ours, template, context))
    medians = {name: (statistics.median(w for w, _ in values) * 1000,
                      statistics.median(c for _, c in values) * 1000)
               for name, values in times.items()}
    print(f"{args.code}, {args.repeat} documents each, median per document:")
    for name, label in (("bare", "docxtpl bare (no sandbox, no escaping)"),
                        ("ours", "render() (sandbox, escaped, checked)")):
        wall, cpu = medians[name]
        print(f"  {label:40} {wall:7.1f} ms wall  {cpu:7.1f} ms CPU  {1000 / wall:6.1f} doc/s")
    print(f"  ratio ours/bare: {medians['ours'][0] / medians['bare'][0]:.2f} wall, "
          f"{medians['ours'][1] / medians['bare'][1]:.2f} CPU")


if __name__ == "__main__":
    main()
