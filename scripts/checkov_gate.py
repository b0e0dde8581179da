"""Run checkov on the template and its translation; fail on any failure not in the accepted table.

The accepted failures, with why each does not apply, are the table in docs/design.md
("Security scan (checkov)"): this reads the check ids and counts from that table, so the
table stays true or the gate fails. checkov lives in its own venv (``.tools/checkov``): its
pins clash with the project's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"


def accepted() -> Counter[str]:
    """Check id → failures accepted, from the table in docs/design.md."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text[text.index("## Security scan (checkov)") :]
    rows = re.findall(r"^\| (CKV_[A-Z0-9_]+)[^|]*\| (\d+) \|", section, flags=re.M)
    return Counter({check: int(count) for check, count in rows})


def found() -> Counter[str]:
    run = subprocess.run(
        [
            str(CHECKOV),
            *("-f", "template.yaml", "-f", "build/template.translated.json"),
            *("--framework", "cloudformation", "--compact", "--quiet", "-o", "json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    reports = json.loads(run.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    return Counter(failed["check_id"] for r in reports for failed in r["results"]["failed_checks"])


def main() -> int:
    table, now = accepted(), found()
    if now == table:
        print(f"checkov: {sum(now.values())} failures, all in the accepted table")
        return 0
    for check in sorted(set(table) | set(now)):
        if table[check] != now[check]:
            print(f"checkov: {check}: {now[check]} failing, table accepts {table[check]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
