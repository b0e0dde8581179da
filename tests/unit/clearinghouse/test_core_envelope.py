"""CORE vC2.2.0 SOAP envelope: build/parse round trips, CORE validation, hostile XML."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from intake.clearinghouse import envelope as core

X12_270 = "ISA*00*          *00*          *ZZ*SUBMITTER~ST*270*0001*005010X279A1~SE*2*0001~"
PAYLOAD_ID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
MOMENT = datetime(2026, 11, 22, 10, 20, 34, tzinfo=UTC)


@pytest.fixture
def request_270() -> core.CoreRequest:
    return core.CoreRequest(
        payload_type=core.PayloadType.X12_270_REQUEST,
        payload_id=PAYLOAD_ID,
        timestamp=MOMENT,
        sender_id="HOMEINFUSION01",
        receiver_id="CLEARINGHOUSE",
        payload=X12_270,
    )


@pytest.fixture
def response_271() -> core.CoreResponse:
    return core.CoreResponse(
        payload_type=core.PayloadType.X12_271_RESPONSE,
        payload_id=PAYLOAD_ID,
        timestamp=MOMENT,
        sender_id="CLEARINGHOUSE",
        receiver_id="HOMEINFUSION01",
        payload="ST*271*0001~SE*2*0001~",
        error_code="Success",
        error_message="None",
    )


@pytest.fixture
def token() -> core.UsernameToken:
    return core.UsernameToken(username="intake-svc", password="s3cr&t<pw>")


def _envelope(core_children: str, *, header: str = "") -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{core.SOAP12_NS}"><soap:Header>{header}</soap:Header>'
        f'<soap:Body><ns1:COREEnvelopeRealTimeRequest xmlns:ns1="{core.CORE_NS}">{core_children}'
        "</ns1:COREEnvelopeRealTimeRequest></soap:Body></soap:Envelope>"
    ).encode()


_ALL_FIELDS = {
    "PayloadType": "X12_270_Request_005010X279A1",
    "ProcessingMode": "RealTime",
    "PayloadID": PAYLOAD_ID,
    "TimeStamp": "2026-11-22T10:20:34Z",
    "SenderID": "HOMEINFUSION01",
    "ReceiverID": "CLEARINGHOUSE",
    "CORERuleVersion": "2.2.0",
    "Payload": f"<![CDATA[{X12_270}]]>",
}


def _children(**overrides: str | None) -> str:
    fields = {**_ALL_FIELDS, **overrides}
    return "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if v is not None)


# ------------------------------------------------------------------ round trips


def test_request_round_trips_with_token(
    request_270: core.CoreRequest, token: core.UsernameToken
) -> None:
    # Given a 270 request and a UsernameToken with XML-special characters in the password
    # When it is built and parsed back
    parsed_token, parsed = core.parse_request(core.build_request(request_270, token))
    # Then every field and the credentials survive unchanged
    assert parsed == request_270
    assert parsed_token == token


def test_built_request_uses_core_names_and_password_text(
    request_270: core.CoreRequest, token: core.UsernameToken
) -> None:
    # Given a built request
    xml = core.build_request(request_270, token).decode()
    # Then it carries the CORE element, SOAP 1.2, and a PasswordText UsernameToken
    assert f'xmlns:cor="{core.CORE_NS}"' in xml
    assert f'xmlns:soap="{core.SOAP12_NS}"' in xml
    assert "<cor:COREEnvelopeRealTimeRequest" in xml
    assert "<TimeStamp>2026-11-22T10:20:34Z</TimeStamp>" in xml
    assert "<CORERuleVersion>2.2.0</CORERuleVersion>" in xml
    assert "#PasswordText" in xml


def test_payload_with_markup_characters_survives(
    request_270: core.CoreRequest, token: core.UsernameToken
) -> None:
    # Given an X12 payload holding characters XML treats specially (including a CDATA end)
    tricky = replace(request_270, payload="ISA*<&>*]]>*'\"~SE*2*0001~")
    # When round-tripped
    _, parsed = core.parse_request(core.build_request(tricky, token))
    # Then the payload is byte-for-byte the same
    assert parsed.payload == tricky.payload


def test_request_in_cdata_with_whitespace_as_real_clients_send() -> None:
    # Given a hand-written envelope like common clients send (prefixed wrapper, CDATA payload)
    body = _envelope(_children(Payload=f"\n<![CDATA[{X12_270}]]>\n"))
    # When parsed
    token, request = core.parse_request(body)
    # Then the payload is the CDATA text and the missing header means no token
    assert request.payload == X12_270
    assert token is None


def test_children_qualified_with_core_namespace_are_accepted() -> None:
    # Given children in the CORE namespace rather than unqualified
    children = "".join(
        f'<c:{k} xmlns:c="{core.CORE_NS}">{v}</c:{k}>' for k, v in _ALL_FIELDS.items()
    )
    # When parsed
    _, request = core.parse_request(_envelope(children))
    # Then the fields are read the same
    assert request.payload_id == PAYLOAD_ID


def test_success_response_round_trips(response_271: core.CoreResponse) -> None:
    # Given a Success response
    response = response_271
    # When built and parsed
    parsed = core.parse_reply(core.build_response(response))
    # Then it is equal and ok
    assert parsed == response
    assert isinstance(parsed, core.CoreResponse) and parsed.ok


def test_error_response_may_omit_metadata() -> None:
    # Given an Unauthorized response with blank metadata
    response = core.CoreResponse(
        payload_type="",
        payload_id="",
        timestamp=None,
        sender_id="",
        receiver_id="",
        payload="",
        error_code=core.CoreErrorCode.UNAUTHORIZED,
        error_message="bad login",
    )
    # When parsed
    parsed = core.parse_reply(core.build_response(response))
    # Then it reads as a non-ok response carrying the code
    assert isinstance(parsed, core.CoreResponse)
    assert not parsed.ok
    assert parsed.error_code == "Unauthorized"


def test_success_response_without_payload_is_malformed(response_271: core.CoreResponse) -> None:
    # Given a Success response with no payload
    response = replace(response_271, payload="")
    # When parsed / Then it is rejected
    with pytest.raises(core.EnvelopeError, match="Payload is required"):
        core.parse_reply(core.build_response(response))


def test_fault_round_trips() -> None:
    # Given a SOAP Sender fault
    fault = core.SoapFault(code="Sender", reason="SOAP Body must hold exactly one element")
    # When built and parsed / Then it reads back as the same fault
    assert core.parse_reply(core.build_fault(fault)) == fault


# ------------------------------------------------------------------ CORE validation


@pytest.mark.parametrize("missing", list(_ALL_FIELDS))
def test_missing_field_gives_required_code(missing: str) -> None:
    # Given a request lacking one required field
    body = _envelope(_children(**{missing: None}))
    # When validated / Then the CORE error code names the field
    with pytest.raises(core.EnvelopeError) as caught:
        core.parse_request(body)
    assert caught.value.error_code == f"{missing}Required"
    assert caught.value.fields.get("PayloadID", PAYLOAD_ID) == PAYLOAD_ID


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"ProcessingMode": "Batch"}, core.CoreErrorCode.PROCESSING_MODE_NOT_SUPPORTED),
        ({"CORERuleVersion": "2.1.0"}, core.CoreErrorCode.VERSION_MISMATCH),
        ({"PayloadID": "not-a-uuid"}, core.CoreErrorCode.PAYLOAD_ID_ILLEGAL),
        ({"TimeStamp": "22/11/2026 10:20"}, core.CoreErrorCode.TIMESTAMP_ILLEGAL),
    ],
)
def test_illegal_values_give_core_codes(override: dict[str, str], code: str) -> None:
    # Given a request with one illegal value
    body = _envelope(_children(**override))
    # When validated / Then the matching CORE error code is raised
    with pytest.raises(core.EnvelopeError) as caught:
        core.parse_request(body)
    assert caught.value.error_code == code


def test_token_with_digest_password_is_not_accepted() -> None:
    # Given a UsernameToken whose password is a digest (not CORE PasswordText)
    wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    header = (
        f'<wsse:Security xmlns:wsse="{wsse}"><wsse:UsernameToken><wsse:Username>u</wsse:Username>'
        '<wsse:Password Type="urn:digest">x</wsse:Password></wsse:UsernameToken></wsse:Security>'
    )
    # When read / Then no token is reported
    assert core.read_request(_envelope(_children(), header=header)).token is None


# ------------------------------------------------------------------ malformed and hostile XML


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"ISA*00*not xml~",
        b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'/>",
        f"<soap:Envelope xmlns:soap='{core.SOAP12_NS}'><soap:Body/></soap:Envelope>".encode(),
        f"<soap:Envelope xmlns:soap='{core.SOAP12_NS}'><soap:Body><x/></soap:Body></soap:Envelope>".encode(),
        b"<unclosed>",
    ],
    ids=["empty", "not-xml", "soap-1.1", "empty-body", "foreign-element", "unclosed"],
)
def test_malformed_messages_are_envelope_errors(body: bytes) -> None:
    # Given a message that is not a CORE SOAP 1.2 request
    # When read / Then it is an EnvelopeError without a CORE code (answer with a SOAP Fault)
    with pytest.raises(core.EnvelopeError) as caught:
        core.read_request(body)
    assert caught.value.error_code is None


def test_external_entity_is_refused() -> None:
    # Given an XXE attempt reading a local file into the payload
    body = (
        '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _envelope(_children(Payload="&xxe;")).decode()
    ).encode()
    # When parsed / Then defusedxml refuses it before any entity is resolved
    with pytest.raises(core.EnvelopeError, match="unreadable XML"):
        core.parse_request(body)


def test_billion_laughs_is_refused_quickly() -> None:
    # Given an entity-expansion bomb
    lol = "".join(
        f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY l0 "lol">{lol}]>'
        + _envelope(_children(Payload="&l9;")).decode()
    ).encode()
    # When parsed, then it is refused as unreadable (defusedxml rejects entity declarations
    # before expanding any: the bomb never grows)
    with pytest.raises(core.EnvelopeError, match="unreadable XML"):
        core.parse_reply(body)


def test_payload_with_xml_illegal_characters_cannot_be_built(
    request_270: core.CoreRequest, token: core.UsernameToken
) -> None:
    # Given an X12 payload using a control character as a separator
    # When built / Then it is refused rather than producing invalid XML
    with pytest.raises(ValueError, match=r"XML 1\.0"):
        core.build_request(replace(request_270, payload="ISA\x1c00~"), token)


# ------------------------------------------------------------------ small pieces


def test_timestamps_are_utc_with_z() -> None:
    # Given a moment in another zone / When formatted / Then it is UTC with a Z suffix
    eastern = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    assert core.format_timestamp(eastern) == "2026-11-22T10:20:34Z"
    with pytest.raises(ValueError):
        core.format_timestamp(datetime(2026, 11, 22))
    assert core.parse_timestamp("2026-11-22T10:20:34") == MOMENT


def test_password_stays_out_of_repr(token: core.UsernameToken) -> None:
    assert "s3cr" not in repr(token)
