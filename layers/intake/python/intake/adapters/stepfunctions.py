"""The referral workflow in Step Functions."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from intake.adapters.aws import LazyClient

_GONE = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


class StepFunctionsWorkflow:
    sfn = LazyClient("stepfunctions")

    def __init__(self, state_machine_arn: str = "", sfn: Any = None) -> None:
        self._arn = state_machine_arn
        self._sfn = sfn

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        try:
            self.sfn.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return False
            raise
        return True

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        try:
            self.sfn.send_task_success(taskToken=task_token, output=json.dumps(output, default=str))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _GONE:
                return False
            raise
        return True
