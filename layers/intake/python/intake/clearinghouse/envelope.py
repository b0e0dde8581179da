"""CAQH CORE Connectivity Rule vC2.2.0 real-time SOAP 1.2 envelope: build and parse.

Both our client and the local sandbox server use this module, so the wire format is defined once.
The X12 payload is opaque text here. Incoming XML is untrusted: it is parsed with ``defusedxml``
and any DTD is refused (SOAP 1.2 forbids them, and they carry XXE / entity-expansion attacks).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET  # types and ParseError only; parsing is defused
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
CORE_NS = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
CORE_RULE_VERSION = "2.2.0"
REAL_TIME = "RealTime"
SOAP_ACTION = "RealTimeTransaction"
SOAP_CONTENT_TYPE = f'application/soap+xml; charset=utf-8; action="{SOAP_ACTION}"'
REQUEST_ELEMENT = "COREEnvelopeRealTimeRequest"
RESPONSE_ELEMENT = "COREEnvelopeRealTimeResponse"

# XML 1.0 cannot carry these; an X12 file using e.g. \x1c as a separator must be rejected early.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class PayloadType(StrEnum):
    """CORE payload types we exchange; other strings pass through as opaque types."""

    X12_270_REQUEST = "X12_270_Request_005010X279A1"
    X12_271_RESPONSE = "X12_271_Response_005010X279A1"
    X12_278_REQUEST = "X12_278_Request_005010X217E1_2"
    X12_278_RESPONSE = "X12_278_Response_005010X217E1_2"


RESPONSE_TYPE_FOR: Mapping[str, str] = MappingProxyType(
    {
        PayloadType.X12_270_REQUEST: PayloadType.X12_271_RESPONSE,
        PayloadType.X12_278_REQUEST: PayloadType.X12_278_RESPONSE,
    }
)


class CoreErrorCode(StrEnum):
    """Envelope-level outcomes (CORE ErrorCode). ``<Field>Required`` codes are built on the fly."""

    SUCCESS = "Success"
    UNAUTHORIZED = "Unauthorized"
    SENDER_ID_NOT_AUTHORIZED = "SenderIDNotAuthorized"
    PAYLOAD_TYPE_NOT_SUPPORTED = "PayloadTypeNotSupported"
    PROCESSING_MODE_NOT_SUPPORTED = "ProcessingModeNotSupported"
    PAYLOAD_ID_ILLEGAL = "PayloadIDIllegal"
    TIMESTAMP_ILLEGAL = "TimeStampIllegal"
    VERSION_MISMATCH = "VersionMismatch"


_REQUEST_FIELDS = (
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
    "Payload",
)
_RESPONSE_FIELDS = (*_REQUEST_FIELDS, "ErrorCode", "ErrorMessage")


class EnvelopeError(ValueError):
    """The message is not a valid CORE envelope.

    ``error_code`` is the CORE ErrorCode to answer with when the CORE element itself was found
    but is faulty; ``None`` means it is not a CORE SOAP message at all (answer with a SOAP Fault).
    ``fields`` holds whatever envelope metadata could be read, so an error reply can echo it.
    """

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.fields: Mapping[str, str] = MappingProxyType(dict(fields or {}))


@dataclass(frozen=True)
class UsernameToken:
    """WS-Security UsernameToken (PasswordText); the password is kept out of repr and logs."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class CoreRequest:
    payload_type: str
    payload_id: str
    timestamp: datetime
    sender_id: str
    receiver_id: str
    payload: str
    processing_mode: str = REAL_TIME
    core_rule_version: str = CORE_RULE_VERSION


@dataclass(frozen=True)
class CoreResponse:
    """A CORE reply. On errors the metadata may be blank: servers echo only what they could read."""

    payload_type: str
    payload_id: str
    timestamp: datetime | None
    sender_id: str
    receiver_id: str
    payload: str
    error_code: str
    error_message: str
    processing_mode: str = REAL_TIME
    core_rule_version: str = CORE_RULE_VERSION

    @property
    def ok(self) -> bool:
        return self.error_code == CoreErrorCode.SUCCESS


@dataclass(frozen=True)
class SoapFault:
    """SOAP 1.2 Fault: ``code`` is the local part of Code/Value (``Sender`` or ``Receiver``)."""

    code: str
    reason: str


@dataclass(frozen=True)
class RawRequest:
    """A request read but not yet validated: servers authenticate before judging the fields."""

    token: UsernameToken | None
    fields: Mapping[str, str]


def new_payload_id() -> str:
    """A fresh PayloadID (ISO UUID, hexadecimal notation)."""
    return str(uuid.uuid4())


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix and whole seconds, e.g. ``2026-11-22T10:20:34Z``."""
    if moment.tzinfo is None:
        raise ValueError("CORE timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Read an XML dateTime; a missing zone is taken as UTC (some senders omit it)."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --------------------------------------------------------------------------- building


def build_request(request: CoreRequest, token: UsernameToken) -> bytes:
    """Serialize a real-time request with its WS-Security UsernameToken header."""
    header = (
        f'<wsse:Security xmlns:wsse="{WSSE_NS}" soap:mustUnderstand="true">'
        "<wsse:UsernameToken>"
        f"<wsse:Username>{_text(token.username)}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_TEXT}">{_text(token.password)}</wsse:Password>'
        "</wsse:UsernameToken></wsse:Security>"
    )
    values = {
        "PayloadType": request.payload_type,
        "ProcessingMode": request.processing_mode,
        "PayloadID": request.payload_id,
        "TimeStamp": format_timestamp(request.timestamp),
        "SenderID": request.sender_id,
        "ReceiverID": request.receiver_id,
        "CORERuleVersion": request.core_rule_version,
        "Payload": request.payload,
    }
    return _soap(header, _core_element(REQUEST_ELEMENT, values, _REQUEST_FIELDS))


def build_response(response: CoreResponse) -> bytes:
    """Serialize a real-time response (used by the sandbox server)."""
    values = {
        "PayloadType": response.payload_type,
        "ProcessingMode": response.processing_mode,
        "PayloadID": response.payload_id,
        "TimeStamp": format_timestamp(response.timestamp) if response.timestamp else "",
        "SenderID": response.sender_id,
        "ReceiverID": response.receiver_id,
        "CORERuleVersion": response.core_rule_version,
        "Payload": response.payload,
        "ErrorCode": response.error_code,
        "ErrorMessage": response.error_message,
    }
    return _soap("", _core_element(RESPONSE_ELEMENT, values, _RESPONSE_FIELDS))


def build_fault(fault: SoapFault) -> bytes:
    """Serialize a SOAP 1.2 Fault (for messages too broken to answer with a CORE envelope)."""
    body = (
        "<soap:Fault>"
        f"<soap:Code><soap:Value>soap:{_text(fault.code)}</soap:Value></soap:Code>"
        f'<soap:Reason><soap:Text xml:lang="en">{_text(fault.reason)}</soap:Text></soap:Reason>'
        "</soap:Fault>"
    )
    return _soap("", body)


def _soap(header: str, body: str) -> bytes:
    head = f"<soap:Header>{header}</soap:Header>" if header else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP12_NS}">{head}<soap:Body>{body}</soap:Body>'
        "</soap:Envelope>"
    ).encode()


def _core_element(name: str, values: Mapping[str, str], order: tuple[str, ...]) -> str:
    # Children are unqualified, as in the CORE XSD examples and real clearinghouse traffic.
    inner = "".join(f"<{key}>{_text(values[key])}</{key}>" for key in order)
    return f'<cor:{name} xmlns:cor="{CORE_NS}">{inner}</cor:{name}>'


def _text(value: str) -> str:
    if _XML_ILLEGAL.search(value):
        raise ValueError("value contains characters XML 1.0 cannot carry")
    return escape(value, {'"': "&quot;"})


# --------------------------------------------------------------------------- parsing


def read_request(body: bytes) -> RawRequest:
    """Read the UsernameToken and CORE request fields without judging the fields."""
    header, element = _soap_parts(body)
    if element.tag != f"{{{CORE_NS}}}{REQUEST_ELEMENT}":
        raise EnvelopeError(f"SOAP Body does not hold a CORE {REQUEST_ELEMENT}")
    return RawRequest(token=_username_token(header), fields=_core_fields(element))


def validate_request(fields: Mapping[str, str]) -> CoreRequest:
    """Apply the CORE metadata rules; raises :class:`EnvelopeError` with the CORE ErrorCode."""
    for name in _REQUEST_FIELDS:
        if not fields.get(name):
            raise EnvelopeError(f"{name} is required", error_code=f"{name}Required", fields=fields)
    if fields["ProcessingMode"] != REAL_TIME:
        raise EnvelopeError(
            "only RealTime is supported here",
            error_code=CoreErrorCode.PROCESSING_MODE_NOT_SUPPORTED,
            fields=fields,
        )
    if fields["CORERuleVersion"] != CORE_RULE_VERSION:
        raise EnvelopeError(
            f"CORERuleVersion must be {CORE_RULE_VERSION}",
            error_code=CoreErrorCode.VERSION_MISMATCH,
            fields=fields,
        )
    try:
        uuid.UUID(fields["PayloadID"])
    except ValueError:
        raise EnvelopeError(
            "PayloadID is not a UUID", error_code=CoreErrorCode.PAYLOAD_ID_ILLEGAL, fields=fields
        ) from None
    return CoreRequest(
        payload_type=fields["PayloadType"],
        payload_id=fields["PayloadID"],
        timestamp=_timestamp_field(fields),
        sender_id=fields["SenderID"],
        receiver_id=fields["ReceiverID"],
        payload=fields["Payload"],
        processing_mode=fields["ProcessingMode"],
        core_rule_version=fields["CORERuleVersion"],
    )


def _timestamp_field(fields: Mapping[str, str]) -> datetime:
    """The envelope's TimeStamp, or the CORE error for one that is not an ISO 8601 dateTime."""
    try:
        return parse_timestamp(fields["TimeStamp"])
    except ValueError:
        raise EnvelopeError(
            "TimeStamp is not an ISO 8601 dateTime",
            error_code=CoreErrorCode.TIMESTAMP_ILLEGAL,
            fields=fields,
        ) from None


def parse_request(body: bytes) -> tuple[UsernameToken | None, CoreRequest]:
    """Read and validate a request in one step."""
    raw = read_request(body)
    return raw.token, validate_request(raw.fields)


def parse_reply(body: bytes) -> CoreResponse | SoapFault:
    """Read a server reply: a CORE response envelope, or a SOAP Fault.

    A ``Success`` response must carry its payload and identifiers; an error response need only
    carry ErrorCode, because servers cannot echo metadata they failed to read.
    """
    _, element = _soap_parts(body)
    if element.tag == f"{{{SOAP12_NS}}}Fault":
        return _fault(element)
    if element.tag != f"{{{CORE_NS}}}{RESPONSE_ELEMENT}":
        raise EnvelopeError(f"SOAP Body holds neither a Fault nor a CORE {RESPONSE_ELEMENT}")
    fields = _core_fields(element)
    required: tuple[str, ...] = ("ErrorCode",)
    if fields.get("ErrorCode") == CoreErrorCode.SUCCESS:
        required = ("ErrorCode", "PayloadType", "PayloadID", "CORERuleVersion", "Payload")
    for name in required:
        if not fields.get(name):
            raise EnvelopeError(f"{name} is required", error_code=f"{name}Required", fields=fields)
    return CoreResponse(
        payload_type=fields.get("PayloadType", ""),
        payload_id=fields.get("PayloadID", ""),
        timestamp=_timestamp_field(fields) if fields.get("TimeStamp") else None,
        sender_id=fields.get("SenderID", ""),
        receiver_id=fields.get("ReceiverID", ""),
        payload=fields.get("Payload", ""),
        error_code=fields["ErrorCode"],
        error_message=fields.get("ErrorMessage", ""),
        processing_mode=fields.get("ProcessingMode", ""),
        core_rule_version=fields.get("CORERuleVersion", ""),
    )


def _soap_parts(body: bytes) -> tuple[ET.Element | None, ET.Element]:
    try:
        root = _defused_fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (ET.ParseError, DefusedXmlException) as exc:
        # Only the exception class: the message could quote payload text.
        raise EnvelopeError(f"unreadable XML ({type(exc).__name__})") from None
    if root.tag != f"{{{SOAP12_NS}}}Envelope":
        raise EnvelopeError("not a SOAP 1.2 Envelope")
    header = root.find(f"{{{SOAP12_NS}}}Header")
    soap_body = root.find(f"{{{SOAP12_NS}}}Body")
    if soap_body is None or len(soap_body) != 1:
        raise EnvelopeError("SOAP Body must hold exactly one element")
    return header, soap_body[0]


def _core_fields(element: ET.Element) -> dict[str, str]:
    # Accept children qualified with the CORE namespace or unqualified: both occur in the wild.
    fields: dict[str, str] = {}
    for child in element:
        namespace, _, name = child.tag.rpartition("}")
        if namespace not in ("", f"{{{CORE_NS}"):
            continue
        fields.setdefault(name, "".join(child.itertext()).strip())
    return fields


def _username_token(header: ET.Element | None) -> UsernameToken | None:
    if header is None:
        return None
    token = header.find(f"{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
    if token is None:
        return None
    username = token.find(f"{{{WSSE_NS}}}Username")
    password = token.find(f"{{{WSSE_NS}}}Password")
    if username is None or password is None:
        return None
    if password.get("Type", PASSWORD_TEXT) != PASSWORD_TEXT:
        return None  # digests are not part of CORE vC2.2.0 UsernameToken authentication
    return UsernameToken(username=(username.text or "").strip(), password=password.text or "")


def _fault(element: ET.Element) -> SoapFault:
    value = element.findtext(f"{{{SOAP12_NS}}}Code/{{{SOAP12_NS}}}Value", default="")
    reason = element.findtext(f"{{{SOAP12_NS}}}Reason/{{{SOAP12_NS}}}Text", default="")
    return SoapFault(code=value.strip().rpartition(":")[2], reason=reason.strip())
