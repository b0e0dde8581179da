"""The vendored ICD-10-CM code set: which release it is, that the file is the one the manifest
names, and that a yearly refresh is a data change the tests notice.

The yearly update (every October 1, sometimes April 1) is run with scripts/refresh_codesets.py;
it rewrites icd10cm.tsv.gz and the manifest's hashes together. A file swapped without the
manifest, or a manifest naming another year, fails here.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import ModuleType

from intake.reference import codesets
from intake.reference.coverage_lists import (
    HOME_IVIG_POLICY,
    MEDICARE_HOME_IVIG,
    decide,
    home_ivig_list,
    on_home_ivig_list,
)

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "refresh_codesets.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_codesets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _order_line(n: int, code: str, billable: bool, text: str) -> str:
    """One line of CMS's icd10cm-order file: order(5) code(7) flag short(60) long."""
    return f"{n:05d} {code:<7} {int(billable)} {text[:60]:<60} {text}"


def test_manifest_names_fy2026_and_matches_the_file() -> None:
    """Given the vendored code set
    When its bytes are hashed and counted
    Then they are the ones the manifest records for ICD-10-CM FY2026 (effective 2025-10-01),
    so a file changed without a refresh (or a refresh of another year) cannot pass unnoticed."""
    manifest = codesets.manifest()["icd10cm"]
    data = resources.files("intake.data.codesets").joinpath(manifest["file"]).read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()

    assert manifest["fiscal_year"] == 2026
    assert manifest["effective"] == "2025-10-01"
    assert hashlib.sha256(data).hexdigest() == manifest["sha256"]
    assert len(lines) == manifest["codes"]
    assert sum(1 for line in lines if line.split("\t")[1] == "1") == manifest["billable"]
    assert manifest["source_file"] and manifest["source_sha256"] and manifest["source_url"]
    assert codesets.icd10_release() == f"ICD-10-CM FY2026 ({manifest['release']})"


def test_a_refresh_with_a_changed_release_is_a_data_change(tmp_path: Path) -> None:
    """Given two order files: G35 billable (as through FY2025), then G35 split into G35.A ...
    (FY2026, effective 2025-10-01, when G35 became a header)
    When the refresh script writes each into a code set folder
    Then the second run changes the file's sha256 and the manifest's year and counts: the
    yearly update shows up as a reviewable data change, and G35's flag flips 1 -> 0."""
    fy2025 = [_order_line(1, "G35", True, "Multiple sclerosis")]
    fy2026 = [
        _order_line(1, "G35", False, "Multiple sclerosis"),
        _order_line(2, "G35A", True, "Relapsing-remitting multiple sclerosis"),
        _order_line(3, "G35D", True, "Multiple sclerosis, unspecified"),
    ]
    script = _script()
    seen = []
    for year, lines in ((2025, fy2025), (2026, fy2026)):
        source = tmp_path / f"icd10cm-order-{year}.txt"
        source.write_text("\n".join(lines) + "\n", encoding="latin-1")
        args = ["--order-file", str(source), "--fiscal-year", str(year)]
        args += ["--effective", f"{year - 1}-10-01", "--release", f"FY{year}"]
        assert script.main([*args, "--out", str(tmp_path / "out")]) == 0
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())["icd10cm"]
        table = gzip.decompress((tmp_path / "out" / "icd10cm.tsv.gz").read_bytes()).decode()
        seen.append((manifest, table))

    (before, old_table), (after, new_table) = seen
    assert before["sha256"] != after["sha256"]
    assert (before["fiscal_year"], after["fiscal_year"]) == (2025, 2026)
    assert (before["codes"], before["billable"]) == (1, 1)
    assert (after["codes"], after["billable"]) == (3, 2)  # G35 header + 2 billable codes
    assert old_table == "G35\t1\tMultiple sclerosis\n"
    assert new_table.splitlines()[0] == "G35\t0\tMultiple sclerosis"


def test_header_children_and_billable_codes() -> None:
    """Given D81.8 (FY2026: D81.81 is itself a header over D81.810/818/819)
    When its children and billable codes are asked
    Then the children are the 3 codes directly below and the billable codes the 5 leaves
    (D81.810, D81.818, D81.819, D81.82, D81.89: 3 under D81.81 + 2 = 5)."""
    assert codesets.children("D81.8") == ("D81.81", "D81.82", "D81.89")
    assert codesets.billable_codes("d818") == (
        "D81.810",
        "D81.818",
        "D81.819",
        "D81.82",
        "D81.89",
    )
    assert codesets.children("D81.89") == ()
    assert codesets.billable_codes("D81.89") == ("D81.89",)


def test_placeholder_x_codes_are_not_codes() -> None:
    """Given T36.0X1A (7th character after the X placeholder)
    When T36.0's children are asked
    Then they are T36.0X1 ... (the X-padded stem is not a code of its own)."""
    assert codesets.icd10("T36.0X") is None
    assert codesets.children("T36.0")[0] == "T36.0X1"
    assert codesets.is_billable("T36.0X1A")
    assert not codesets.is_billable("T36.0X1")


def test_an_unknown_code_is_unknown_not_shortened() -> None:
    """Given D83.90 (D83.9 is a leaf: no D83.90 exists)
    When it is looked up
    Then it is not a code: no entry, not billable, no description (never truncated to D83.9)."""
    assert codesets.icd10("D83.90") is None
    assert not codesets.is_billable("D83.90")
    assert codesets.describe("D83.90") is None
    assert codesets.billable_codes("D83.90") == ()


def test_home_ivig_list_is_the_24_exact_codes_of_the_policy() -> None:
    """Given MBPM Ch.15 §50.6 (Rev. 259), which prints 24 codes
    When the list is read
    Then it holds exactly those 24, each a billable FY2026 code, and names the policy; a
    category prefix (D84.821, secondary immunodeficiency due to drugs) is not on it."""
    listed = home_ivig_list()
    assert len(listed.codes) == 24
    assert all(codesets.is_billable(code) for code in listed.codes)
    assert listed.policy == HOME_IVIG_POLICY
    assert "Rev. 259" in listed.cited
    assert on_home_ivig_list("d83.9") and on_home_ivig_list("G113")
    assert not on_home_ivig_list("D84.821")
    assert not on_home_ivig_list("D80.1")


def test_importing_the_lookups_loads_no_code_set() -> None:
    """Given a fresh interpreter
    When the code set and coverage list modules are imported and the home IVIG list is asked
    Then the 97,000-code table is not loaded (cold start pays only for what it uses)."""
    probe = (
        "from intake.reference import codesets\n"
        "from intake.reference.coverage_lists import on_home_ivig_list\n"
        "assert on_home_ivig_list('D83.9')\n"
        "print(codesets._icd10.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "0"


def test_hcpcs_units_are_cited_and_unknown_codes_stay_unknown() -> None:
    """Given the vendored HCPCS rows
    When a drug code's unit is asked
    Then J1561 (IV immune globulin) bills per 500 mg and J1559 (Hizentra, SC) per 100 mg, so
    a 20 g dose is 20,000 / 500 = 40 units of J1561; every row names its source; a code not
    vendored has no unit (None), never a default."""
    assert codesets.hcpcs_unit("j1561") == (Decimal(500), "mg")
    assert codesets.hcpcs_unit("J1559") == (Decimal(100), "mg")
    assert Decimal(20_000) / codesets.hcpcs_unit("J1561")[0] == 40  # type: ignore[index]
    entry = codesets.hcpcs("J1745")
    assert entry is not None and entry.unit == "10 mg" and entry.source
    assert codesets.hcpcs_unit("J9999") is None
    manifest = codesets.manifest()["hcpcs"]
    assert manifest["complete"] is False  # says plainly it is not CMS's full file


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def test_every_hand_cited_hcpcs_row_agrees_with_cms_january_2026_file() -> None:
    """Given the hand-cited HCPCS rows, each with the long descriptor read in CMS's
    HCPC2026_JAN_ANWEB_01122026.txt (manifest.json says where that copy is held)
    When a row's own descriptor and unit are compared with CMS's
    Then they are the same words (CMS prints lower case: "vancomycin hcl" = "vancomycin HCl")
    and CMS's descriptor states the row's unit as its dose ("..., 500 mg" for J1561, "per 250
    mg" for J0696, "10 mg (code may be used...)" for J0129; "per diem" closing S9500), so the
    units the estimate divides by are CMS's, not a transcription slip."""
    rows = {code: codesets.hcpcs(code) for code in codesets._hcpcs()}
    assert len(rows) == codesets.manifest()["hcpcs"]["codes"] == 14
    for code, entry in rows.items():
        assert entry is not None and entry.cms_description is not None, code
        assert _words(entry.description) == _words(entry.cms_description), code
        cms = _words(entry.cms_description)
        if entry.unit_measure == "day":
            assert entry.unit_amount == 1 and cms.endswith("per diem"), code
        else:
            dose = rf"(?:, |per ){entry.unit_amount} {entry.unit_measure}(?:$| \()"
            assert re.search(dose, cms), (code, dose)
    assert "HCPC2026_JAN_ANWEB" in codesets.manifest()["hcpcs"]["checked_against"]["file"]


def test_j3370_is_terminated_and_names_its_successor() -> None:
    """Given CMS's January 2026 file, where J3370 (vancomycin, 500 mg) carries TERM_DT
    2025-06-30 and J3373 (vancomycin hydrochloride, 10 mg) was added 2025-07-01
    When the rows are read
    Then J3370 says it may be billed through 2025-06-30 and not on 2026-01-05, and names
    J3373, whose unit is 10 mg (1,250 mg = 125 units of J3373, against 3 of J3370 rounded up);
    a current code (J1561) is billable on any day."""
    old = codesets.hcpcs("J3370")
    assert old is not None and old.terminated == date(2025, 6, 30)
    assert old.billable_on(date(2025, 6, 30)) and not old.billable_on(date(2026, 1, 5))
    assert old.successor == "J3373"
    assert codesets.hcpcs_unit("J3373") == (Decimal(10), "mg")
    assert Decimal(1250) / codesets.hcpcs_unit("J3373")[0] == 125  # type: ignore[index]
    current = codesets.hcpcs("J1561")
    assert current is not None and current.terminated is None
    assert current.billable_on(date(2026, 1, 5))


def test_a_list_decision_names_its_policy_and_each_code() -> None:
    """Given a referral with D84.821 (immunodeficiency due to drugs: secondary) and D83.9 (CVID)
    When the home IVIG list decides
    Then only D83.9 is listed, D84.821 is not (the old D80-D84 prefix rule counted both as
    primary), and the reason names MBPM Ch.15 §50.6 with its revision."""
    decision = decide(MEDICARE_HOME_IVIG, ["D84.821", "d839"])
    assert decision.listed == ("D83.9",) and decision.not_listed == ("D84.821",)
    assert decision.on_list
    assert decision.reason.startswith("D83.9 on the list of Medicare Benefit Policy Manual")
    assert "Rev. 259" in decision.reason
    secondary_only = decide(MEDICARE_HOME_IVIG, ["D84.821"])
    assert not secondary_only.on_list
    assert "Ch.15 §50.6" in secondary_only.reason
