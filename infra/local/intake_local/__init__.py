"""Local stack and CLI: run the whole system on this machine with moto, no AWS account or Docker."""
