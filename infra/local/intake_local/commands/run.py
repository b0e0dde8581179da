"""``intake run`` and ``intake local up``: the whole pipeline, and the stack kept running.

Both need the local stack (moto, the SAM translator, boto3); the CLI imports this module only
when one of them runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from intake_local.tasks_cli import API_ENV
from intake_local.template import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "events" / "referrals"
DEFAULT_JSON = str(PROJECT_ROOT / "build" / "intake-run.json")
"""Where a bare ``--json`` writes the summary (build/ is git-ignored)."""


def _run(args: argparse.Namespace) -> int:
    from intake_local import pipeline
    from intake_local.stack import LocalStack, StackOptions

    files = [Path(f) for f in args.files] if args.files else pipeline.sample_files(SAMPLES)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"intake run: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"Starting the local stack (moto server, {len(files)} sample referrals)…", flush=True)
    follow = args.follow_course or 0
    with LocalStack(StackOptions(sweep_doses=not follow)) as stack:
        assert stack.outputs is not None
        print(
            f"  deployed template.yaml in {stack.timings['deploy']:.1f} s; liaison API at {stack.outputs.api_url}, "
            f"web workspace at {stack.outputs.web_url}",
            flush=True,
        )
        timeout = args.timeout or pipeline.default_timeout(len(files))
        result = pipeline.run(
            stack, files, auto_liaison=not args.no_auto_liaison, timeout_s=timeout
        )
        print(pipeline.render(result), flush=True)
        if follow:
            from intake_local.course_follow import follow_course

            folder = files[0].parent if files else SAMPLES
            names = {r["referral_id"]: r["file"] for r in result.referrals if r["referral_id"]}
            checks = follow_course(
                stack,
                result,
                follow,
                pipeline.LiaisonScripts.load(folder, names),
                auto_liaison=not args.no_auto_liaison,
            )
            held = sum(c["status"] == "held" for c in checks)
            print(f"\n{len(checks)} pre-dose checks over {follow} days: {held} held")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps(result.referrals, indent=2, ensure_ascii=False, default=str),
            encoding="utf-8",
        )
        print(f"summary written to {args.json}")
    late = pipeline.unfinished(result, auto_liaison=not args.no_auto_liaison)
    if late:
        print(
            f"intake run: {len(late)} of {len(result.referrals)} referrals did not finish "
            "(listed above)",
            file=sys.stderr,
        )
    return 1 if late else 0


def _local_up(args: argparse.Namespace) -> int:
    from intake_local.stack import LocalStack, StackOptions

    stack = LocalStack(StackOptions(moto_port=args.port, api_port=args.api_port))
    outputs = stack.start()
    print(json.dumps(outputs.__dict__, indent=2))
    print(
        f"\nThe liaison workspace: {outputs.web_url} (sign in with any liaison name)\n"
        "The stack runs until Ctrl-C. Use it with:\n"
        f"  export AWS_ENDPOINT_URL={outputs.endpoint_url} AWS_DEFAULT_REGION=us-east-1 "
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n"
        f"  aws s3 cp events/referrals/01-ppo-deductible-coinsurance.json s3://{outputs.intake_bucket}/referrals/demo/01.json\n"
        f"  export {API_ENV}={outputs.api_url}\n"
        "  intake tasks list\n"
        "  boto3.client('dynamodb', endpoint_url=os.environ['AWS_ENDPOINT_URL']) …",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``run`` and ``local``; each leaf sets ``func(args) -> int`` (the exit code)."""
    run = subparsers.add_parser(
        "run", help="run the referral pipeline end to end on the local stack"
    )
    run.add_argument("files", nargs="*", help="referral files (default: events/referrals/*)")
    run.add_argument("--no-auto-liaison", action="store_true", help="leave the call tasks open")
    run.add_argument(
        "--json",
        metavar="FILE",
        nargs="?",
        const=DEFAULT_JSON,
        help=f"also write the summary as JSON (bare --json: {DEFAULT_JSON})",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds to wait for referrals to settle (default: 120 + 15 per file)",
    )
    run.add_argument(
        "--follow-course",
        type=int,
        metavar="DAYS",
        default=0,
        help="then move the local clock DAYS days forward a day at a time, running each "
        "pre-dose check as it falls due and printing its outcome (the JSON gets 'course')",
    )
    run.set_defaults(func=_run)

    local = subparsers.add_parser("local", help="the local stack")
    local_sub = local.add_subparsers(dest="local_command", required=True)
    up = local_sub.add_parser("up", help="start the stack and keep it running")
    up.add_argument("--port", type=int, default=5000, help="moto server port")
    up.add_argument("--api-port", type=int, default=8080, help="liaison API port")
    up.set_defaults(func=_local_up)
