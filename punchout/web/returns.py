"""Where the supplier's shop sends the buyer's browser back with the basket.

Cross-site and CSRF-exempt: the signed token in the path (and the BuyerCookie in the basket)
authenticate the post, never the login cookie. The raw body is read here, before any form
parsing, so that it can be archived exactly as received, even when it is too large. The token
is checked first: a post without a valid one has only an excerpt read (and archived).
"""

from __future__ import annotations

import sys

from flask import Blueprint, redirect, request, url_for

from punchout.services import archive, punchout_flow
from punchout.services.return_link import RETURN_PATH
from punchout.services.signing import TokenInvalid
from punchout.web.db import gateway, get_db
from punchout.web.security import RETURN_FAILURES, limiter, refused

bp = Blueprint("returns", __name__)

#: How much of a body over PUNCHOUT_MAX_BODY is kept in the archive.
OVERSIZE_ARCHIVE_CAP = 1024 * 1024


def _read_excerpt() -> bytes:
    """The start of a body that carries no valid token; the rest is never read."""
    if request.method == "GET":
        return request.query_string[:archive.REFUSED_EXCERPT_BYTES]
    request.max_content_length = sys.maxsize  # our answer is the token's, not a 413
    return request.stream.read(archive.REFUSED_EXCERPT_BYTES)


def _read_body(limit: int) -> tuple[bytes, bool, int | None]:
    """(body, too_large, declared size). Reads at most ``limit`` + 1 bytes."""
    if request.method == "GET":
        return request.query_string, False, None
    declared = request.content_length
    # We enforce the limit ourselves, after archiving. (None would fall back to the app's
    # MAX_CONTENT_LENGTH, and Werkzeug would refuse before anything is archived.)
    request.max_content_length = sys.maxsize
    if declared is not None and declared > limit:
        return request.stream.read(OVERSIZE_ARCHIVE_CAP), True, declared
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        return body[:OVERSIZE_ARCHIVE_CAP], True, None
    return body, False, None


def _token_is_genuine() -> bool:
    """A post whose token carries our signature is never rate-limited (a basket must not be
    lost); the others count against the sender's address."""
    try:
        gateway().signer.loads(str((request.view_args or {}).get("token", "")),
                               max_age=gateway().settings.session_ttl)
    except TokenInvalid:
        return False
    return True


@bp.route(RETURN_PATH + "<token>", methods=["POST", "GET"])
@limiter.limit(RETURN_FAILURES, deduct_when=refused, exempt_when=_token_is_genuine,
               scope="return-refused")
def basket_return(token: str):
    gw = gateway()
    try:
        punchout_flow.session_for_token(gw, get_db(), token)
    except punchout_flow.TokenRefused:
        body, too_large, declared = _read_excerpt(), False, request.content_length
    else:
        body, too_large, declared = _read_body(gw.settings.max_body)
    content_type = request.content_type
    if request.method == "GET":
        content_type = "application/x-www-form-urlencoded"
    result = punchout_flow.receive_return(
        gw, get_db(), token=token, body=body, content_type=content_type,
        remote_addr=request.remote_addr, too_large=too_large, full_size=declared,
    )
    target = punchout_flow.redirect_target(result.session, result.outcome, result.requisition_id)
    if target is None:
        if result.requisition_id is not None:
            # The browser arrives here cross-site, without the login cookie: a flash would
            # land in a new, logged-out session. The next (same-site) GET shows it instead.
            target = url_for("buyer.requisition", req_id=result.requisition_id,
                             returned=result.outcome)
        else:
            target = url_for("buyer.session_page", session_id=result.session.id)
    return redirect(target, code=303)
