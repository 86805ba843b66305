"""The registry: every check of the suite, in report order, with its stable id and severity.

An id never changes meaning once released; a new check gets a new id. The report lists the
results in the order of :data:`CHECKS`.

Severity: ``required`` where a buyer breaks or is put at risk without it. ``recommended`` where
buyers cope: the XML Content-Type (lenient buyers parse the body whatever it is labelled; strict
ones refuse it, hence the recommendation), a single-use StartPage (a reused link is a
leak, not a break), edit and inspect (the buyer can still punch out afresh), the OCI UNSPSC
code (the gateway works without one) and the optional OCI functions VALIDATE and DETAIL.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from punchout.certify.model import Check, Protocol, Severity

_R = Severity.REQUIRED
_REC = Severity.RECOMMENDED
_X = Protocol.CXML
_O = Protocol.OCI
_P = Protocol.PEPPOL

# --- cXML: the setup request ------------------------------------------------------------------
CXML_SETUP_CREATE = Check(
    "cxml.setup.create",
    "Setup request (create) gets HTTP 200, cXML Status 200 and an absolute http(s) StartPage URL",
    _R, _X)
CXML_SETUP_RESPONSE_TIME = Check(
    "cxml.setup.response_time", "Setup request is answered within the time limit", _R, _X)
CXML_SETUP_CONTENT_TYPE = Check(
    "cxml.setup.content_type",
    "Setup answer is sent as XML (Content-Type text/xml or application/xml)", _REC, _X)
CXML_SETUP_ENVELOPE = Check(
    "cxml.setup.envelope",
    "Setup answer envelope is sane (payloadID, timestamp with time zone, version not above the "
    "DOCTYPE's)", _R, _X)
CXML_SETUP_DTD = Check(
    "cxml.setup.dtd", "Setup answer validates against the given cXML DTD", _R, _X)
CXML_STARTPAGE_LOADS = Check(
    "cxml.startpage.loads",
    "StartPage opens in a browser (redirects on the supplier's hosts, cookies kept; 200, HTML)",
    _R, _X)
CXML_STARTPAGE_SINGLE_USE = Check(
    "cxml.startpage.single_use", "StartPage works only once", _REC, _X)
CXML_SETUP_WRONG_SECRET = Check(
    "cxml.setup.wrong_secret", "A wrong shared secret is refused with a cXML 4xx status", _R, _X)
CXML_SETUP_UNKNOWN_IDENTITY = Check(
    "cxml.setup.unknown_identity", "An unknown buyer identity is refused with a cXML 4xx status",
    _R, _X)
CXML_SETUP_MALFORMED = Check(
    "cxml.setup.malformed",
    "Malformed XML is refused (HTTP 4xx, or cXML 400/406 inside HTTP 200)", _R, _X)
CXML_SETUP_EDIT = Check(
    "cxml.setup.edit", "Setup request (edit) with ItemOut lines is answered with a StartPage",
    _REC, _X)
CXML_SETUP_INSPECT = Check(
    "cxml.setup.inspect", "Setup request (inspect) with ItemOut lines is answered with a StartPage",
    _REC, _X)

# --- cXML: the return leg (the basket) --------------------------------------------------------
CXML_BASKET_RECEIVED = Check(
    "cxml.basket.received", "A basket arrives at the BrowserFormPost URL", _R, _X)
CXML_BASKET_ENCODING = Check(
    "cxml.basket.encoding",
    "Basket is posted in a cxml-base64 or cxml-urlencoded form field", _R, _X)
CXML_BASKET_PARSE = Check(
    "cxml.basket.parse", "Basket is a PunchOutOrderMessage the gateway can read", _R, _X)
CXML_BASKET_ENVELOPE = Check(
    "cxml.basket.envelope",
    "Basket envelope is sane (payloadID, timestamp with time zone, version not above the "
    "DOCTYPE's)", _R, _X)
CXML_BASKET_DTD = Check(
    "cxml.basket.dtd", "Basket validates against the given cXML DTD", _R, _X)
CXML_BASKET_BUYER_COOKIE = Check(
    "cxml.basket.buyer_cookie", "BuyerCookie is echoed exactly", _R, _X)
CXML_BASKET_OPERATION_ALLOWED = Check(
    "cxml.basket.operation_allowed",
    "The basket says what the buyer may do with it (operationAllowed)", _R, _X)
CXML_BASKET_ITEM_IDS = Check(
    "cxml.basket.item_ids", "Every ItemIn has a SupplierPartID", _R, _X)
CXML_BASKET_CURRENCY = Check(
    "cxml.basket.currency", "Every price and the Total carry an ISO 4217 currency", _R, _X)
CXML_BASKET_ONE_CURRENCY = Check(
    "cxml.basket.one_currency", "The basket uses one currency", _R, _X)
CXML_BASKET_DESCRIPTION = Check(
    "cxml.basket.description", "Every item has a Description with xml:lang", _R, _X)
CXML_BASKET_UNIT = Check(
    "cxml.basket.unit",
    "Every UnitOfMeasure is a UN/ECE Rec 20 code (Rec 21 packages as X..)", _R, _X)
CXML_BASKET_CLASSIFICATION = Check(
    "cxml.basket.classification", "Every item has an 8-digit UNSPSC classification", _R, _X)
CXML_BASKET_QUANTITY = Check(
    "cxml.basket.quantity", "Every quantity is a positive number", _R, _X)
CXML_BASKET_TOTAL = Check(
    "cxml.basket.total",
    "Total equals the sum of the lines to the öre (PriceBasisQuantity applied)", _R, _X)
CXML_BASKET_AGREEMENT = Check(
    "cxml.basket.agreement", "Every line passes the agreement check", _R, _X)

# --- OCI -------------------------------------------------------------------------------------
OCI_CALL_POST = Check(
    "oci.call.post", "The shop opens on an OCI call sent by POST", _R, _O)
OCI_CALL_GET = Check(
    "oci.call.get", "The shop opens on an OCI call sent by GET (when configured)", _R, _O)
OCI_CALL_WRONG_PASSWORD = Check(
    "oci.call.wrong_password", "A wrong password opens no shop", _R, _O)
OCI_BASKET_RECEIVED = Check(
    "oci.basket.received", "A basket of NEW_ITEM fields arrives at HOOK_URL", _R, _O)
OCI_RETURN_HOOK = Check(
    "oci.return.hook",
    "Basket form goes to HOOK_URL without its query and echoes ~OkCode, ~TARGET, ~CALLER",
    _R, _O)
OCI_BASKET_LENGTHS = Check(
    "oci.basket.lengths", "Every NEW_ITEM field is within its OCI length", _R, _O)
OCI_BASKET_REQUIRED_FIELDS = Check(
    "oci.basket.required_fields", "Every item has the required NEW_ITEM fields", _R, _O)
OCI_BASKET_NUMBERS = Check(
    "oci.basket.numbers",
    "Numbers are in OCI format ('.' decimal point, up to 11+3 digits, no separators)", _R, _O)
OCI_BASKET_UNITS = Check(
    "oci.basket.units", "Every UNIT is a UN/ECE Rec 20 code", _R, _O)
OCI_BASKET_CURRENCY = Check(
    "oci.basket.currency", "Every CURRENCY is an ISO 4217 code", _R, _O)
OCI_BASKET_CHARSET = Check(
    "oci.basket.charset", "Basket is in the charset asked for (http_content_charset)", _R, _O)
OCI_BASKET_TARGET = Check(
    "oci.basket.target", "Basket form's target is the returntarget asked for", _R, _O)
OCI_BASKET_CLASSIFICATION = Check(
    "oci.basket.classification",
    "Every item has an 8-digit UNSPSC code (EXT_CATEGORY_ID or MATGROUP)", _REC, _O)
OCI_BASKET_AGREEMENT = Check(
    "oci.basket.agreement", "Every line passes the agreement check", _R, _O)
OCI_FUNCTION_VALIDATE = Check(
    "oci.function.validate", "FUNCTION=VALIDATE returns the product's current data", _REC, _O)
OCI_FUNCTION_DETAIL = Check(
    "oci.function.detail", "FUNCTION=DETAIL shows the product", _REC, _O)

# --- Peppol BIS Punch Out 3 (started like OCI) -------------------------------------------------
PEPPOL_CALL_POST = Check(
    "peppol.call.post",
    "The shop opens on a call sent by POST (login parameters and HOOK_URL, as for OCI)", _R, _P)
PEPPOL_CALL_WRONG_PASSWORD = Check(
    "peppol.call.wrong_password", "A wrong password opens no shop", _R, _P)
PEPPOL_BASKET_RECEIVED = Check(
    "peppol.basket.received",
    "A Punch Out 3 cart (UBL Catalogue) arrives at HOOK_URL (peppol-base64, peppol-urlencoded "
    "or the body)", _R, _P)
PEPPOL_RETURN_HOOK = Check(
    "peppol.return.hook", "Cart form goes to HOOK_URL without its query", _R, _P)
PEPPOL_BASKET_STRUCTURE = Check(
    "peppol.basket.structure",
    "Cart has the BIS's mandatory elements, in UBL's order, with their schemeID, unitCode, "
    "listID and currencyID", _R, _P)
PEPPOL_BASKET_RULES = Check(
    "peppol.basket.rules",
    "Cart passes the Peppol BIS T77 business rules (PEPPOL-T77-R001 to R010, PEPPOL-COMMON "
    "R001, R030, R040, R049)", _R, _P)
PEPPOL_BASKET_AGREEMENT = Check(
    "peppol.basket.agreement", "Every line passes the agreement check", _R, _P)
PEPPOL_BASKET_CONTRACT = Check(
    "peppol.basket.contract",
    "The cart names the agreement (ReferencedContract) and flags as contracted (CT) only "
    "articles the agreement holds", _R, _P)

#: Every check, in report order.
CHECKS: tuple[Check, ...] = (
    CXML_SETUP_CREATE,
    CXML_SETUP_RESPONSE_TIME,
    CXML_SETUP_CONTENT_TYPE,
    CXML_SETUP_ENVELOPE,
    CXML_SETUP_DTD,
    CXML_STARTPAGE_LOADS,
    CXML_STARTPAGE_SINGLE_USE,
    CXML_SETUP_WRONG_SECRET,
    CXML_SETUP_UNKNOWN_IDENTITY,
    CXML_SETUP_MALFORMED,
    CXML_SETUP_EDIT,
    CXML_SETUP_INSPECT,
    CXML_BASKET_RECEIVED,
    CXML_BASKET_ENCODING,
    CXML_BASKET_PARSE,
    CXML_BASKET_ENVELOPE,
    CXML_BASKET_DTD,
    CXML_BASKET_BUYER_COOKIE,
    CXML_BASKET_OPERATION_ALLOWED,
    CXML_BASKET_ITEM_IDS,
    CXML_BASKET_CURRENCY,
    CXML_BASKET_ONE_CURRENCY,
    CXML_BASKET_DESCRIPTION,
    CXML_BASKET_UNIT,
    CXML_BASKET_CLASSIFICATION,
    CXML_BASKET_QUANTITY,
    CXML_BASKET_TOTAL,
    CXML_BASKET_AGREEMENT,
    OCI_CALL_POST,
    OCI_CALL_GET,
    OCI_CALL_WRONG_PASSWORD,
    OCI_BASKET_RECEIVED,
    OCI_RETURN_HOOK,
    OCI_BASKET_LENGTHS,
    OCI_BASKET_REQUIRED_FIELDS,
    OCI_BASKET_NUMBERS,
    OCI_BASKET_UNITS,
    OCI_BASKET_CURRENCY,
    OCI_BASKET_CHARSET,
    OCI_BASKET_TARGET,
    OCI_BASKET_CLASSIFICATION,
    OCI_BASKET_AGREEMENT,
    OCI_FUNCTION_VALIDATE,
    OCI_FUNCTION_DETAIL,
    PEPPOL_CALL_POST,
    PEPPOL_CALL_WRONG_PASSWORD,
    PEPPOL_BASKET_RECEIVED,
    PEPPOL_RETURN_HOOK,
    PEPPOL_BASKET_STRUCTURE,
    PEPPOL_BASKET_RULES,
    PEPPOL_BASKET_AGREEMENT,
    PEPPOL_BASKET_CONTRACT,
)

BY_ID: Mapping[str, Check] = MappingProxyType({c.id: c for c in CHECKS})
ORDER: Mapping[str, int] = MappingProxyType({c.id: n for n, c in enumerate(CHECKS)})

#: The checks that look at the basket; without a basket they are skipped, not failed.
RETURN_LEG: frozenset[str] = frozenset(
    c.id for c in CHECKS
    if c.id.startswith(("cxml.basket.", "oci.basket.", "peppol.basket."))
    or c.id in (OCI_RETURN_HOOK.id, PEPPOL_RETURN_HOOK.id)
)


def checks_for(protocol: Protocol) -> tuple[Check, ...]:
    return tuple(c for c in CHECKS if c.protocol is protocol)


assert len(BY_ID) == len(CHECKS), "check ids must be unique"
