"""``intake directory``: the payer directory's CSV files (docs/directory.md).

    intake directory check DIR                         validate the files, apply nothing
    intake directory import DIR --table T [--by WHO]  validate, then make them the current version
    intake directory export OUT_DIR --table T [--version V]
    intake directory versions --table T
    intake directory rollback VERSION --table T

``check`` needs no AWS. The others use the ambient AWS configuration (``AWS_ENDPOINT_URL`` for
the local stack) and the intake table (``TableName`` output). Every bad row is printed as
``file:line: reason`` and nothing is applied (exit 2).
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from intake.directory import schema
from intake.directory.csvfiles import DirectoryInvalid, read_directory
from intake.directory.service import PayerDirectory

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A one-line message for the terminal, with the exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def _files(folder: str) -> dict[str, bytes]:
    path = Path(folder)
    if not path.is_dir():
        raise CliError(f"{folder} is not a folder")
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


def _directory(table: str) -> PayerDirectory:
    from intake.adapters.dynamodb_directory import DynamoDbDirectory

    return PayerDirectory(DynamoDbDirectory(table), pointer_seconds=0)


def _problems(exc: DirectoryInvalid) -> int:
    for problem in exc.problems:
        print(problem)
    print(f"{len(exc.problems)} problem(s); nothing applied")
    return EXIT_BAD_INPUT


def _check(args: argparse.Namespace) -> int:
    try:
        counts = read_directory(_files(args.folder)).counts
    except DirectoryInvalid as exc:
        return _problems(exc)
    print("valid: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        record = _directory(args.table).import_files(_files(args.folder), args.by)
    except DirectoryInvalid as exc:
        return _problems(exc)
    counts = ", ".join(f"{k} {v}" for k, v in record.counts.items())
    print(f"{record.version} current ({counts}; sha256 {record.checksum[:12]})")
    return 0


def _export(args: argparse.Namespace) -> int:
    files = _directory(args.table).export(args.version)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    print(f"{len(files)} files -> {out}")
    return 0


def _versions(args: argparse.Namespace) -> int:
    current, records = _directory(args.table).versions()
    for r in records:
        mark = "*" if r.version == current else " "
        payers = r.counts.get("payers", 0)
        print(
            f"{mark} {r.version}  {r.imported_at:%Y-%m-%d %H:%M}  {r.imported_by}  "
            f"{payers} payers  {r.checksum[:12]}"
        )
    if not records:
        print("no directory imported (lookups read the layer's shipped directory)")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    replaced = _directory(args.table).rollback(args.version)
    print(f"{args.version} current (was {replaced})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``directory`` group; each leaf sets ``func(args) -> int`` (the exit code)."""
    group = subparsers.add_parser(
        "directory", help="the payer directory's CSV files: check, import, export, versions"
    )
    leaves = group.add_subparsers(dest="directory_command", required=True)
    files = ", ".join(k.file for k in schema.KINDS)
    check = leaves.add_parser("check", help=f"validate a folder's CSV files ({files})")
    check.add_argument("folder")
    check.set_defaults(func=_check)
    imp = leaves.add_parser("import", help="validate a folder's files and make them current")
    imp.add_argument("folder")
    imp.add_argument("--table", required=True, help="the intake table (TableName output)")
    imp.add_argument("--by", default=getpass.getuser(), help="who imports (recorded)")
    imp.set_defaults(func=_import)
    exp = leaves.add_parser("export", help="write a version's CSV files into a folder")
    exp.add_argument("out")
    exp.add_argument("--table", required=True)
    exp.add_argument("--version", help="default: the current version")
    exp.set_defaults(func=_export)
    ver = leaves.add_parser("versions", help="list the imports (* marks the current)")
    ver.add_argument("--table", required=True)
    ver.set_defaults(func=_versions)
    back = leaves.add_parser("rollback", help="make an earlier version current again")
    back.add_argument("version")
    back.add_argument("--table", required=True)
    back.set_defaults(func=_rollback)
