"""Errors the services and the outbound calls raise, for the interfaces to turn into a page,
a JSON error or an exit code.

Each carries the API error code of DESIGN.md and the HTTP status that goes with it.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input from outside that a codec cannot accept: the one base of every codec's errors.

    cXML, OCI, the JSON basket, form bodies, XML and assortment files each raise a subclass, so
    an interface can catch "the input is bad" (a 4xx, exit code 3) in one ``except`` without
    knowing the codec. ``location`` says where (an XPath, a field name, a JSON path, a row, a
    line), ``spec`` which specification the rule comes from; both may be unknown (None).
    """

    location: str | None = None
    spec: str | None = None


class ServiceError(Exception):
    code = "invalid_request"
    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRequest(ServiceError):
    code, http_status = "invalid_request", 400


class NotFound(ServiceError):
    code, http_status = "not_found", 404


class Forbidden(ServiceError):
    code, http_status = "forbidden", 403


class Conflict(ServiceError):
    code, http_status = "conflict", 409

    def __init__(self, message: str, requisition_id: int | None = None):
        super().__init__(message)
        self.requisition_id = requisition_id


class Unprocessable(ServiceError):
    code, http_status = "unprocessable", 422


class Gone(ServiceError):
    """An expired punch-out session or return link (410 on pages; 404-like for the API)."""

    code, http_status = "not_found", 410


class PayloadTooLarge(ServiceError):
    code, http_status = "payload_too_large", 413


class SupplierError(ServiceError):
    """The supplier's endpoint did something other than a good answer.

    ``kind`` says what: ``timeout``, ``unreachable``, ``blocked``, ``http_status``,
    ``cxml_status``, ``garbage``, ``no_start_page``, ``busy`` (too many calls to this supplier
    are already waiting in this process: 503 ``supplier_busy``, try again).
    """

    code, http_status = "supplier_error", 502

    def __init__(self, kind: str, message: str, *, supplier_status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.supplier_status = supplier_status
        if kind == "timeout":
            self.code, self.http_status = "supplier_timeout", 504
        elif kind == "busy":
            # Our own cap on concurrent calls to one supplier (net/supplier_slots.py).
            self.code, self.http_status = "supplier_busy", 503
