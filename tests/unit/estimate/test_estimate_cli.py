"""``intake estimate`` over the sandbox payer's 271s and the sample referrals."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import dumps_benefits
from intake_local.commands.estimate import register
from tests.conftest import INFLIXIMAB, cli_runner
from tests.unit.estimate.conftest import Sandbox271

PROJECT_ROOT = Path(__file__).resolve().parents[3]
REFERRALS = PROJECT_ROOT / "events" / "referrals"
LOCAL_X12 = PROJECT_ROOT / "tests" / "fixtures" / "x12"
Run = Callable[..., tuple[int, str, str]]


def _estimate(run: Run, benefits: str, sample: str, *options: str) -> tuple[int, str, str]:
    """``intake estimate --benefits BENEFITS --therapy events/referrals/SAMPLE [options]``."""
    return run("--benefits", benefits, "--therapy", str(REFERRALS / sample), *options)


ON_JAN_5 = ("--start", "2026-01-05", "--received", "2026-01-05", "--as-of", "2026-01-05")
"""Received, started and priced on 2026-01-05: the CLI never prices before receipt (default
today), so a fixed answer names all three."""


def _on_jan_5(run: Run, benefits: str, sample: str, *options: str) -> tuple[int, str, str]:
    """An estimate received, started and priced on 2026-01-05."""
    return _estimate(run, benefits, sample, *options, *ON_JAN_5)


MemberFile = Callable[[str], str]


@pytest.fixture
def member_271(tmp_path: Path, sandbox_271: Sandbox271) -> MemberFile:
    """The sandbox payer SBX01's 271 for one member, written to a file: its path."""

    def write(member_id: str) -> str:
        path = tmp_path / f"{member_id}.271"
        path.write_text(sandbox_271("SBX01", member_id))
        return str(path)

    return write


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    return cli_runner(register, capsys, "estimate")


@pytest.fixture
def ppo_271(tmp_path: Path, sandbox_271: Sandbox271) -> Path:
    path = tmp_path / "ppo.271"
    path.write_text(sandbox_271("SBX01", "SBP000000101"))
    return path


def test_given_sandbox_271_and_referral_when_estimated_then_hand_computed_json(
    run: Run,
    ppo_271: Path,
) -> None:
    # Given the sandbox PPO Gold member (deductible $1,200.50 left, OOP $4,100 left, 20% at plan
    # level, 10% for home health 42/44) and referral 01 (infliximab 5 mg/kg, 70 kg, every 8 weeks)
    code, out, err = _estimate(
        run,
        str(ppo_271),
        "01-ppo-deductible-coinsurance.json",
        "--start",
        "2026-01-05",
        "--received",
        "2026-01-05",
    )
    # Then per infusion: 5 mg/kg x 70 kg = 350 mg from four 100 mg vials: J1745 35 units given
    #      + 5 discarded (JW) = 40 x $48.50 = $1,940; S9359 $165; 99601 $185 + 99602 $85
    #      = $2,375 allowed. Patient, infusion 1: $1,200.50 deductible + 20% x $739.50
    #      ($147.90) + 10% x $165 ($16.50) + 10% x $270 ($27.00) = $1,391.90;
    #      infusions 2-7: $388 + $16.50 + $27.00 = $431.50 -> $1,391.90 + 6 x $431.50 = $3,980.90
    #      (under the $4,100 out-of-pocket left), all in the 2026 plan year
    assert code == 0, err
    data = json.loads(out)
    assert data["per_infusion"] == {"allowed": "2375.00", "patient": "1391.90", "plan": "983.10"}
    assert data["course"]["infusions"] == 7 and data["course"]["patient"] == "3980.90"
    assert [(y["start"], y["infusions"], y["patient"]) for y in data["plan_years"]] == [
        ("2026-01-01", 7, "3980.90")
    ]
    assert data["typical_infusion"]["patient"] == "431.50"
    assert data["payer_type"] == "commercial"
    assert data["cost_share_by_part"]["drug"]["plan_level"] is True
    assert data["cost_share_by_part"]["nursing"]["service_type"] == "44"
    assert data["secondary"] is None
    assert data["in_network"] is True and data["confidence"] == "high"
    assert data["assistance_recommended"] is True
    assert data["contract_version"] == "2026.1"
    assert data["call_script"]["language"] == "en"


def test_given_read_271_json_when_estimated_then_same_as_from_x12(
    run: Run,
    ppo_271: Path,
    tmp_path: Path,
) -> None:
    # Given the same verification as X12 and as 'intake x12 read-271' prints it
    summary = tmp_path / "ppo.json"
    summary.write_text(dumps_benefits(interpret_271(ppo_271.read_text())))
    referral = str(REFERRALS / "01-ppo-deductible-coinsurance.json")
    # When
    since = ("--start", "2026-01-05", "--received", "2026-01-05")
    _, from_x12, _ = run("--benefits", str(ppo_271), "--therapy", referral, *since)
    code, from_json, err = run("--benefits", str(summary), "--therapy", referral, *since)
    # Then
    assert code == 0, err
    assert json.loads(from_json) == json.loads(from_x12)


def test_given_referral_language_when_estimated_then_script_in_it(
    run: Run, member_271: MemberFile
) -> None:
    # Given the auth-required PPO Silver member and the Chinese-speaking IVIG referral
    code, out, err = _estimate(
        run,
        member_271("SBP000000102"),
        "03-auth-required-chinese.json",
        "--start",
        "2026-01-05",
        "--received",
        "2026-01-05",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["call_script"]["language"] == "zh" and "美元" in data["call_script"]["text"]
    assert data["inputs"]["contract"]["plan_key"] == "SBXGRP200"  # the silver plan's IVIG rate


def test_given_therapy_json_and_options_when_estimated_then_they_apply(
    run: Run,
    ppo_271: Path,
    tmp_path: Path,
) -> None:
    therapy = tmp_path / "therapy.json"
    therapy.write_text(json.dumps({**INFLIXIMAB, "start_date": "2026-01-05"}))
    code, out, err = run(
        "--benefits",
        str(ppo_271),
        "--therapy",
        str(therapy),
        "--weight-kg",
        "80",
        "--language",
        "es",
        "--payer-id",
        "NOPE1",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["inputs"]["drug"]["units_per_infusion"] == 40  # 5 x 80 = 400 mg / 10 mg
    assert data["payer_known"] is False and data["confidence"] == "low"
    assert data["call_script"]["language"] == "es"


@pytest.mark.parametrize(
    "sample",
    [
        "01-ppo-deductible-coinsurance",
        "02-hmo-copay-spanish",
        "03-auth-required-chinese",
        "06-name-dob-mismatch",
        "07-medicare-advantage",
        "08-medicaid-spanish",
        "10-slow-payer",
    ],
)
def test_given_each_active_sample_referral_when_estimated_then_exit_0(
    run: Run, tmp_path: Path, sandbox_271: Sandbox271, sample: str
) -> None:
    referral = REFERRALS / f"{sample}.json"
    insurance = json.loads(referral.read_text())["insurance"]
    path = tmp_path / "answer.271"
    path.write_text(sandbox_271(insurance["payer_id"], insurance["member_id"]))
    code, out, err = run(
        "--benefits",
        str(path),
        "--therapy",
        str(referral),
        "--start",
        "2026-01-05",
        "--received",
        "2026-01-05",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["course"]["infusions"] >= 1 and data["call_script"]["text"]
    assert data["in_network"] is (insurance["payer_id"] != "SBX05")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.271", "cannot read"),
        (lambda d: _write(d / "bad.271", "ISA*00*broken~"), "is not a valid 271"),
        (lambda d: _write(d / "bad.json", "{not json"), "is not JSON"),
        (lambda d: _write(d / "other.json", '{"hello": 1}'), "not one patient's verification"),
    ],
)
def test_given_bad_benefits_when_estimated_then_exit_2_plain_error(
    run: Run,
    tmp_path: Path,
    make: Callable[[Path], Path],
    message: str,
) -> None:
    code, out, err = _estimate(run, str(make(tmp_path)), "01-ppo-deductible-coinsurance.json")
    assert code == 2 and out == "" and message in err


def test_given_bad_therapy_or_weight_when_estimated_then_exit_2(run: Run, ppo_271: Path) -> None:
    code, _, err = run("--benefits", str(ppo_271), "--therapy", str(REFERRALS / "09-invalid.json"))
    assert code == 2 and "has no valid therapy" in err
    code, _, err = _estimate(
        run, str(ppo_271), "01-ppo-deductible-coinsurance.json", "--weight-kg", "-3"
    )
    assert code == 2 and "not a plausible patient weight" in err


def test_given_inactive_coverage_when_estimated_then_exit_2(
    run: Run, member_271: MemberFile
) -> None:
    code, _, err = _estimate(run, member_271("SBP000000103"), "04-coverage-inactive.json")
    assert code == 2 and "coverage is inactive" in err


def test_given_several_patients_when_estimated_then_patient_must_be_chosen(run: Run) -> None:
    referral = str(REFERRALS / "01-ppo-deductible-coinsurance.json")
    code, _, err = run("--benefits", str(LOCAL_X12 / "multi-patient.271"), "--therapy", referral)
    assert code == 2 and "--patient N" in err
    code, out, err = run(
        "--benefits",
        str(LOCAL_X12 / "multi-patient.271"),
        "--therapy",
        referral,
        "--patient",
        "1",
        "--start",
        "2026-01-05",
        "--received",
        "2026-01-05",
    )
    assert code == 0, err
    assert json.loads(out)["course"]["infusions"] == 7


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _save(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_given_medicare_and_medigap_samples_when_estimated_then_hand_computed(
    run: Run, tmp_path: Path, sandbox_271: Sandbox271
) -> None:
    """Sample 31: Gammagard 0.4 g/kg x 82 kg = 32,800 mg -> 65.6, 66 units given from a 30 g
    and three 1 g vials (33 g = 66 units: nothing more to bill, JZ); SBX06 Part B: 66 x $78 =
    $5,148 + Q2052 $420 = $5,568 per infusion (no S-code, no 99601). Ongoing, priced for 12
    months (2026-01-05 to 2027-01-04) every 4 weeks: 14 infusions (days 0 ... 364), 13 in
    2026 and one on 2027-01-04, in the next plan year.
      Medicare 2026: infusion 1 $283 Part B deductible + 20% x $4,865 ($973) + 20% x $420
                ($84) = $1,340; 12 more x 20% x $5,568 ($1,113.60) = $13,363.20 -> $14,703.20
      Medicare 2027 (deductible reset, assumed $283 again): $1,340 -> leaves $16,043.20
      Medigap Plan G (0% coinsurance, no deductible of its own): pays all but each year's
                $283 Part B deductible: $14,420.20 + $1,057 = $15,477.20; the patient owes
                $283 a year: $566.00."""
    medicare = _save(tmp_path, "medicare.271", sandbox_271("SBX06", "SBR000000601"))
    medigap = _save(tmp_path, "medigap.271", sandbox_271("SBX07", "SBG000000701"))
    code, out, err = _on_jan_5(
        run, medicare, "31-medicare-medigap-ivig.json", "--secondary", medigap
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["payer_type"] == "original_medicare_part_b"
    assert data["per_infusion"]["allowed"] == "5568.00"
    assert data["course"]["infusions"] == 14 and data["course"]["after_plan_year"] is None
    assert [(y["start"], y["infusions"], y["patient"]) for y in data["plan_years"]] == [
        ("2026-01-01", 13, "283.00"),
        ("2027-01-01", 1, "283.00"),
    ]
    assert data["secondary"]["primary_leaves"] == "16043.20"
    assert data["secondary"]["pays"] == "15477.20"
    assert data["course"]["patient"] == "566.00"
    assert data["secondary"]["order_reason"] == "a Medigap supplement pays after Medicare"
    assert data["cost_share_by_part"]["nursing"]["benefit"] == "not_billed"


def test_given_two_commercial_samples_when_estimated_then_secondary_pays_what_is_left(
    run: Run, tmp_path: Path, sandbox_271: Sandbox271
) -> None:
    """Sample 30: 68 kg x 5 mg/kg = 340 mg -> 34 units given + 6 discarded = 40 x $48.50 =
    $1,940 + S9359 $165 + $270 nursing = $2,375; weeks 0, 2, 6 then every 8 weeks: 8 infusions
    in 2026. The PPO leaves $1,391.90, then $431.50 a time until its $4,100 out-of-pocket left
    is reached on infusion 8 ($119.10): $4,100. The spouse's HMO (the PPO named primary in its
    271; $400 deductible left, 10%) would pay at least $1,777.50 of each: it pays all $4,100."""
    ppo = _save(tmp_path, "ppo.271", sandbox_271("SBX01", "SBP000000130"))
    hmo = _save(tmp_path, "hmo.271", sandbox_271("SBX02", "SBH000000230"))
    code, out, err = _on_jan_5(
        run,
        ppo,
        "30-two-commercial-plans.json",
        "--secondary",
        hmo,
        "--secondary-payer-id",
        "SBX02",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["course"]["infusions"] == 8
    assert data["secondary"]["primary_leaves"] == "4100.00"
    assert data["secondary"]["pays"] == "4100.00" and data["course"]["patient"] == "0.00"
    assert "names the primary plan as primary" in data["secondary"]["order_reason"]


def test_given_same_inputs_on_another_day_then_same_answer(
    run: Run, ppo_271: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    import intake_local.commands.estimate as command

    argv = (
        "--benefits",
        str(ppo_271),
        "--therapy",
        str(REFERRALS / "01-ppo-deductible-coinsurance.json"),
        *ON_JAN_5,
    )
    monkeypatch.setattr(command, "utcnow", lambda: datetime(2026, 3, 1, tzinfo=UTC))
    first = run(*argv)
    monkeypatch.setattr(command, "utcnow", lambda: datetime(2027, 7, 9, tzinfo=UTC))
    assert run(*argv) == first


def test_given_unreadable_frequency_when_estimated_then_field_named(
    run: Run, ppo_271: Path, tmp_path: Path
) -> None:
    referral = json.loads((REFERRALS / "01-ppo-deductible-coinsurance.json").read_text())
    referral["therapy"]["frequency"] = "per protocol"
    path = _save(tmp_path, "r.json", json.dumps(referral))
    code, _, err = run(
        "--benefits",
        str(ppo_271),
        "--therapy",
        path,
        "--start",
        "2026-01-05",
        "--received",
        "2026-01-05",
    )
    assert code == 2 and err.startswith("error: therapy.frequency: cannot read the frequency")
