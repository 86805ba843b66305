"""The OpenAPI 3.1 description served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


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
                    "error": {"type": "string", "enum": [
                        "invalid_request", "unauthorized", "forbidden", "not_found", "conflict",
                        "payload_too_large", "unprocessable", "supplier_error",
                        "supplier_timeout"]},
                    "message": {"type": "string"}}},
                "Decimal": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
                "SessionRequest": {"type": "object", "required": ["supplier", "user"],
                                   "properties": {
                    "supplier": {"type": "string"}, "user": {"type": "string", "format": "email"},
                    "agreement": {"type": "string"},
                    "operation": {"enum": ["create", "edit", "inspect"]},
                    "requisition": {"type": "integer"},
                    "return_url": {"type": "string", "format": "uri"}}},
                "SessionCreated": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "start_url": {"type": "string", "format": "uri"},
                    "expires_at": {"type": "string", "format": "date-time"}}},
                "Session": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "status": {"enum": ["open", "returned", "cancelled", "failed", "expired"]},
                    "requisition": {"type": ["integer", "null"]},
                    "error": {"type": ["string", "null"]}}},
                "RequisitionLine": {"type": "object", "properties": {
                    "line": {"type": "integer"}, "source_line": {"type": ["string", "null"]},
                    "supplier_part_id": {"type": "string"},
                    "supplier_part_auxiliary_id": {"type": ["string", "null"]},
                    "description": {"type": "string"}, "unspsc": {"type": ["string", "null"]},
                    "quantity": {"$ref": "#/components/schemas/Decimal"},
                    "unit": {"type": "string"},
                    "unit_price": {"$ref": "#/components/schemas/Decimal"},
                    "currency": {"type": "string"},
                    "line_total": {"$ref": "#/components/schemas/Decimal"},
                    "verdicts": {"type": "array", "items": {"type": "string"}},
                    "action": {"type": ["string", "null"]}}},
                "Requisition": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "status": {"enum": ["draft", "submitted", "approved", "rejected"]},
                    "supplier": {"type": "string"}, "currency": {"type": ["string", "null"]},
                    "total": {"$ref": "#/components/schemas/Decimal"},
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
            "/requisitions": {"get": {"summary": "Requisitions of the token's organisation",
                                      "responses": {"200": {"description": "list"}, **common}}},
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
