"""Settings, credentials and audit naming rules of the clearinghouse transport."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from intake.clearinghouse import (
    ClearinghouseCredentials,
    CoreSoapSettings,
    PayloadType,
    StaticCredentials,
    audit_kind,
    check_correlation_id,
)


def test_settings_refuse_timeouts_beyond_core_ceiling() -> None:
    # Given connect + read timeouts above the CORE 20 s real-time ceiling
    # When the settings are built / Then they are refused
    with pytest.raises(ValidationError, match="20 s"):
        CoreSoapSettings(
            endpoint_url="https://ch.example/core", connect_timeout_s=5, read_timeout_s=16
        )


def test_settings_defaults_fit_the_ceiling() -> None:
    settings = CoreSoapSettings(endpoint_url="https://ch.example/core")
    assert settings.connect_timeout_s + settings.read_timeout_s <= 20


def test_settings_require_http_url() -> None:
    with pytest.raises(ValidationError, match="http"):
        CoreSoapSettings(endpoint_url="ftp://ch.example/core")


def test_credentials_hide_password() -> None:
    # Given credentials / When rendered / Then the password is masked
    creds = ClearinghouseCredentials(
        username="u", password="hunter2", sender_id="S", receiver_id="R"
    )
    assert "hunter2" not in repr(creds)
    assert StaticCredentials(creds).get().password.get_secret_value() == "hunter2"


@pytest.mark.parametrize(
    ("payload_type", "request_side", "kind"),
    [
        (PayloadType.X12_270_REQUEST, True, "270"),
        (PayloadType.X12_271_RESPONSE, False, "271"),
        (PayloadType.X12_278_REQUEST, True, "278-request"),
        (PayloadType.X12_278_RESPONSE, False, "278-response"),
        ("X12_276_Request_005010X212", True, "276-request"),
        ("Custom", False, "x12-response"),
    ],
)
def test_audit_kind(payload_type: str, request_side: bool, kind: str) -> None:
    assert audit_kind(payload_type, request=request_side) == kind


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", "a b", "-lead", "x" * 129, "a..b"])
def test_correlation_ids_must_be_safe_path_segments(bad: str) -> None:
    with pytest.raises(ValueError, match="correlation_id"):
        check_correlation_id(bad)


def test_step_functions_style_ids_are_fine() -> None:
    assert check_correlation_id("ref-2026-0001:exec.7_a") == "ref-2026-0001:exec.7_a"
