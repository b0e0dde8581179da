"""The one Logger, Tracer and Metrics every handler and module uses.

Log lines carry ids (referral, task, execution) and outcomes, never names, dates of birth,
member ids or document contents: CloudWatch Logs is not where PHI belongs.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
