"""Errors the services and the outbound calls raise, for the interfaces to turn into a page,
a JSON error or an exit code.

Each carries the API error code of DESIGN.md and the HTTP status that goes with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class InvalidInput(ValueError):
    """Input from outside that a codec cannot accept: the one base of every codec's errors.

    cXML, OCI, the JSON basket, form bodies, XML and assortment files each raise a subclass, so
    an interface can catch "the input is bad" (a 4xx, exit code 3) in one ``except`` without
    knowing the codec. ``location`` says where (an XPath, a field name, a JSON path, a row, a
    line), ``spec`` which specification the rule comes from; both may be unknown (None).
    """

    location: str | None = None
    spec: str | None = None


class ErrorCode(StrEnum):
    """The ``error`` of every JSON error answer (DESIGN.md, HTTP); the OpenAPI enum is this."""

    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNPROCESSABLE = "unprocessable"
    SUPPLIER_ERROR = "supplier_error"
    SUPPLIER_BUSY = "supplier_busy"
    SUPPLIER_TIMEOUT = "supplier_timeout"


class Reason(StrEnum):
    """What a refusal is about, for a reader in another language than the API's English.

    A service raises its error with the exact English ``message`` (what the JSON API and the CLI
    say, unchanged) and, where a person may read it on a page, a ``reason`` with the values the
    sentence needs (``params``). The web layer turns the reason into a sentence in the reader's
    language (``punchout/web/messages.py``, the one mapping); services import no Flask-Babel.
    """

    ROLE_NEEDED = "role_needed"
    NOT_OWN_REQUISITION = "not_own_requisition"
    OWN_REQUISITION = "own_requisition"
    WRONG_STATUS = "wrong_status"
    NEVER_ORDERABLE = "never_orderable"
    NOTHING_ORDERABLE = "nothing_orderable"
    NO_DECISION_GIVEN = "no_decision_given"
    NOT_FLAGGED = "not_flagged"
    UNDECIDED_LINES = "undecided_lines"
    NOTHING_LEFT_TO_ORDER = "nothing_left_to_order"
    NOTE_NOT_TEXT = "note_not_text"
    REQUISITION_NOT_FOUND = "requisition_not_found"
    DELIVERY_NOT_DRAFT = "delivery_not_draft"
    DELIVERY_FIELD_TOO_LONG = "delivery_field_too_long"
    DELIVERY_COUNTRY = "delivery_country"
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_NOT_FAILED = "order_not_failed"
    AGREEMENT_REFERENCE = "agreement_reference"
    AGREEMENT_CURRENCY = "agreement_currency"
    AGREEMENT_ENDS_BEFORE_START = "agreement_ends_before_start"
    AGREEMENT_TOLERANCE = "agreement_tolerance"
    AGREEMENT_POLICY = "agreement_policy"
    AGREEMENT_UNSPSC = "agreement_unspsc"
    AGREEMENT_EXISTS = "agreement_exists"
    AGREEMENT_NOT_FOUND = "agreement_not_found"
    AGREEMENT_NOT_WITH_SUPPLIER = "agreement_not_with_supplier"
    NO_AGREEMENT = "no_agreement"
    NO_AGREEMENT_VALID = "no_agreement_valid"
    SEVERAL_AGREEMENTS_VALID = "several_agreements_valid"
    ORDER_CHANNEL = "order_channel"
    ORDER_URL = "order_url"
    ORDER_EMAIL = "order_email"
    PEPPOL_ID = "peppol_id"
    CXML_CHANNEL_NEEDS_CXML = "cxml_channel_needs_cxml"
    CHANNEL_NEEDS_URL = "channel_needs_url"
    CHANNEL_NEEDS_EMAIL = "channel_needs_email"
    CHANNEL_NEEDS_PEPPOL_ID = "channel_needs_peppol_id"
    SUPPLIER_NOT_FOUND = "supplier_not_found"
    PROTOCOL_NOT_STARTABLE = "protocol_not_startable"
    REQUISITION_NOT_FROM_SUPPLIER = "requisition_not_from_supplier"
    OPERATION_NOT_ALLOWED = "operation_not_allowed"
    ONLY_DRAFT_EDITED = "only_draft_edited"
    STAYS_WITH_AGREEMENT = "stays_with_agreement"
    BASKET_RECEIVED_ALREADY = "basket_received_already"
    BASKET_TOO_LARGE = "basket_too_large"
    BASKET_UNREADABLE = "basket_unreadable"
    BASKET_NOT_OF_SESSION = "basket_not_of_session"
    SESSION_ENDED = "session_ended"
    SESSION_EXPIRED = "session_expired"
    SHOP_LINK_EXPIRED = "shop_link_expired"
    SHOP_LINK_INVALID = "shop_link_invalid"
    SHOP_LINK_USED = "shop_link_used"
    SHOP_RETURNED_NOTHING = "shop_returned_nothing"
    PERIOD_DATE = "period_date"
    PERIOD_YEARS = "period_years"
    PERIOD_REVERSED = "period_reversed"
    PERIOD_TOO_LONG = "period_too_long"
    STATISTICS_GROUP = "statistics_group"


class ServiceError(Exception):
    code: str = ErrorCode.INVALID_REQUEST
    http_status = 400

    def __init__(self, message: str, *, reason: Reason | None = None,
                 params: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        #: For pages: what the refusal is about and its values (see :class:`Reason`).
        self.reason = reason
        self.params: Mapping[str, Any] = params or {}


class InvalidRequest(ServiceError):
    code, http_status = ErrorCode.INVALID_REQUEST, 400


class NotFound(ServiceError):
    code, http_status = ErrorCode.NOT_FOUND, 404


class Forbidden(ServiceError):
    code, http_status = ErrorCode.FORBIDDEN, 403


class Conflict(ServiceError):
    code, http_status = ErrorCode.CONFLICT, 409

    def __init__(self, message: str, requisition_id: int | None = None, *,
                 reason: Reason | None = None, params: Mapping[str, Any] | None = None):
        super().__init__(message, reason=reason, params=params)
        self.requisition_id = requisition_id


class Unprocessable(ServiceError):
    code, http_status = ErrorCode.UNPROCESSABLE, 422


class Gone(ServiceError):
    """An expired punch-out session or return link (410 on pages; 404-like for the API)."""

    code, http_status = ErrorCode.NOT_FOUND, 410


class PayloadTooLarge(ServiceError):
    code, http_status = ErrorCode.PAYLOAD_TOO_LARGE, 413


class SupplierError(ServiceError):
    """The supplier's endpoint did something other than a good answer.

    ``kind`` says what: ``timeout``, ``unreachable``, ``blocked``, ``http_status``,
    ``cxml_status``, ``garbage``, ``no_start_page``, ``busy`` (too many calls to this supplier
    are already waiting in this process: 503 ``supplier_busy``, try again).
    """

    code, http_status = ErrorCode.SUPPLIER_ERROR, 502

    def __init__(self, kind: str, message: str, *, supplier_status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.supplier_status = supplier_status
        if kind == "timeout":
            self.code, self.http_status = ErrorCode.SUPPLIER_TIMEOUT, 504
        elif kind == "busy":
            # Our own cap on concurrent calls to one supplier (net/supplier_slots.py).
            self.code, self.http_status = ErrorCode.SUPPLIER_BUSY, 503
