"""Checks on the cXML basket (PunchOutOrderMessage) the shop sent back.

The basket is read twice: once with the gateway's codec (:func:`parse_order_message`: can the
gateway take it?) and once as a plain tree (through the hardened parser), so that each problem
the DTD does not catch is reported by its own check with the exact item and value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

from lxml import etree

from punchout.certify import checks as C
from punchout.certify.agreement import agreement_finding
from punchout.certify.codes import is_iso_currency, is_rec20_unit, is_unspsc, unit_advice
from punchout.certify.context import Finding, Run, failed, passed, skipped
from punchout.certify.cxml_setup import dtd_valid, envelope
from punchout.certify.returnleg import Missing, Received, ReturnLeg, record_missing
from punchout.cxml import CXMLError, PunchOutOrderMessage, parse_order_message
from punchout.cxml.basket import basket_from_order_message
from punchout.cxml.parse import (
    BASE64_FIELD,
    URLENCODED_FIELD,
    read_basket_form_fields,
)
from punchout.domain.money import to_ore
from punchout.formdata import FormBodyError, raw_fields
from punchout.safexml import XMLSecurityError, XMLSyntaxError, parse_untrusted

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPERATIONS = ("create", "inspect", "edit")

#: The checks on the tree, run only once the basket is well-formed cXML.
TREE_CHECKS = (
    C.CXML_BASKET_ENVELOPE, C.CXML_BASKET_DTD, C.CXML_BASKET_BUYER_COOKIE,
    C.CXML_BASKET_OPERATION_ALLOWED, C.CXML_BASKET_ITEM_IDS, C.CXML_BASKET_CURRENCY,
    C.CXML_BASKET_ONE_CURRENCY, C.CXML_BASKET_DESCRIPTION, C.CXML_BASKET_UNIT,
    C.CXML_BASKET_CLASSIFICATION, C.CXML_BASKET_QUANTITY, C.CXML_BASKET_TOTAL,
    C.CXML_BASKET_AGREEMENT,
)
ITEM_CHECKS = (
    C.CXML_BASKET_ITEM_IDS, C.CXML_BASKET_DESCRIPTION, C.CXML_BASKET_UNIT,
    C.CXML_BASKET_CLASSIFICATION, C.CXML_BASKET_QUANTITY,
)
ALL = (C.CXML_BASKET_RECEIVED, C.CXML_BASKET_ENCODING, C.CXML_BASKET_PARSE, *TREE_CHECKS)


def check_basket(run: Run, got: ReturnLeg, dtd: etree.DTD | None) -> PunchOutOrderMessage | None:
    """Run every basket check; the parsed basket (for edit/inspect) when the codec read it."""
    if isinstance(got, Missing):
        record_missing(run, got, C.CXML_BASKET_RECEIVED, ALL)
        return None
    run.check(C.CXML_BASKET_RECEIVED, lambda: received(run, got))
    xml: list[bytes] = []
    run.check(C.CXML_BASKET_ENCODING, lambda: encoding(run, got, xml))
    if not xml:
        run.skip(ALL, "the basket could not be taken from the form (see cxml.basket.encoding)")
        return None
    data = xml[0]
    order: list[PunchOutOrderMessage] = []
    run.check(C.CXML_BASKET_PARSE, lambda: parse(run, data, order))
    root = _tree(data, run.config.max_response_bytes)
    poom = root.find("Message/PunchOutOrderMessage") if root is not None else None
    if root is None or poom is None:
        what = "well-formed XML" if root is None else "a cXML PunchOutOrderMessage"
        run.skip(TREE_CHECKS, f"the basket is not {what} (see cxml.basket.parse)")
        return None
    parsed = order[0] if order else None
    run.check(C.CXML_BASKET_ENVELOPE,
              lambda: envelope(run, root, "basket", C.CXML_BASKET_PARSE.id))
    run.check(C.CXML_BASKET_DTD,
              lambda: dtd_valid(run, dtd, root, "basket", C.CXML_BASKET_PARSE.id))
    run.check(C.CXML_BASKET_BUYER_COOKIE, lambda: buyer_cookie(run, got, poom, parsed))
    run.check(C.CXML_BASKET_OPERATION_ALLOWED, lambda: operation_allowed(run, poom))
    items = poom.findall("ItemIn")
    if not items:
        run.skip(ITEM_CHECKS, "the basket has no items (the cart was empty)")
    else:
        run.check(C.CXML_BASKET_ITEM_IDS, lambda: item_ids(run, items))
        run.check(C.CXML_BASKET_DESCRIPTION, lambda: descriptions(run, items))
        run.check(C.CXML_BASKET_UNIT, lambda: units(run, items))
        run.check(C.CXML_BASKET_CLASSIFICATION, lambda: classifications(run, items))
        run.check(C.CXML_BASKET_QUANTITY, lambda: quantities(run, items))
    run.check(C.CXML_BASKET_CURRENCY, lambda: currencies(run, poom))
    run.check(C.CXML_BASKET_ONE_CURRENCY, lambda: one_currency(run, poom))
    run.check(C.CXML_BASKET_TOTAL, lambda: total(run, poom))
    run.check(C.CXML_BASKET_AGREEMENT, lambda: agreement(run, parsed))
    return parsed


def _tree(data: bytes, max_bytes: int) -> etree._Element | None:
    try:
        root = parse_untrusted(data, max_bytes=max_bytes)
    except (XMLSecurityError, XMLSyntaxError):
        return None
    return root if root.tag == "cXML" else None


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _label(n: int, item: etree._Element) -> str:
    part = _text(item.find("ItemID/SupplierPartID"))
    return f"ItemIn[{n}]" + (f" ({part})" if part else "")


def _problems(run: Run, problems: list[str], reason: str, advice: str) -> Finding:
    listing = run.evidence("problems", "\n".join(problems))
    shown = "; ".join(problems[:3]) + (f" and {len(problems) - 3} more" if len(problems) > 3
                                       else "")
    return failed(f"{reason}: {shown}", listing, recommendation=advice)


# --- how it arrived --------------------------------------------------------------------------


def received(run: Run, got: Received) -> Finding:
    post = got.post
    head = f"{post.method} {post.path}{'?' + post.query if post.query else ''}\n" \
           f"Content-Type: {post.content_type or '(none)'}\n{len(post.body)} bytes, " \
           f"from {got.origin}, at {post.received_at}"
    return passed(run.evidence("received", head), run.evidence("body", post.body))


def encoding(run: Run, got: Received, xml: list[bytes]) -> Finding:
    post = got.post
    if got.from_file and post.media_type == "text/xml":
        xml.append(post.body)
        return skipped("the file holds the cXML document itself, not the posted form")
    if post.method == "GET":
        return failed("the basket came with GET; a cXML basket is a POSTed form",
                      recommendation="Submit the form with method=post.")
    if post.media_type not in ("multipart/form-data", "application/x-www-form-urlencoded", ""):
        return failed(f"the basket was posted as {post.content_type!r}, not as a form "
                      "(application/x-www-form-urlencoded)")
    try:
        fields = raw_fields(post.body, post.content_type)
    except FormBodyError as exc:
        return failed(f"the form cannot be read: {exc}")
    seen = list(dict.fromkeys(f.name for f in fields))
    names = [n for n in seen if n.strip().lower() in (BASE64_FIELD, URLENCODED_FIELD)]
    evidence = run.evidence("form fields", ", ".join(seen[:20]) or "(none)")
    if not names:
        return failed(f"no {BASE64_FIELD} or {URLENCODED_FIELD} field in the form", evidence)
    try:
        xml.append(read_basket_form_fields(fields))
    except CXMLError as exc:
        return failed(str(exc), evidence)
    if any(n not in (BASE64_FIELD, URLENCODED_FIELD) for n in names):
        return passed(evidence, recommendation=f"Name the field {BASE64_FIELD} (lower case); "
                      "some buyer systems match the name exactly.")
    if names[0].lower() == URLENCODED_FIELD:
        return passed(evidence, recommendation=f"{BASE64_FIELD} carries the exact bytes; "
                      "an urlencoded basket can be garbled by the page's charset.")
    return passed(evidence)


def parse(run: Run, data: bytes, order: list[PunchOutOrderMessage]) -> Finding:
    try:
        order.append(parse_order_message(data, max_bytes=run.config.max_response_bytes))
    except CXMLError as exc:
        return failed(str(exc), run.evidence("basket", data))
    return passed(run.evidence("basket", data))


# --- the document ----------------------------------------------------------------------------


def buyer_cookie(run: Run, got: Received, poom: etree._Element,
                 parsed: PunchOutOrderMessage | None) -> Finding:
    if got.buyer_cookie is None:
        return skipped("a saved basket was not made for this run's session")
    element = poom.find("BuyerCookie")
    if element is None:
        return failed("the basket has no BuyerCookie")
    echoed = parsed.buyer_cookie if parsed is not None else "".join(element.itertext())
    evidence = run.evidence("BuyerCookie", f"sent:     {got.buyer_cookie}\nreturned: {echoed}")
    if echoed != got.buyer_cookie:
        return failed(f"BuyerCookie {echoed[:80]!r} is not the {got.buyer_cookie!r} the setup "
                      "request sent", evidence,
                      recommendation="Return the BuyerCookie byte for byte.")
    return passed(evidence)


def operation_allowed(run: Run, poom: etree._Element) -> Finding:
    header = poom.find("PunchOutOrderMessageHeader")
    if header is None:
        return failed("the basket has no PunchOutOrderMessageHeader")
    value = header.get("operationAllowed")
    if value is None:
        return failed("PunchOutOrderMessageHeader has no operationAllowed",
                      recommendation="Set operationAllowed=\"edit\" if the buyer may bring the "
                                     "basket back to change it, else \"inspect\" or \"create\".")
    if value not in OPERATIONS:
        return failed(f"operationAllowed {value!r} is not create, inspect or edit")
    return passed(run.evidence("operationAllowed", value))


def item_ids(run: Run, items: list[etree._Element]) -> Finding:
    problems = [f"ItemIn[{n}] has no SupplierPartID" for n, item in enumerate(items, 1)
                if not _text(item.find("ItemID/SupplierPartID"))]
    if problems:
        return _problems(run, problems, "items without an article number",
                         "Give every ItemIn an ItemID/SupplierPartID.")
    return passed()


def _monies(poom: etree._Element) -> list[tuple[str, etree._Element]]:
    found = []
    head = poom.find("PunchOutOrderMessageHeader")
    if head is not None:
        for name in ("Total", "Shipping", "Tax"):
            money = head.find(f"{name}/Money")
            if money is not None:
                found.append((name, money))
    for n, item in enumerate(poom.findall("ItemIn"), 1):
        money = item.find("ItemDetail/UnitPrice/Money")
        if money is not None:
            found.append((f"{_label(n, item)} UnitPrice", money))
    return found


def currencies(run: Run, poom: etree._Element) -> Finding:
    problems = []
    for where, money in _monies(poom):
        code = money.get("currency")
        if code is None:
            problems.append(f"{where} has no currency")
        elif not is_iso_currency(code):
            problems.append(f"{where} currency {code!r} is not an ISO 4217 code")
    if problems:
        return _problems(run, problems, "currencies that are not ISO 4217",
                         "Write currencies as ISO 4217 codes, e.g. currency=\"SEK\".")
    return passed()


def one_currency(run: Run, poom: etree._Element) -> Finding:
    found: dict[str, list[str]] = {}
    for where, money in _monies(poom):
        found.setdefault(money.get("currency") or "(none)", []).append(where)
    evidence = run.evidence("currencies", "\n".join(f"{c}: {', '.join(w)}"
                                                    for c, w in found.items()))
    if len(found) > 1:
        return failed(f"the basket mixes currencies: {', '.join(sorted(found))}", evidence,
                      recommendation="Price the whole basket in the agreement's currency.")
    return passed(evidence)


def descriptions(run: Run, items: list[etree._Element]) -> Finding:
    problems = []
    for n, item in enumerate(items, 1):
        found = item.findall("ItemDetail/Description")
        if not found:
            problems.append(f"{_label(n, item)} has no Description")
            continue
        if not any(_text(d) for d in found):
            problems.append(f"{_label(n, item)} has an empty Description")
        if any(not (d.get(XML_LANG) or "").strip() for d in found):
            problems.append(f"{_label(n, item)} Description has no xml:lang")
    if problems:
        return _problems(run, problems, "descriptions", "Give every item a Description with "
                         "xml:lang (e.g. xml:lang=\"sv\").")
    return passed()


def units(run: Run, items: list[etree._Element]) -> Finding:
    problems = []
    for n, item in enumerate(items, 1):
        for path in ("ItemDetail/UnitOfMeasure", "ItemDetail/PriceBasisQuantity/UnitOfMeasure"):
            element = item.find(path)
            if element is None:
                if path == "ItemDetail/UnitOfMeasure":
                    problems.append(f"{_label(n, item)} has no UnitOfMeasure")
                continue
            code = _text(element)
            if not is_rec20_unit(code):
                where = "PriceBasisQuantity unit" if "Price" in path else "unit"
                problems.append(f"{_label(n, item)} {where}: {unit_advice(code)}")
    if problems:
        return _problems(run, problems, "units that are not UN/ECE Rec 20",
                         "Use UN/ECE Rec 20 codes (EA, H87, KGM, LTR...) and the Rec 21 package "
                         "codes prefixed X (XPK pack, XBX box).")
    return passed()


def classifications(run: Run, items: list[etree._Element]) -> Finding:
    problems = []
    for n, item in enumerate(items, 1):
        codes = [
            (c.get("code") or "").strip() or _text(c)
            for c in item.findall("ItemDetail/Classification")
            if (c.get("domain") or "").strip().upper() == "UNSPSC"
        ]
        if not codes:
            problems.append(f"{_label(n, item)} has no UNSPSC Classification")
        elif not any(is_unspsc(code) for code in codes):
            problems.append(f"{_label(n, item)} UNSPSC {codes[0]!r} is not 8 digits")
    if problems:
        return _problems(run, problems, "classifications",
                         "Classify every item with its 8-digit UNSPSC commodity code: "
                         "<Classification domain=\"UNSPSC\">14111507</Classification>.")
    return passed()


def _number(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def quantities(run: Run, items: list[etree._Element]) -> Finding:
    problems = []
    for n, item in enumerate(items, 1):
        raw = item.get("quantity")
        value = _number(raw)
        if value is None:
            problems.append(f"{_label(n, item)} quantity {raw!r} is not a number")
        elif value <= 0:
            problems.append(f"{_label(n, item)} quantity {raw} is not positive")
    if problems:
        return _problems(run, problems, "quantities", "Quantities must be positive numbers.")
    return passed()


def _line_amount(n: int, item: etree._Element, problems: list[str]) -> Decimal | None:
    quantity = _number(item.get("quantity"))
    price = _number(_text(item.find("ItemDetail/UnitPrice/Money")))
    basis = item.find("ItemDetail/PriceBasisQuantity")
    per, factor = Decimal(1), Decimal(1)
    if basis is not None:
        per_n, factor_n = _number(basis.get("quantity")), _number(basis.get("conversionFactor"))
        if per_n is None or per_n <= 0 or factor_n is None:
            problems.append(f"{_label(n, item)} PriceBasisQuantity is not usable")
            return None
        per, factor = per_n, factor_n
    if quantity is None or price is None:
        problems.append(f"{_label(n, item)} has no usable quantity or UnitPrice")
        return None
    return quantity * price * factor / per


def total(run: Run, poom: etree._Element) -> Finding:
    money = poom.find("PunchOutOrderMessageHeader/Total/Money")
    if money is None:
        return failed("the basket has no Total/Money")
    stated = _number(_text(money))
    if stated is None:
        return failed(f"Total {_text(money)!r} is not a number")
    problems: list[str] = []
    with localcontext() as ctx:
        ctx.prec = 60
        amounts = [_line_amount(n, item, problems)
                   for n, item in enumerate(poom.findall("ItemIn"), 1)]
        if problems:
            return failed("cannot add up the lines: " + "; ".join(problems[:3]))
        exact = sum((a for a in amounts if a is not None), Decimal(0))
    lines = "\n".join(f"line {n}: {format(a, 'f')}" for n, a in enumerate(amounts, 1))
    evidence = run.evidence("total", f"{lines}\nsum {format(exact, 'f')} -> {to_ore(exact)}\n"
                                     f"Total {_text(money)} {money.get('currency') or ''}")
    if to_ore(stated) != to_ore(exact):
        return failed(f"Total {_text(money)} but the lines add up to {to_ore(exact)}", evidence,
                      recommendation="Total = Σ quantity × UnitPrice × conversionFactor / "
                                     "PriceBasisQuantity quantity, rounded half-up to 0.01 once.")
    return passed(evidence)


def agreement(run: Run, parsed: PunchOutOrderMessage | None) -> Finding:
    check = run.config.agreement_check
    if check is None:
        return skipped("no agreement given (--agreement REF)")
    if parsed is None:
        return skipped("the gateway cannot read the basket (see cxml.basket.parse)")
    basket = basket_from_order_message(parsed)
    verdict = check(basket)
    return agreement_finding(run, [ln.supplier_part_id for ln in basket.lines], verdict)
