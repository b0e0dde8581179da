"""Faults with nothing lost, as the template declares them (issue 24, item 5)."""

from __future__ import annotations

from typing import Any

from intake_local.template import load_template


def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = load_template()["Resources"]
    return resources


def test_ingest_is_capped_by_the_queue_not_by_reserved_concurrency() -> None:
    """Reserved concurrency throttles deliveries, and SQS counts each throttled receive toward
    the DLQ's maxReceiveCount; the event source's MaximumConcurrency caps without throttling."""
    ingest = _resources()["IngestReferralFunction"]["Properties"]
    assert "ReservedConcurrentExecutions" not in ingest
    event = ingest["Events"]["Uploaded"]["Properties"]
    assert event["ScalingConfig"]["MaximumConcurrency"] == 20
    assert "ReportBatchItemFailures" in event["FunctionResponseTypes"]


def test_the_intake_queue_hides_a_message_six_times_the_ingest_timeout() -> None:
    """AWS's advice for a Lambda event source: visibility at least six times the function
    timeout (here 6 * 120 s = 720 s), so a batch retried by Lambda is not redelivered."""
    resources = _resources()
    timeout = resources["IngestReferralFunction"]["Properties"]["Timeout"]
    visibility = resources["IntakeQueue"]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * timeout == 720


def test_a_failed_workflow_event_the_handler_cannot_take_is_kept_with_an_alarm() -> None:
    """The failed-workflow rule invokes the step function asynchronously: after its retries
    the event goes to a queue whose alarm pages operations."""
    resources = _resources()
    config = resources["WorkflowStepFunction"]["Properties"]["EventInvokeConfig"]
    destination = config["DestinationConfig"]["OnFailure"]
    assert destination["Type"] == "SQS"
    assert destination["Destination"] == {"Fn::GetAtt": ["WorkflowStepFailuresQueue", "Arn"]}
    alarm = resources["WorkflowStepFailuresAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {
        "Fn::GetAtt": ["WorkflowStepFailuresQueue", "QueueName"]
    }


def test_timed_out_and_aborted_executions_raise_alarms() -> None:
    """Both state machines: an execution that times out or is aborted pages operations."""
    alarms = [
        r["Properties"]
        for r in _resources().values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"].get("Namespace") == "AWS/States"
    ]
    watched = {
        (a["MetricName"], a["Dimensions"][0]["Value"]["Ref"])
        for a in alarms
        if a["Dimensions"][0]["Name"] == "StateMachineArn"
    }
    assert {
        ("ExecutionsTimedOut", "ReferralStateMachine"),
        ("ExecutionsAborted", "ReferralStateMachine"),
        ("ExecutionsTimedOut", "DoseCheckStateMachine"),
        ("ExecutionsAborted", "DoseCheckStateMachine"),
    } <= watched
