"""The OpenAPI 3.1 description served at /api/v1/openapi.json."""

from __future__ import annotations

from enum import Enum
from typing import Any

from punchout.cxml.model import Operation
from punchout.domain.json_basket import LINE_FIELDS
from punchout.domain.verdicts import Action, BasketOutcome, Code
from punchout.errors import ErrorCode
from punchout.persistence.models import OrderChannel, RequisitionStatus, SessionStatus
from punchout.persistence.orders import OrderStatus

ERROR = {"$ref": "#/components/schemas/Error"}


def _enum(kind: type[Enum], *extra: object) -> list[object]:
    """The wire values of one of the code's own enums (the document never lists them twice)."""
    return [member.value for member in kind] + list(extra)


def _err(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def spec() -> dict[str, Any]:
    common = {"401": _err("missing, unknown, revoked or expired token")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "punchout gateway API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string", "enum": _enum(ErrorCode)},
                    "message": {"type": "string"}}},
                "Decimal": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
                "SessionRequest": {"type": "object", "required": ["supplier", "user"],
                                   "properties": {
                    "supplier": {"type": "string"}, "user": {"type": "string", "format": "email"},
                    "agreement": {"type": "string"},
                    "operation": {"enum": [op.value for op in Operation
                                           if op is not Operation.SOURCE]},
                    "requisition": {"type": "integer"},
                    "return_url": {"type": "string", "format": "uri"}}},
                "SessionCreated": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "start_url": {"type": "string", "format": "uri"},
                    "expires_at": {"type": "string", "format": "date-time"}}},
                "Session": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "status": {"enum": _enum(SessionStatus)},
                    "requisition": {"type": ["integer", "null"]},
                    "error": {"type": ["string", "null"]}}},
                "RequisitionLine": {"type": "object", "required": list(LINE_FIELDS), "properties": {
                    "line": {"type": "integer"}, "source_line": {"type": ["string", "null"]},
                    "supplier_part_id": {"type": "string"},
                    "supplier_part_auxiliary_id": {"type": ["string", "null"]},
                    "description": {"type": "string"}, "unspsc": {"type": ["string", "null"]},
                    "quantity": {"$ref": "#/components/schemas/Decimal"},
                    "unit": {"type": "string"},
                    "unit_price": {"$ref": "#/components/schemas/Decimal"},
                    "currency": {"type": "string"},
                    "line_total": {"$ref": "#/components/schemas/Decimal"},
                    "price_basis": {"$ref": "#/components/schemas/PriceBasis"},
                    "verdicts": {"type": "array", "items": {"enum": _enum(Code)}},
                    "action": {"enum": _enum(Action, None)},
                    "reasons": {"type": "array", "items": {
                        "type": "object", "required": ["code", "message"], "properties": {
                            "code": {"enum": _enum(Code)}, "message": {"type": "string"}}}},
                    "agreed": {"type": ["object", "null"], "properties": {
                        "unit_price": {"$ref": "#/components/schemas/Decimal"},
                        "unit": {"type": "string"},
                        "price_basis": {"$ref": "#/components/schemas/OptionalDecimal"},
                        "max_quantity": {"$ref": "#/components/schemas/OptionalDecimal"}}}}},
                "PriceBasis": {"type": ["object", "null"], "properties": {
                    "quantity": {"$ref": "#/components/schemas/Decimal"},
                    "conversion_factor": {"$ref": "#/components/schemas/Decimal"},
                    "unit": {"type": "string"}}},
                "OptionalDecimal": {"oneOf": [{"$ref": "#/components/schemas/Decimal"},
                                              {"type": "null"}]},
                "BasketLine": {"type": "object",
                               "required": ["supplier_part_id", "quantity", "unit",
                                            "unit_price"],
                               "properties": {
                    "supplier_part_id": {"type": "string"},
                    "supplier_part_auxiliary_id": {"type": ["string", "null"]},
                    "quantity": {"$ref": "#/components/schemas/Decimal"},
                    "unit": {"type": "string"},
                    "unit_price": {"$ref": "#/components/schemas/Decimal"},
                    "currency": {"type": "string"},
                    "price_basis": {"type": ["object", "null"], "properties": {
                        "quantity": {"$ref": "#/components/schemas/Decimal"},
                        "conversion_factor": {"$ref": "#/components/schemas/Decimal"},
                        "unit": {"type": "string"}}},
                    "description": {"type": "string"}, "unspsc": {"type": ["string", "null"]}}},
                "Basket": {"type": "object", "required": ["lines"], "properties": {
                    "agreement": {"type": "string"}, "currency": {"type": "string"},
                    "lines": {"type": "array",
                              "items": {"$ref": "#/components/schemas/BasketLine"}}}},
                "VerdictAnswer": {"type": "object", "properties": {
                    "agreement": {"type": "string"},
                    "verdict": {"enum": _enum(BasketOutcome)},
                    "warnings": {"type": "array", "items": {"type": "object", "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}}}},
                    "lines": {"type": "array",
                              "items": {"$ref": "#/components/schemas/RequisitionLine"}}}},
                "Requisition": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "status": {"enum": _enum(RequisitionStatus)},
                    "supplier": {"type": "string"}, "currency": {"type": ["string", "null"]},
                    "total": {"$ref": "#/components/schemas/Decimal"},
                    "orderable_total": {"$ref": "#/components/schemas/Decimal"},
                    "refused_total": {"$ref": "#/components/schemas/Decimal"},
                    "order": {"type": ["object", "null"], "properties": {
                        "status": {"enum": _enum(OrderStatus)},
                        "channel": {"enum": _enum(OrderChannel)},
                        "order_id": {"type": "string"}, "attempts": {"type": "integer"},
                        "sent_at": {"type": ["string", "null"]},
                        "error": {"type": ["string", "null"]}}},
                    "warnings": {"type": "array"},
                    "lines": {"type": "array",
                              "items": {"$ref": "#/components/schemas/RequisitionLine"}}}},
            },
        },
        "paths": {
            "/punchout/sessions": {
                "post": {
                    "summary": "Open a punch-out session; send the user's browser to start_url",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/SessionRequest"}}}},
                    "responses": {
                        "201": {"description": "session opened", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/SessionCreated"}}}},
                        "400": _err("malformed request"), **common,
                        "422": _err("unknown user or supplier, return_url not allowed, or "
                                    "operation not allowed"),
                        "502": _err("the supplier refused or answered garbage"),
                        "503": _err("too many calls to this supplier are waiting; try again"),
                        "504": _err("the supplier did not answer in time")}},
                "get": {"summary": "Recent sessions", "responses": {"200": {
                    "description": "sessions"}, **common}},
            },
            "/punchout/sessions/{id}": {"get": {
                "summary": "A session's status",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the session", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                    **common, "404": _err("no such session")}}},
            "/baskets/check": {"post": {
                "summary": "Line-by-line verdicts for a basket against an agreement",
                "parameters": [{"name": "agreement", "in": "query", "required": False,
                                "schema": {"type": "string"},
                                "description": "agreement reference (or \"agreement\" in "
                                               "the JSON basket)"}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Basket"}},
                    "text/xml": {"schema": {"type": "string",
                                            "description": "a cXML PunchOutOrderMessage"}},
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "string",
                        "description": "cxml-base64 / cxml-urlencoded or OCI NEW_ITEM-*"}}}},
                "responses": {
                    "200": {"description": "the verdicts", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/VerdictAnswer"}}}},
                    "400": _err("unreadable basket, or no agreement named"), **common,
                    "413": _err("body over PUNCHOUT_MAX_BODY"),
                    "422": _err("unknown agreement")}}},
            "/statistics": {"get": {
                "summary": "What was requested, ordered and ordered on agreement (avtalstrohet) "
                           "over the requisitions whose basket came back in the period",
                "parameters": [
                    {"name": "from", "in": "query", "schema": {"type": "string",
                                                                "format": "date"},
                     "description": "first day (default: 1 January this year)"},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
                     "description": "last day, inclusive (default: 31 December this year)"},
                    {"name": "by", "in": "query", "schema": {
                        "type": "string", "enum": ["supplier", "agreement", "unspsc", "month"],
                        "default": "supplier"}},
                    {"name": "format", "in": "query", "schema": {
                        "type": "string", "enum": ["json", "csv"], "default": "json"}}],
                "responses": {"200": {"description": "rows per key and the total; amounts as "
                                                     "decimal strings, avtalstrohet 0..1 or null",
                                      "content": {"application/json": {"schema": {
                                          "type": "object",
                                          "required": ["from", "to", "by", "currency", "rows",
                                                       "total"]}},
                                                  "text/csv": {"schema": {"type": "string"}}}},
                              **common}}},
            "/requisitions": {"get": {"summary": "Requisitions of the token's organisation",
                                      "responses": {"200": {"description": "list"}, **common}}},
            **{f"/requisitions/{{id}}/{action}": {"post": {
                "summary": summary,
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "requestBody": {"required": False, "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "note": {"type": "string"},
                        "user": {"type": "string", "description": "who acts (e-mail); that "
                                 "user's roles apply. Without it the token acts with every "
                                 "role"},
                        **({"lines": {"type": "array", "items": {
                            "type": "object", "required": ["line", "decision"],
                            "properties": {"line": {"type": "integer"},
                                           "decision": {"enum": ["accept", "refuse"]},
                                           "note": {"type": "string"}}}}}
                           if action == "decisions" else {})}}}}},
                "responses": {"200": {"description": "the requisition after the change",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Requisition"}}}},
                              **common, "404": _err("no such requisition"),
                              "403": _err("the named user may not do this (role, or their "
                                          "own requisition)"),
                              "409": _err("not in a state that allows this")}}}
              for action, summary in (
                  ("submit", "Submit a draft (refused lines are left out)"),
                  ("decisions", "Decide flagged lines of a submitted requisition"),
                  ("approve", "Approve a submitted requisition whose flagged lines are all "
                              "decided; its order is queued"),
                  ("reject", "Reject a submitted requisition"),
                  ("cancel", "Cancel a draft (its buyer)"))},
            "/requisitions/{id}/order.xml": {"get": {
                "summary": "The Peppol BIS Order 3 document of an approved requisition (for "
                           "every supplier, whatever its order channel)",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "UBL Order 3, named by the order number",
                                      "content": {"application/xml": {}}},
                              **common, "404": _err("no such requisition"),
                              "409": _err("the requisition is not approved")}}},
            "/requisitions/{id}": {"get": {
                "summary": "One requisition with its lines",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the requisition", "content": {
                    "application/json": {"schema": {
                        "$ref": "#/components/schemas/Requisition"}}}},
                    **common, "404": _err("no such requisition")}}},
        },
    }
