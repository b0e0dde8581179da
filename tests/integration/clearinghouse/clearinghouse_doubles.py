"""Test doubles for the clearinghouse tests: a scripted payer, an in-memory audit sink,
credentials that count invalidations. (A uniquely named module, not conftest, so imports from
test files cannot pick up another directory's conftest.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from intake.clearinghouse import ClearinghouseCredentials, CoreSoapGateway

USERNAME = "intake-svc"
PASSWORD = "correct-horse"
SENDER_ID = "HOMEINFUSION01"
RECEIVER_ID = "SANDBOXCH"
X12_270 = "ISA*00*          *00*          *ZZ*HOMEINFUSION01~ST*270*0001*005010X279A1~SE*2*0001~"
GatewayFactory = Callable[..., CoreSoapGateway]
"""The conftest's ``make_gateway``: keyword overrides go to the gateway's settings."""
X12_271 = "ISA*00*          *00*          *ZZ*SANDBOXCH~ST*271*0001*005010X279A1~SE*2*0001~"


@dataclass(frozen=True)
class Reply:
    x12: str
    delay_seconds: float = 0.0


@dataclass
class ScriptedPayer:
    """Answers from a script (one reply per call), then with ``default`` forever."""

    script: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(X12_271))
    received: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def respond_270(self, x12_270: str) -> Reply:
        with self._lock:
            self.received.append(x12_270)
            return self.script.pop(0) if self.script else self.default


@dataclass
class MemoryAudit:
    """Audit sink double: keeps what the gateway hands it."""

    kept: list[tuple[str, str, str, str]] = field(default_factory=list)

    def keep(self, correlation_id: str, payload_id: str, kind: str, x12: str) -> str:
        self.kept.append((correlation_id, payload_id, kind, x12))
        return f"memory/{correlation_id}/{payload_id}.{kind}"

    def kinds(self) -> list[str]:
        return [kind for _, _, kind, _ in self.kept]


@dataclass
class CountingCredentials:
    """Static credentials that count ``invalidate`` calls."""

    credentials: ClearinghouseCredentials
    invalidations: int = 0

    def get(self) -> ClearinghouseCredentials:
        return self.credentials

    def invalidate(self) -> None:
        self.invalidations += 1


def credentials(password: str = PASSWORD, sender_id: str = SENDER_ID) -> ClearinghouseCredentials:
    return ClearinghouseCredentials(
        username=USERNAME, password=password, sender_id=sender_id, receiver_id=RECEIVER_ID
    )
