"""What the services say, in the reader's language: the one mapping from the codes the services
raise or return to the sentences of the catalogues.

Services import no Flask-Babel (import-linter). They raise a :class:`~punchout.errors.ServiceError`
with the exact English ``message`` the JSON API and the CLI keep, and a ``reason`` with its
values; they return codes (basket warnings, the next step of a requisition, what an order went
without). Here each code becomes a ``gettext``/``ngettext`` sentence. An English page shows the
services' own English where they wrote one (so that a page and the API never say different
things); another language gets the sentence of the code. A refusal without a reason falls back to
the English message (said in the report of issue 12: the CLI- and API-only refusals).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from flask_babel import gettext, ngettext

from punchout.assortment.model import RowError, RowProblem
from punchout.domain.unspsc import segment_name
from punchout.errors import Reason, ServiceError, SupplierError
from punchout.services.lifecycle import NextStep, Step
from punchout.services.orders import MissingDetail, missing_detail_of
from punchout.web.i18n import SOURCE_LANGUAGE, current_language, money, status_name

Sentence = Callable[[Mapping[str, Any]], str]


def _lines(values: Any) -> str:
    return ", ".join(str(v) for v in values)


_REASONS: dict[Reason, Sentence] = {
    Reason.ROLE_NEEDED: lambda p: gettext(
        "Only a user with the %(role)s role can do that.", role=role_name(p["role"])),
    Reason.NOT_OWN_REQUISITION: lambda p: gettext(
        "Only the buyer who made requisition %(id)s can do that.", id=p["id"]),
    Reason.OWN_REQUISITION: lambda p: gettext(
        "Nobody approves their own requisition: another approver decides requisition %(id)s.",
        id=p["id"]),
    Reason.WRONG_STATUS: lambda p: gettext(
        "Requisition %(id)s is %(status)s, so that cannot be done now.", id=p["id"],
        status=status_name(p["status"])),
    Reason.NEVER_ORDERABLE: lambda p: gettext(
        "Requisition %(id)s was made in a test connection without an agreement: it can never "
        "be ordered.", id=p["id"]),
    Reason.NOTHING_ORDERABLE: lambda p: gettext(
        "Requisition %(id)s has no line that can be ordered: the agreement check refused every "
        "line.", id=p["id"]),
    Reason.NO_DECISION_GIVEN: lambda p: gettext(
        "Choose accept or refuse for at least one flagged line."),
    Reason.NOT_FLAGGED: lambda p: gettext(
        "Line %(line)s of requisition %(id)s is not a flagged line.", line=p["line"],
        id=p["id"]),
    Reason.UNDECIDED_LINES: lambda p: ngettext(
        "Decide every flagged line first: line %(lines)s is not decided yet.",
        "Decide every flagged line first: lines %(lines)s are not decided yet.",
        len(p["lines"]), lines=_lines(p["lines"])),
    Reason.NOTHING_LEFT_TO_ORDER: lambda p: gettext(
        "Requisition %(id)s has no line left to order; reject it instead.", id=p["id"]),
    Reason.NOTE_NOT_TEXT: lambda p: gettext("A note must be text."),
    Reason.REQUISITION_NOT_FOUND: lambda p: gettext(
        "Requisition %(id)s does not exist.", id=p["id"]),
    Reason.DELIVERY_NOT_DRAFT: lambda p: gettext(
        "The delivery details of requisition %(id)s can only be changed while it is a draft.",
        id=p["id"]),
    Reason.DELIVERY_FIELD_TOO_LONG: lambda p: ngettext(
        "A delivery field is at most %(num)s character.",
        "A delivery field is at most %(num)s characters.", p["max"]),
    Reason.DELIVERY_COUNTRY: lambda p: gettext(
        "The country is a two-letter code such as SE."),
    Reason.ORDER_NOT_FOUND: lambda p: gettext("Order %(number)s does not exist.",
                                              number=p["number"]),
    Reason.ORDER_NOT_FAILED: lambda p: gettext(
        "Order %(number)s is %(status)s; only a failed order can be retried.",
        number=p["number"], status=status_name(p["status"])),
    Reason.AGREEMENT_REFERENCE: lambda p: gettext(
        "An agreement reference is 1 to 100 letters, digits, '.', '_' or '-', such as "
        "RAM-2026-017."),
    Reason.AGREEMENT_CURRENCY: lambda p: gettext(
        "Give a three-letter currency code such as SEK."),
    Reason.AGREEMENT_ENDS_BEFORE_START: lambda p: gettext(
        "The agreement cannot end before it starts."),
    Reason.AGREEMENT_TOLERANCE: lambda p: gettext("Tolerances cannot be negative."),
    Reason.AGREEMENT_POLICY: lambda p: gettext(
        "Choose what happens to a line that breaks a rule."),
    Reason.AGREEMENT_UNSPSC: lambda p: gettext(
        "UNSPSC prefixes are up to 8 digits, separated by commas."),
    Reason.AGREEMENT_EXISTS: lambda p: gettext(
        "Agreement %(reference)s exists already.", reference=p["reference"]),
    Reason.AGREEMENT_NOT_FOUND: lambda p: gettext(
        "Agreement %(reference)s does not exist.", reference=p["reference"]),
    Reason.AGREEMENT_NOT_WITH_SUPPLIER: lambda p: gettext(
        "Agreement %(reference)s is not an agreement with %(supplier)s.",
        reference=p["reference"], supplier=p["supplier"]),
    Reason.NO_AGREEMENT: lambda p: gettext(
        "%(supplier)s has no agreement yet: an administrator adds one before buyers shop there.",
        supplier=p["supplier"]),
    Reason.NO_AGREEMENT_VALID: lambda p: gettext(
        "No agreement with %(supplier)s is valid today (%(references)s).",
        supplier=p["supplier"], references=p["references"]),
    Reason.SEVERAL_AGREEMENTS_VALID: lambda p: gettext(
        "Several agreements with %(supplier)s are valid today (%(references)s): choose the one "
        "to use.", supplier=p["supplier"], references=p["references"]),
    Reason.ORDER_CHANNEL: lambda p: gettext(
        "The order channel is cXML, e-mail, Peppol or none."),
    Reason.ORDER_URL: lambda p: gettext(
        "The order URL must start with http:// or https://."),
    Reason.ORDER_EMAIL: lambda p: gettext(
        "%(email)s is not an e-mail address.", email=p["email"]),
    Reason.PEPPOL_ID: lambda p: gettext(
        "A Peppol ID is scheme:identifier, such as 0007:5561234567."),
    Reason.CXML_CHANNEL_NEEDS_CXML: lambda p: gettext(
        "Orders by cXML need a cXML supplier (its credentials sign the order)."),
    Reason.CHANNEL_NEEDS_URL: lambda p: gettext("Orders by cXML need an order URL."),
    Reason.CHANNEL_NEEDS_EMAIL: lambda p: gettext(
        "Orders by e-mail need an order e-mail address."),
    Reason.CHANNEL_NEEDS_PEPPOL_ID: lambda p: gettext("Orders by Peppol need a Peppol ID."),
    Reason.SUPPLIER_NOT_FOUND: lambda p: gettext("That supplier does not exist."),
    Reason.PROTOCOL_NOT_STARTABLE: lambda p: gettext(
        "%(supplier)s uses %(protocol)s, which this gateway cannot start.",
        supplier=p["supplier"], protocol=p["protocol"]),
    Reason.REQUISITION_NOT_FROM_SUPPLIER: lambda p: gettext(
        "Requisition %(id)s is not from %(supplier)s.", id=p["id"], supplier=p["supplier"]),
    Reason.OPERATION_NOT_ALLOWED: lambda p: gettext(
        "The supplier does not allow that for requisition %(id)s.", id=p["id"]),
    Reason.ONLY_DRAFT_EDITED: lambda p: gettext(
        "Requisition %(id)s is %(status)s; only a draft can be edited.", id=p["id"],
        status=status_name(p["status"])),
    Reason.STAYS_WITH_AGREEMENT: lambda p: gettext(
        "Requisition %(id)s was checked against agreement %(reference)s and stays with it.",
        id=p["id"], reference=p["reference"]),
    Reason.BASKET_RECEIVED_ALREADY: lambda p: gettext(
        "This punch-out has already returned a basket: requisition %(id)s. The later basket "
        "was recorded but not used.", id=p["id"]) if p.get("id") is not None else gettext(
        "This punch-out has already ended. The later basket was recorded but not used."),
    Reason.BASKET_TOO_LARGE: lambda p: gettext(
        "The basket is larger than this gateway accepts. It was recorded; ask the supplier to "
        "send fewer lines per basket."),
    Reason.BASKET_UNREADABLE: lambda p: gettext(
        "The supplier's basket could not be read (%(detail)s).", detail=p["detail"]),
    Reason.BASKET_NOT_OF_SESSION: lambda p: gettext(
        "The basket does not belong to this punch-out."),
    Reason.SESSION_ENDED: lambda p: gettext(
        "This punch-out has ended. Start a new one from the gateway."),
    Reason.SESSION_EXPIRED: lambda p: gettext(
        "This punch-out has expired. Start a new one from the gateway."),
    Reason.SHOP_LINK_EXPIRED: lambda p: gettext(
        "This link to the supplier's shop has expired. Start the punch-out again."),
    Reason.SHOP_LINK_INVALID: lambda p: gettext("This link to the supplier's shop is not valid."),
    Reason.SHOP_LINK_USED: lambda p: gettext(
        "This link to the supplier's shop has already been used. Start the punch-out again "
        "from the gateway."),
    Reason.SHOP_RETURNED_NOTHING: lambda p: gettext(
        "The shop returned nothing for %(part)s.", part=p["part"]),
    Reason.PERIOD_DATE: lambda p: gettext("Give the period's days as dates (YYYY-MM-DD)."),
    Reason.PERIOD_YEARS: lambda p: gettext("The period must lie between the years 1900 and "
                                           "9000."),
    Reason.PERIOD_REVERSED: lambda p: gettext("The period's first day is after its last."),
    Reason.PERIOD_TOO_LONG: lambda p: gettext("The period may be at most ten years."),
    Reason.STATISTICS_GROUP: lambda p: gettext(
        "Choose supplier, agreement, UNSPSC segment or month."),
}

_SUPPLIER_KINDS: dict[str, Callable[[], str]] = {
    "timeout": lambda: gettext("The supplier did not answer in time."),
    "unreachable": lambda: gettext("The supplier's system could not be reached."),
    "blocked": lambda: gettext("The gateway may not call this supplier's address."),
    "http_status": lambda: gettext("The supplier's system answered with an error."),
    "cxml_status": lambda: gettext("The supplier refused the punch-out."),
    "garbage": lambda: gettext("The supplier's answer could not be read."),
    "no_start_page": lambda: gettext("The supplier's answer named no usable shop page."),
    "busy": lambda: gettext("Many people are calling this supplier just now; try again in a "
                            "moment."),
}


def service_message(exc: ServiceError) -> str:
    """A service's refusal for a page, in the reader's language."""
    if current_language() == SOURCE_LANGUAGE:
        return exc.message
    if isinstance(exc, SupplierError):
        sentence = _SUPPLIER_KINDS.get(exc.kind)
        if sentence is not None:
            return gettext("%(sentence)s The supplier's system said: %(detail)s",
                           sentence=sentence(), detail=exc.message)
    if exc.reason is not None and exc.reason in _REASONS:
        try:
            return _REASONS[exc.reason](exc.params)
        except KeyError:  # a raise site without a value its sentence needs: say it in English
            return exc.message
    return exc.message


def role_name(role: str) -> str:
    names = {"buyer": gettext("buyer"), "approver": gettext("approver"),
             "admin": gettext("administrator"), "procurement": gettext("procurement officer"),
             "supplier": gettext("supplier")}
    return names.get(role, role)


def next_step(step: NextStep) -> str:
    """What happens next to a requisition, for the reader (decided in ``lifecycle.next_step``)."""
    if step.step is Step.DECIDE_FLAGGED:
        return ngettext("Waiting for an approver: %(num)s flagged line to decide, then approval.",
                        "Waiting for an approver: %(num)s flagged lines to decide, then "
                        "approval.", step.undecided)
    sentences = {
        Step.NEVER_ORDERABLE: gettext("This requisition was made in a test connection without "
                                      "an agreement: it can never be ordered."),
        Step.SUBMIT: gettext("Check the lines and submit the requisition for approval."),
        Step.AWAIT_APPROVAL: gettext("Waiting for an approver to approve or reject it."),
        Step.QUEUED: gettext("Approved: the order is queued for the supplier."),
        Step.SENDING: gettext("The order is being sent to the supplier."),
        Step.DONE: gettext("Ordered: the supplier has the order. Nothing more to do."),
        Step.ORDER_FAILED: gettext("The order could not be delivered; an administrator can "
                                   "retry it."),
        Step.REJECTED: gettext("Rejected by the approver. Shop again to make a new "
                               "requisition."),
        Step.CANCELLED: gettext("Cancelled. Nothing will be ordered."),
    }
    return sentences[step.step]


def basket_warning(warning: Mapping[str, str], data: Mapping[str, Any]) -> str:
    """A finding about a returned basket (``domain/line_checks.basket_warnings``). The stored
    warning has the code and the English sentence (the API's); the values come from the
    requisition (``requisition_dict``)."""
    if current_language() == SOURCE_LANGUAGE:
        return warning.get("message", "")
    code = warning.get("code", "")
    currency = data.get("currency")
    if code == "total_mismatch":
        if data.get("basket_total") is None:
            return gettext("The shop stated a total, but the basket has no lines.")
        return gettext("The shop stated a total of %(total)s, but the lines add up to "
                       "%(lines)s.", total=money(data.get("basket_total"), currency),
                       lines=money(data.get("total"), currency))
    if code == "mixed_currencies":
        currencies = sorted({str(line.get("currency")) for line in data.get("lines", [])})
        return gettext("The basket mixes currencies: %(currencies)s.",
                       currencies=", ".join(currencies))
    if code == "shipping_present":
        return gettext("The supplier added shipping of %(amount)s.",
                       amount=money(data.get("shipping"), currency))
    if code == "tax_present":
        return gettext("The supplier added tax of %(amount)s.",
                       amount=money(data.get("tax"), currency))
    return gettext("Note from the supplier's system: %(message)s",
                   message=warning.get("message", ""))


_MISSING: dict[MissingDetail, Callable[[], str]] = {
    MissingDetail.LEGAL_NAME: lambda: gettext("the organisation's legal name"),
    MissingDetail.ORG_NUMBER: lambda: gettext("the organisation number"),
    MissingDetail.INVOICE_ADDRESS: lambda: gettext("an invoice address"),
    MissingDetail.DELIVERY_ADDRESS: lambda: gettext(
        "a delivery address (on the requisition or the organisation's)"),
    MissingDetail.BUYER_REFERENCE: lambda: gettext("a buyer's reference for invoices"),
}


def missing_detail(text: str) -> str:
    """What an order went without (its stored English sentence) in the reader's language."""
    if current_language() == SOURCE_LANGUAGE:
        return text
    detail = missing_detail_of(text)
    return _MISSING[detail]() if detail is not None else text


def overlap_warning(reference: str, others: list[Any]) -> str | None:
    """Other agreements with the same supplier valid at the same time (an allowed renewal)."""
    if not others:
        return None
    from punchout.web.i18n import day

    refs = ", ".join(gettext("%(reference)s (%(start)s – %(end)s)", reference=a.reference,
                             start=day(a.valid_from), end=day(a.valid_to)) for a in others)
    return gettext("agreement %(reference)s overlaps %(others)s with the same supplier: while "
                   "both are valid, buyers pick one when they go to the shop",
                   reference=reference, others=refs)


def segment(code: str) -> str:
    """A UNSPSC segment by its name and code (``Verktyg och maskiner (27)``)."""
    name = segment_name(code)
    return f"{gettext(name)} ({code})" if name else code


def channel_name(channel: str | None) -> str:
    """How a supplier takes orders, in words."""
    names = {"cxml": gettext("cXML"), "email": gettext("e-mail"), "peppol": gettext("Peppol"),
             "none": gettext("none (download the order)")}
    return names.get(channel or "", channel or "")


def audit_event(entity: str, name: str, action: str) -> str:
    """One line of the audit log ("agreement RAM-1 updated") in the reader's language."""
    sentences = {
        ("supplier", "created"): gettext("supplier %(name)s added", name=name),
        ("supplier", "updated"): gettext("supplier %(name)s changed", name=name),
        ("supplier", "deleted"): gettext("supplier %(name)s removed", name=name),
        ("agreement", "created"): gettext("agreement %(name)s added", name=name),
        ("agreement", "updated"): gettext("agreement %(name)s changed", name=name),
        ("agreement", "deleted"): gettext("agreement %(name)s removed", name=name),
        ("user", "created"): gettext("user %(name)s added", name=name),
        ("user", "updated"): gettext("user %(name)s changed", name=name),
        ("user", "deleted"): gettext("user %(name)s removed", name=name),
    }
    return sentences.get((entity, action), f"{entity} {name} {action}")


def init_app(app: Flask) -> None:
    for name, fn in (("channel_name", channel_name), ("audit_event", audit_event),
                     ("missing_detail", missing_detail), ("basket_warning", basket_warning),
                     ("role_name", role_name), ("segment_name", segment),
                     ("row_problem", row_problem)):
        app.add_template_global(fn, name)


_ROW_PROBLEMS: dict[RowProblem, Callable[[str], str]] = {
    RowProblem.EMPTY: lambda v: gettext("is empty"),
    RowProblem.NEGATIVE: lambda v: gettext("%(value)s is negative", value=v),
    RowProblem.BAD_VALUE: lambda v: gettext("%(value)s cannot be used here", value=v),
    RowProblem.DUPLICATE: lambda v: gettext(
        "the same article, unit and variant as row %(row)s", row=v),
    RowProblem.UNKNOWN_COLUMN: lambda v: gettext("unknown column %(name)s", name=v),
    RowProblem.REPEATED_COLUMN: lambda v: gettext("column %(name)s appears more than once",
                                                  name=v),
    RowProblem.MISSING_COLUMN: lambda v: gettext("the required column %(name)s is missing",
                                                 name=v),
    RowProblem.EXTRA_CELLS: lambda v: gettext("more cells than the header's %(num)s", num=v),
    RowProblem.UNNAMED_VALUE: lambda v: gettext(
        "a value in column %(num)s, which has no name in the header", num=v),
    RowProblem.NO_HEADER: lambda v: gettext("the file has no header row"),
    RowProblem.NOT_UTF8: lambda v: gettext(
        "line %(line)s is not UTF-8; save the file as UTF-8 (or as Windows 'CSV')", line=v),
}


def row_problem(error: RowError) -> str:
    """Why an assortment row was refused, in the reader's language."""
    if current_language() == SOURCE_LANGUAGE or error.problem not in _ROW_PROBLEMS:
        return error.message
    return _ROW_PROBLEMS[error.problem](error.value or "")
