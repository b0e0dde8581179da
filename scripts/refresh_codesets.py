"""Refresh the vendored code sets in layers/intake/python/intake/data/codesets/.

ICD-10-CM (CDC/NCHS, public domain) is published every fiscal year (effective October 1) and
sometimes mid-year (April 1). This script turns one release into the compact file the layer
reads (``icd10cm.tsv.gz``: code without the dot, billable flag 1/0, long description; every
category, subcategory and 7th-character code, sorted) and writes ``manifest.json`` beside it:
the fiscal year, effective date, release, source URL, source file name and the sha256 of the
source and of the file written. A new release is then a data change: the manifest's hashes
change and tests/unit/reference/test_codesets.py notices.

Sources, in order of preference:

* ``--order-file icd10cm-order-2026.txt`` (or ``--url`` of CMS's "code descriptions in
  tabular order" zip holding it): CMS's own fixed-width order file, which carries the billable
  flag (position 15: 0 = header, 1 = valid for HIPAA-covered transactions).
* ``--wheel simple_icd_10_cm-1.5.0-py3-none-any.whl``: the PyPI package simple-icd-10-cm,
  which ships CMS's tabular XML unmodified (``icd10c-tabular-April-1-2026.xml``) and reads
  it with its own, maintained parser (children, 7th characters, X placeholders). A code is
  billable when it has no children (a leaf of the tabular list), which is the order file's flag.
  Used when CMS cannot be reached (``pip download --no-deps simple-icd-10-cm==1.5.0``).

Run from the repository root::

    .venv/bin/python scripts/refresh_codesets.py --wheel /tmp/simple_icd_10_cm-1.5.0-py3-none-any.whl \
        --fiscal-year 2026 --effective 2025-10-01 --release "April 1, 2026 update"
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import io
import json
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "layers/intake/python/intake/data/codesets"
ICD10_FILE = "icd10cm.tsv.gz"
CDC_LICENSE = "ICD-10-CM is in the public domain (CDC/NCHS); CMS distributes it for HIPAA use."


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def from_order_file(text: str) -> Iterator[tuple[str, bool, str]]:
    """CMS's icd10cm-order file: order(5) code(7) flag(1) short(60) long (1-based columns
    1-5, 7-13, 15, 17-76, 78-)."""
    for line in text.splitlines():
        if len(line) < 16:
            continue
        code, flag, long_desc = line[6:13].strip(), line[14], line[77:].strip()
        yield code, flag == "1", long_desc


def from_wheel(wheel: Path) -> tuple[Iterator[tuple[str, bool, str]], str, bytes]:
    """The tabular XML inside simple-icd-10-cm's wheel, read by that library."""
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.endswith(".xml") and "tabular" in n]
        if len(names) != 1:
            raise SystemExit(f"{wheel}: expected one tabular XML, found {names}")
        xml_name, xml = names[0], z.read(names[0])
    sys.path.insert(0, str(wheel))  # a wheel is a zip Python can import from (build time only)
    cm = importlib.import_module("simple_icd_10_cm")

    def rows() -> Iterator[tuple[str, bool, str]]:
        for dotted in cm.get_all_codes(with_dots=True):
            # categories, subcategories and 7th-character codes; not chapters or blocks (a
            # block holding one category shares its name: the category is what is asked here)
            if not cm.is_category_or_subcategory(dotted):
                continue
            key, leaf = dotted.replace(".", ""), bool(cm.is_leaf(dotted))
            if not leaf and len(key) in (5, 6) and key.endswith("X"):
                continue  # the library's node for an X placeholder (T36.0X): not a code
            yield key, leaf, cm.get_description(dotted)

    return rows(), Path(xml_name).name, xml


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        data: bytes = response.read()
        return data


def order_file_in(zipped: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        names = [n for n in z.namelist() if "order" in n.lower() and n.lower().endswith(".txt")]
        if not names:
            raise SystemExit("no icd10cm-order-*.txt in the zip")
        return Path(names[0]).name, z.read(names[0]).decode("latin-1")


def write_icd10(rows: Iterator[tuple[str, bool, str]], out: Path) -> tuple[bytes, int, int]:
    table = sorted({code: (billable, desc) for code, billable, desc in rows}.items())
    text = "".join(f"{c}\t{int(b)}\t{d}\n" for c, (b, d) in table)
    # mtime=0: the same release always writes the same bytes (a refresh without change is no diff)
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    (out / ICD10_FILE).write_bytes(data)
    return data, len(table), sum(1 for _, (b, _) in table if b)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--url", help="CMS zip holding icd10cm-order-YYYY.txt")
    src.add_argument("--order-file", type=Path, help="a local icd10cm-order-YYYY.txt")
    src.add_argument("--wheel", type=Path, help="a simple-icd-10-cm wheel (ships CMS's XML)")
    p.add_argument("--fiscal-year", type=int, required=True)
    p.add_argument("--effective", type=date.fromisoformat, required=True)
    p.add_argument("--release", required=True, help='e.g. "April 1, 2026 update"')
    p.add_argument("--source-url", default="", help="where the source file was published")
    p.add_argument(
        "--out", type=Path, default=OUT, help="the code set folder (default: the layer's)"
    )
    args = p.parse_args(argv)

    if args.wheel:
        rows, source_name, source_bytes = from_wheel(args.wheel)
        source_url = args.source_url or (
            f"https://pypi.org/project/simple-icd-10-cm/ ({args.wheel.name}, which ships "
            "CMS's tabular XML unmodified)"
        )
    else:
        if args.url:
            zipped = fetch(args.url)
            source_name, text = order_file_in(zipped)
            source_url = args.url
        else:
            text = args.order_file.read_text(encoding="latin-1")
            source_name, source_url = args.order_file.name, args.source_url
        source_bytes = text.encode("latin-1")
        rows = from_order_file(text)

    args.out.mkdir(parents=True, exist_ok=True)
    data, codes, billable = write_icd10(rows, args.out)
    manifest_path = args.out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest["_doc"] = (
        "What each vendored code set is, where it came from and its hashes; written by "
        "scripts/refresh_codesets.py. A new release changes the hashes: that is a data change "
        "and tests/unit/reference/test_codesets.py checks the file against this manifest."
    )
    old = manifest.get("icd10cm", {})
    manifest["icd10cm"] = {
        "file": ICD10_FILE,
        "fiscal_year": args.fiscal_year,
        "effective": args.effective.isoformat(),
        "release": args.release,
        "source_url": source_url,
        "source_file": source_name,
        "source_sha256": sha256(source_bytes),
        "sha256": sha256(data),
        "codes": codes,
        "billable": billable,
        "license": CDC_LICENSE,
    }
    manifest["icd10cm"]["refreshed"] = (
        old.get("refreshed") if old.get("sha256") == sha256(data) else date.today().isoformat()
    )
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"{ICD10_FILE}: {codes} codes, {billable} billable, sha256 {sha256(data)[:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
