"""Liaison notifications over SNS. Messages carry ids and due times, never PHI: they may end
up in e-mail or SMS."""

from __future__ import annotations

import json
from typing import Any

from intake.adapters.aws import LazyClient


class SnsNotifier:
    sns = LazyClient("sns")

    def __init__(self, topic_arn: str, sns: Any = None, web_url: str | None = None) -> None:
        self._topic_arn = topic_arn
        self._sns = sns
        self._web_url = web_url

    def publish(self, subject: str, message: dict[str, Any]) -> None:
        from intake.tasks.notifications import email_text

        body = json.dumps(message, default=str)
        self.sns.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:100],
            # Machines (SQS, Lambda) get the JSON; people's e-mail a sentence and a link.
            MessageStructure="json",
            Message=json.dumps(
                {"default": body, "email": email_text(message, self._web_url)}, ensure_ascii=False
            ),
            MessageAttributes={
                "kind": {"DataType": "String", "StringValue": str(message.get("kind", "task"))}
            },
        )
