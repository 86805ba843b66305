"""Checks on the OCI basket (``NEW_ITEM-*`` fields) the shop sent to HOOK_URL.

The body is read with the gateway's codec (:func:`punchout.oci.parse_oci_body`, lenient, so
that every line can be looked at); the checks themselves are strict, field by field, as OCI
4.0/5.0 writes them.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace

from punchout.certify import checks as C
from punchout.certify.agreement import agreement_finding
from punchout.certify.codes import is_iso_currency, is_rec20_unit, unit_advice
from punchout.certify.config import OCI_CHARSET
from punchout.certify.context import Finding, Run, failed, passed, skipped
from punchout.certify.returnleg import Missing, Received, ReturnLeg, record_missing, same_endpoint
from punchout.formdata import raw_fields
from punchout.oci import (
    HOOK_QUERY,
    MAX_LENGTHS,
    OciBasket,
    OciError,
    OciField,
    OciLine,
    parse_oci_body,
)

#: A number as OCI writes it: up to 11 digits, optionally '.' and up to 3 decimals.
OCI_NUMBER = re.compile(r"[0-9]{1,11}(?:\.[0-9]{1,3})?")
OCI_WHOLE = re.compile(r"[0-9]{1,5}")
NUMBER_FIELDS = (OciField.QUANTITY, OciField.PRICE, OciField.PRICEUNIT)

LINE_CHECKS = (
    C.OCI_BASKET_LENGTHS, C.OCI_BASKET_REQUIRED_FIELDS, C.OCI_BASKET_NUMBERS,
    C.OCI_BASKET_UNITS, C.OCI_BASKET_CURRENCY, C.OCI_BASKET_CLASSIFICATION,
    C.OCI_BASKET_AGREEMENT,
)
ALL = (C.OCI_BASKET_RECEIVED, C.OCI_RETURN_HOOK, *LINE_CHECKS, C.OCI_BASKET_CHARSET,
       C.OCI_BASKET_TARGET)


def check_basket(run: Run, got: ReturnLeg) -> OciBasket | None:
    if isinstance(got, Missing):
        record_missing(run, got, C.OCI_BASKET_RECEIVED, ALL)
        return None
    holder: list[OciBasket] = []
    run.check(C.OCI_BASKET_RECEIVED, lambda: received(run, got, holder))
    if not holder:
        run.skip(ALL, "the basket cannot be read (see oci.basket.received)")
        return None
    basket = holder[0]
    run.check(C.OCI_RETURN_HOOK, lambda: hook(run, got, basket))
    if not basket.lines:
        run.skip(LINE_CHECKS, "the basket has no items (the cart was empty)")
    else:
        lines = basket.lines
        run.check(C.OCI_BASKET_LENGTHS, lambda: lengths(run, lines))
        run.check(C.OCI_BASKET_REQUIRED_FIELDS, lambda: required_fields(run, lines))
        run.check(C.OCI_BASKET_NUMBERS, lambda: numbers(run, lines))
        run.check(C.OCI_BASKET_UNITS, lambda: units(run, lines))
        run.check(C.OCI_BASKET_CURRENCY, lambda: currencies(run, lines))
        run.check(C.OCI_BASKET_CLASSIFICATION, lambda: classifications(run, lines))
        run.check(C.OCI_BASKET_AGREEMENT, lambda: agreement(run, basket))
    run.check(C.OCI_BASKET_CHARSET, lambda: charset(run, got))
    run.check(C.OCI_BASKET_TARGET, lambda: target(run, got))
    return basket


def _label(line: OciLine) -> str:
    part = line.supplier_part_id
    return f"item {line.index}" + (f" ({part})" if part else "")


def _problems(run: Run, problems: list[str], reason: str, advice: str) -> Finding:
    listing = run.evidence("problems", "\n".join(problems))
    shown = "; ".join(problems[:3]) + (f" and {len(problems) - 3} more" if len(problems) > 3
                                       else "")
    return failed(f"{reason}: {shown}", listing, recommendation=advice)


def received(run: Run, got: Received, holder: list[OciBasket]) -> Finding:
    post = got.post
    head = f"{post.method} {post.path}{'?' + post.query if post.query else ''}\n" \
           f"Content-Type: {post.content_type or '(none)'}\n{len(post.body)} bytes, " \
           f"from {got.origin}, at {post.received_at}"
    evidence = (run.evidence("received", head), run.evidence("body", post.body))
    if post.method == "POST" and post.media_type not in (
            "application/x-www-form-urlencoded", ""):
        return failed(f"the basket was posted as {post.content_type!r}, not as a form "
                      "(application/x-www-form-urlencoded)", *evidence)
    try:
        basket = parse_oci_body(post.body, charset=run.config.oci_charset)
    except OciError as exc:
        return failed(f"no OCI basket in what arrived: {exc}", *evidence)
    if basket.xml_only:
        return failed("the items came only as ~xmlDocument; send them as NEW_ITEM-* fields",
                      *evidence)
    holder.append(basket)
    return passed(*evidence)


def hook(run: Run, got: Received, basket: OciBasket) -> Finding:
    problems = []
    if got.form is not None and not same_endpoint(got.form.action, run.capture.url):
        problems.append(f"the form goes to {got.form.action!r}, not to HOOK_URL")
    if got.form is not None and _query_of(got.form.action):
        problems.append("the form's action still carries HOOK_URL's query string")
    if got.post.method == "POST" and got.post.query:
        problems.append(f"the basket was posted to HOOK_URL with a query ({got.post.query!r})")
    echoed = {name.lower(): value for name, value in basket.hook_params.items()}
    for name, value in HOOK_QUERY:
        if name.lower() not in echoed:
            problems.append(f"{name} is not echoed")
        elif echoed[name.lower()] != value:
            problems.append(f"{name} is echoed as {echoed[name.lower()]!r}, not {value!r}")
    evidence = run.evidence("echoed", "\n".join(f"{n}={v}" for n, v in
                                                basket.hook_params.items()) or "(nothing)")
    if got.from_file and not basket.hook_params:
        return skipped("a saved basket without HOOK_URL's parameters: nothing to compare")
    if problems:
        return _problems(run, problems, "HOOK_URL is not honoured", "Post the form to HOOK_URL "
                         "without its query, and send each parameter of that query "
                         "(~OkCode, ~TARGET, ~CALLER) back as a hidden field.")
    return passed(evidence)


def _query_of(url: str) -> str:
    return url.partition("?")[2].partition("#")[0]


def lengths(run: Run, lines: tuple[OciLine, ...]) -> Finding:
    problems = []
    for line in lines:
        for name, value in line.fields.items():
            limit = MAX_LENGTHS[OciField(name)]
            if len(value.strip()) > limit:
                problems.append(f"{_label(line)} {name} is {len(value.strip())} characters, "
                                f"more than {limit}")
    if problems:
        return _problems(run, problems, "fields over their OCI length",
                         "Cut free text to its OCI length (DESCRIPTION 40) and send the whole "
                         "text in NEW_ITEM-LONGTEXT_n:132[].")
    return passed()


def required_fields(run: Run, lines: tuple[OciLine, ...]) -> Finding:
    problems = []
    for line in lines:
        def has(name: OciField, line: OciLine = line) -> bool:
            return bool(line.text(name))

        missing = []
        if not has(OciField.DESCRIPTION) and not has(OciField.MATNR):
            missing.append("DESCRIPTION")
        if not has(OciField.QUANTITY):
            missing.append("QUANTITY")
        if not has(OciField.UNIT):
            missing.append("UNIT")
        if not has(OciField.PRICE):
            missing.append("PRICE")
        if has(OciField.PRICE) and not has(OciField.CURRENCY):
            missing.append("CURRENCY (PRICE is set)")
        if has(OciField.CONTRACT_ITEM) and not has(OciField.CONTRACT):
            missing.append("CONTRACT (CONTRACT_ITEM is set)")
        if has(OciField.EXT_QUOTE_ITEM) and not has(OciField.EXT_QUOTE_ID):
            missing.append("EXT_QUOTE_ID (EXT_QUOTE_ITEM is set)")
        if not has(OciField.VENDORMAT) and not has(OciField.EXT_PRODUCT_ID):
            missing.append("VENDORMAT or EXT_PRODUCT_ID")
        if missing:
            problems.append(f"{_label(line)} lacks {', '.join(missing)}")
    if problems:
        return _problems(run, problems, "required fields missing",
                         "Send DESCRIPTION, QUANTITY, UNIT, PRICE, CURRENCY and the article "
                         "number VENDORMAT for every item.")
    return passed()


def numbers(run: Run, lines: tuple[OciLine, ...]) -> Finding:
    problems = []
    for line in lines:
        for name in NUMBER_FIELDS:
            value = line.fields.get(name.value)
            if value is not None and value != "" and not OCI_NUMBER.fullmatch(value):
                problems.append(f"{_label(line)} {name.value} {value!r}")
        lead = line.fields.get(OciField.LEADTIME.value)
        if lead and not OCI_WHOLE.fullmatch(lead):
            problems.append(f"{_label(line)} LEADTIME {lead!r} is not a whole number of days")
    if problems:
        return _problems(run, problems, "numbers not in OCI format",
                         "Write numbers with '.' as decimal point, at most 3 decimals, no "
                         "thousands separators and no spaces: 1234.5")
    return passed()


def units(run: Run, lines: tuple[OciLine, ...]) -> Finding:
    problems = [f"{_label(line)} UNIT: {unit_advice(line.fields.get('UNIT', ''))}"
                for line in lines if not is_rec20_unit(line.fields.get("UNIT", "").strip())]
    if problems:
        return _problems(run, problems, "units that are not UN/ECE Rec 20",
                         "Use UN/ECE Rec 20 codes (EA, H87, KGM...) and Rec 21 package codes "
                         "prefixed X (XPK pack, XBX box), not SAP or legacy codes.")
    return passed()


def currencies(run: Run, lines: tuple[OciLine, ...]) -> Finding:
    problems = []
    for line in lines:
        code = line.fields.get("CURRENCY", "").strip()
        if code and not is_iso_currency(code):
            problems.append(f"{_label(line)} CURRENCY {code!r} is not an ISO 4217 code")
    if problems:
        return _problems(run, problems, "currencies", "Write currencies as ISO 4217 codes "
                         "(SEK).")
    return passed()


def classifications(run: Run, lines: tuple[OciLine, ...]) -> Finding:
    problems = [f"{_label(line)} has no 8-digit UNSPSC code" for line in lines
                if line.unspsc is None]
    if problems:
        return _problems(run, problems, "items without UNSPSC",
                         "Send EXT_SCHEMA_TYPE=UNSPSC with the code in EXT_CATEGORY_ID (and in "
                         "MATGROUP).")
    return passed()


def agreement(run: Run, basket: OciBasket) -> Finding:
    check = run.config.agreement_check
    if check is None:
        return skipped("no agreement given (--agreement REF)")
    # Unreadable fields are the other checks' findings (numbers, lengths...); this one judges
    # the agreement's rules on what could be read.
    read = basket.to_basket()
    domain_basket = replace(read, lines=tuple(replace(ln, problems=()) for ln in read.lines))
    return agreement_finding(run, [ln.supplier_part_id for ln in domain_basket.lines],
                             check(domain_basket))


def _values(body: bytes) -> list[tuple[str, bytes]]:
    """Every field as (name, the bytes sent), through the one form decoder."""
    return [(f.name, f.value) for f in raw_fields(body)]


def charset(run: Run, got: Received) -> Finding:
    asked = codecs.lookup(OCI_CHARSET).name
    problems = []
    if got.form is not None and got.form.charset:
        try:
            named = codecs.lookup(got.form.charset).name
        except LookupError:
            named = got.form.charset
        if named != asked:
            problems.append(f"the page announces {got.form.charset!r}, not {OCI_CHARSET!r}")
    pairs = _values(got.post.body)
    non_ascii = [name for name, value in pairs if any(b > 0x7F for b in value)]
    for name, value in pairs:
        try:
            value.decode(asked)
        except UnicodeDecodeError:
            problems.append(f"{name} is not {OCI_CHARSET}")
    note = (f"{len(non_ascii)} field(s) with non-ASCII characters" if non_ascii else
            "no field had non-ASCII characters, so the charset could only partly be tested")
    evidence = run.evidence("charset", f"asked for http_content_charset={OCI_CHARSET}; {note}")
    if problems:
        return _problems(run, problems, f"the basket is not in {OCI_CHARSET}",
                         "Write the basket page, and so the browser's post, in the charset "
                         "asked for with http_content_charset, and announce it.")
    return passed(evidence)


def target(run: Run, got: Received) -> Finding:
    if got.form is None or got.form.target is None:
        return skipped("the form's target can only be seen when the suite reads the form "
                       "itself (the mock shop)")
    asked = run.config.oci_return_target
    evidence = run.evidence("target", f"asked returntarget={asked}; form target="
                                      f"{got.form.target}")
    if got.form.target != asked:
        return failed(f"the form's target is {got.form.target!r}, not the returntarget "
                      f"{asked!r} asked for", evidence,
                      recommendation="Use returntarget as the form's target attribute.")
    return passed(evidence)
