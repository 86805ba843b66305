"""Every error a user can cause becomes a clear page or JSON error with a 4xx, never a trace."""

from __future__ import annotations

import logging

from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import gettext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from punchout.errors import Conflict, Reason, ServiceError
from punchout.logmask import mask_tokens

log = logging.getLogger(__name__)

HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "invalid_request", 409: "conflict", 410: "not_found",
              413: "payload_too_large", 415: "invalid_request", 422: "unprocessable",
              502: "supplier_error", 503: "unavailable", 504: "supplier_timeout"}
#: Seconds a client is asked to wait when the database is away.
DATABASE_RETRY_AFTER = 5


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    accept = request.accept_mimetypes
    return best == "application/json" and accept[best] > accept["text/html"]


def error_response(status: int, code: str, message: str, *, title: str | None = None,
                   requisition_id: int | None = None):
    if wants_json():
        payload: dict[str, object] = {"error": code, "message": message}
        if requisition_id is not None:
            payload["requisition"] = requisition_id
        return jsonify(payload), status
    return render_template("error.html", status=status, title=page_title(status, title),
                           message=message, requisition_id=requisition_id), status


def page_title(status: int, given: str | None) -> str:
    """The error page's heading in the reader's language (the JSON API keeps its codes)."""
    titles = {400: gettext("The request could not be used"), 401: gettext("Log in first"),
              403: gettext("Not allowed"), 404: gettext("Not found"),
              405: gettext("Not allowed this way"), 409: gettext("Not possible now"),
              410: gettext("Expired"), 413: gettext("Too large"),
              422: gettext("Cannot be done"), 429: gettext("Too many attempts"),
              500: gettext("Internal error"),
              502: gettext("The supplier did not answer as expected"),
              503: gettext("Not available just now"),
              504: gettext("The supplier did not answer in time")}
    if status == 409 and given == "Already received":
        return gettext("Already received")
    if status == 503 and given:
        return gettext("The supplier is busy") if "supplier" in given.lower() else titles[503]
    return titles.get(status) or given or gettext("Something went wrong")


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        from punchout.web.messages import service_message

        req_id = exc.requisition_id if isinstance(exc, Conflict) else None
        # 409 is "already received" only for a basket; other refusals "cannot be done now".
        title = {409: "Already received" if exc.reason is Reason.BASKET_RECEIVED_ALREADY
                 else "Conflict", 503: "supplier busy"}.get(exc.http_status)
        message = exc.message if wants_json() else service_message(exc)
        return error_response(exc.http_status, exc.code, message, title=title,
                              requisition_id=req_id)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        message = (f"The request body is larger than the limit of {limit} bytes." if wants_json()
                   else gettext("The request is larger than the limit of %(limit)s bytes.",
                                limit=limit))
        return error_response(413, "payload_too_large", message, title="Too large")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = exc.description or exc.name
        if not wants_json() and message == type(exc).description:
            # Werkzeug's own English sentence: say the page's heading instead.
            message = page_title(status, exc.name)
        if not wants_json() and status == 429:
            message = gettext("Too many attempts in a short time. Wait a minute and try again.")
        return error_response(status, HTTP_CODES.get(status, "invalid_request"), message,
                              title=exc.name)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_away(exc: DBAPIError) -> Response:
        return database_unavailable(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if database_went_away(exc):
            return database_unavailable(exc)
        _discard_db()
        log.exception("unhandled error on %s %s", request.method, mask_tokens(request.path))
        return error_response(500, "internal_error",
                              gettext("The gateway hit an unexpected error. It was logged; try "
                                      "again or contact the administrator."),
                              title="Internal error")


#: Driver errors that mean the connection or the server is gone. They reach us unwrapped from
#: code that uses the driver directly (the COPY of punchout/persistence/bulk.py).
_DRIVER_MODULES = ("psycopg", "sqlite3")
_DRIVER_ERRORS = ("OperationalError", "InterfaceError")


def database_went_away(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return any(cls.__name__ in _DRIVER_ERRORS and cls.__module__.split(".")[0] in _DRIVER_MODULES
               for cls in type(exc).__mro__)


def _discard_db() -> None:
    """Give the request's connection back in a clean state (an aborted transaction must not
    make the error page fail too); a broken connection is dropped from the pool."""
    db = g.pop("db", None)
    if db is None:
        return
    try:
        db.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; closing is all that is left
        pass
    finally:
        db.close()


def database_unavailable(exc: Exception) -> Response:
    """503 with a page or JSON when the database is away (restarting, connections cut). The
    pool checks connections before use (``pool_pre_ping``), so the gateway recovers by itself
    once the database answers again; no restart is needed."""
    _discard_db()
    log.warning("database unavailable on %s %s: %s", request.method, mask_tokens(request.path),
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    message = ("The gateway's database is not answering right now. Nothing you sent is lost "
               "if it was acknowledged; try again in a moment.")
    if wants_json():
        response = jsonify({"error": "unavailable", "message": message})
    else:
        # A page of its own, rendered without the context processors: the usual layout and
        # Flask-Login's would ask the database who is logged in.
        page = current_app.jinja_env.get_template("unavailable.html")
        response = make_response(page.render(message=gettext(
            "The gateway's database is not answering right now. Nothing you sent is lost if it "
            "was acknowledged; try again in a moment.")))
    response.status_code = 503
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response
