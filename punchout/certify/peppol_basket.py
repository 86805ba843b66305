"""Checks on the Peppol BIS Punch Out 3 cart the shop sent to HOOK_URL.

The cart is read with the gateway's codec (:func:`punchout.peppol.read_cart`, which reads a
cart that breaks rules and reports each break); here the breaks fail the checks: the
cardinality and order the BIS syntax fixes (``SYNTAX``) fail ``peppol.basket.structure``, the
Schematron rules OpenPEPPOL publishes (``PEPPOL-…``) fail ``peppol.basket.rules``.
"""

from __future__ import annotations

from punchout.certify import checks as C
from punchout.certify.agreement import agreement_finding
from punchout.certify.context import Finding, Run, failed, passed, skipped
from punchout.certify.returnleg import Missing, Received, ReturnLeg, record_missing, same_endpoint
from punchout.domain.verdicts import Code
from punchout.peppol import Cart, PeppolError, cart_to_basket, find_cart, is_peppol_cart, read_cart

CART_CHECKS = (C.PEPPOL_BASKET_STRUCTURE, C.PEPPOL_BASKET_RULES, C.PEPPOL_BASKET_AGREEMENT,
               C.PEPPOL_BASKET_CONTRACT)
ALL = (C.PEPPOL_BASKET_RECEIVED, C.PEPPOL_RETURN_HOOK, *CART_CHECKS)


def check_cart(run: Run, got: ReturnLeg) -> Cart | None:
    if isinstance(got, Missing):
        record_missing(run, got, C.PEPPOL_BASKET_RECEIVED, ALL)
        return None
    holder: list[Cart] = []
    run.check(C.PEPPOL_BASKET_RECEIVED, lambda: received(run, got, holder))
    if not holder:
        run.skip(ALL, "no cart to look at (see peppol.basket.received)")
        return None
    cart = holder[0]
    run.check(C.PEPPOL_RETURN_HOOK, lambda: hook(run, got))
    run.check(C.PEPPOL_BASKET_STRUCTURE, lambda: rules(run, cart, structure=True))
    run.check(C.PEPPOL_BASKET_RULES, lambda: rules(run, cart, structure=False))
    if not cart.lines:
        run.skip((C.PEPPOL_BASKET_AGREEMENT, C.PEPPOL_BASKET_CONTRACT),
                 "the cart has no lines (the cart was empty)")
    else:
        run.check(C.PEPPOL_BASKET_AGREEMENT, lambda: agreement(run, cart))
        run.check(C.PEPPOL_BASKET_CONTRACT, lambda: contract(run, cart))
    return cart


def received(run: Run, got: Received, holder: list[Cart]) -> Finding:
    post = got.post
    evidence = (run.evidence("received", f"{post.method} {post.path}\nContent-Type: "
                             f"{post.content_type or '(none)'}\n{len(post.body)} bytes, from "
                             f"{got.origin}"), run.evidence("body", post.body))
    try:
        xml = find_cart(post.body, post.content_type)
    except PeppolError as exc:
        return failed(f"no Peppol cart in what arrived: {exc}", *evidence)
    if xml is None or not is_peppol_cart(xml):
        return failed("what arrived is not a UBL Catalogue (a Punch Out 3 cart) as the body or "
                      "in a peppol-base64/peppol-urlencoded form field", *evidence)
    try:
        cart = read_cart(xml, max_bytes=run.config.max_response_bytes)
    except PeppolError as exc:
        return failed(f"the cart cannot be read: {exc}", *evidence)
    holder.append(cart)
    return passed(*evidence, run.evidence("cart", xml))


def hook(run: Run, got: Received) -> Finding:
    problems = []
    if got.form is not None and not same_endpoint(got.form.action, run.capture.url):
        problems.append(f"the form goes to {got.form.action!r}, not to HOOK_URL")
    if got.post.method == "POST" and got.post.query:
        problems.append(f"the cart was posted to HOOK_URL with a query ({got.post.query!r})")
    if problems:
        return failed("; ".join(problems))
    return passed()


def rules(run: Run, cart: Cart, *, structure: bool) -> Finding:
    breaks = [item for item in cart.rule_breaks if (item.rule == "SYNTAX") == structure]
    if not breaks:
        return passed()
    listing = run.evidence("rule breaks", "\n".join(str(item) for item in breaks))
    shown = "; ".join(str(item) for item in breaks[:3]) + (
        f" and {len(breaks) - 3} more" if len(breaks) > 3 else "")
    advice = ("Write the cart as the BIS syntax binding says (OpenPEPPOL poacc-upgrade-3, "
              "structure/syntax/ubl-punchout.xml)." if structure else
              "Validate carts with OpenPEPPOL's T77 Schematron before sending them.")
    return failed(shown, listing, recommendation=advice)


def agreement(run: Run, cart: Cart) -> Finding:
    check = run.config.agreement_check
    if check is None:
        return skipped("no agreement given (--agreement REF)")
    basket = cart_to_basket(cart)
    return agreement_finding(run, [line.supplier_part_id for line in basket.lines],
                             check(basket))


def contract(run: Run, cart: Cart) -> Finding:
    """The contracted-item flag against the agreement: CT only on agreed articles, and the
    cart names the agreement it claims them under."""
    check, reference = run.config.agreement_check, run.config.agreement_reference
    if check is None:
        return skipped("no agreement given (--agreement REF)")
    problems = []
    if reference and cart.contract_reference != reference:
        problems.append(f"the cart names the contract {cart.contract_reference or '(none)'!r}, "
                        f"not the agreement {reference!r}")
    verdict = check(cart_to_basket(cart))
    outside = {v.line for v in verdict.lines if Code.NOT_IN_ASSORTMENT in v.codes}
    for line in cart.lines:
        if line.contracted and line.position in outside:
            part = line.sellers_item_id or line.standard_item_id or line.line_id
            problems.append(f"line {line.line_id} ({part}) is flagged contracted (CT) but is "
                            "not in the agreed assortment")
    evidence = run.evidence("contracted lines", "\n".join(
        f"line {line.line_id}: {'CT' if line.contracted else '-'}" for line in cart.lines))
    if problems:
        return failed("; ".join(problems[:3]) + (f" and {len(problems) - 3} more"
                                                  if len(problems) > 3 else ""), evidence,
                      recommendation="Flag CT only on the agreement's articles, and name the "
                                     "agreement in cac:ReferencedContract.")
    return passed(evidence)
