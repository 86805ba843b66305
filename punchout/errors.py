"""Errors the services and the outbound calls raise, for the interfaces to turn into a page,
a JSON error or an exit code.

Each carries the API error code of DESIGN.md and the HTTP status that goes with it.
"""

from __future__ import annotations

from enum import StrEnum


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


class ServiceError(Exception):
    code: str = ErrorCode.INVALID_REQUEST
    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRequest(ServiceError):
    code, http_status = ErrorCode.INVALID_REQUEST, 400


class NotFound(ServiceError):
    code, http_status = ErrorCode.NOT_FOUND, 404


class Forbidden(ServiceError):
    code, http_status = ErrorCode.FORBIDDEN, 403


class Conflict(ServiceError):
    code, http_status = ErrorCode.CONFLICT, 409

    def __init__(self, message: str, requisition_id: int | None = None):
        super().__init__(message)
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
