"""Every error a user can cause becomes a clear page or JSON error with a 4xx, never a trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from punchout.errors import Conflict, ServiceError

log = logging.getLogger(__name__)

HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "invalid_request", 409: "conflict", 410: "not_found",
              413: "payload_too_large", 415: "invalid_request", 422: "unprocessable",
              502: "supplier_error", 504: "supplier_timeout"}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    accept = request.accept_mimetypes
    return best == "application/json" and accept[best] > accept["text/html"]


def error_response(status: int, code: str, message: str, *, title: str | None = None,
                   requisition_id: int | None = None):  # type: ignore[no-untyped-def]
    if wants_json():
        payload: dict[str, object] = {"error": code, "message": message}
        if requisition_id is not None:
            payload["requisition"] = requisition_id
        return jsonify(payload), status
    return render_template("error.html", status=status, title=title or "Something went wrong",
                           message=message, requisition_id=requisition_id), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):  # type: ignore[no-untyped-def]
        req_id = exc.requisition_id if isinstance(exc, Conflict) else None
        titles = {409: "Already received", 410: "Expired", 413: "Too large",
                  502: "The supplier did not answer as expected",
                  503: "The supplier is busy",
                  504: "The supplier did not answer in time"}
        return error_response(exc.http_status, exc.code, exc.message,
                              title=titles.get(exc.http_status), requisition_id=req_id)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(413, "payload_too_large",
                              f"The request body is larger than the limit of {limit} bytes.",
                              title="Too large")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        return error_response(status, HTTP_CODES.get(status, "invalid_request"),
                              exc.description or exc.name, title=exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error",
                              "The gateway hit an unexpected error. It was logged; try again "
                              "or contact the administrator.", title="Internal error")
