"""The sandbox directory generator: seeded, deterministic, valid, and keeping the shipped
sandbox payers as they are."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from intake.directory.csvfiles import read_directory
from intake.directory.store import shipped
from intake_local.template import PROJECT_ROOT


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_directory", PROJECT_ROOT / "scripts" / "generate_directory.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_generated_directory_is_valid_deterministic_and_keeps_the_sandbox_payers() -> None:
    """Given the generator at a small size and a seed
    When it runs twice
    Then it writes the same bytes, the files import without a problem, the counts are the ones
    asked for, and the sandbox payers lead unchanged, because the samples resolve their payers
    through the directory and a benchmark must measure the same directory every time."""
    generate = _generator().generate

    files = generate(60, 150, 20, 7)

    assert files == generate(60, 150, 20, 7)
    compiled = read_directory(files)
    assert compiled.counts["payers"] == 60 and compiled.counts["plans"] == 150
    generated = [e for e in compiled.entries.values() if e.payer_id not in shipped().entries]
    assert len({d for e in generated for d in e.policies}) <= 20
    for payer_id, entry in shipped().entries.items():
        assert compiled.entries[payer_id] == entry
    assert list(compiled.entries)[: len(shipped().entries)] == list(shipped().entries)
