"""The OpenAPI 3.1 description of /api/v1 (tests check responses against it)."""

from __future__ import annotations

from typing import Any

_ERROR = {"type": "object", "required": ["error", "message"], "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
_MESSAGE = {
    "type": "object",
    "required": ["direction", "body", "created", "delivery"],
    "properties": {
        "direction": {"enum": ["in", "out", "auto"]},
        "body": {"type": "string"},
        "created": {"type": "string", "format": "date-time"},
        "delivery": {"enum": ["none", "pending", "sent", "failed"]},
    },
}
_CASE = {
    "type": "object",
    "required": [
        "reference",
        "unit",
        "status",
        "intent",
        "category",
        "urgent",
        "scam_score",
        "verdict",
        "assigned_to",
        "created",
        "last_activity",
        "unread",
        "preview",
    ],
    "properties": {
        "reference": {"type": "string", "pattern": "^CG-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
        "unit": {"type": "string"},
        "status": {"enum": ["new", "in_progress", "waiting_reporter", "auto_answered", "resolved", "closed"]},
        "intent": {"enum": ["tip", "question", "scam_check", "other"]},
        "category": {"type": ["string", "null"]},
        "urgent": {"type": "boolean"},
        "scam_score": {"type": "number", "minimum": 0, "maximum": 1},
        "verdict": {"enum": ["scam", "suspicious", "safe"]},
        "assigned_to": {"type": ["string", "null"]},
        "created": {"type": "string", "format": "date-time"},
        "last_activity": {"type": "string", "format": "date-time"},
        "unread": {"type": "boolean"},
        "preview": {"type": "string"},
        "reasons": {"type": "array", "items": {"type": "object"}},
        "indicators": {"type": "object"},
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
    },
}
_ANALYSIS = {
    "type": "object",
    "required": [
        "intent",
        "intent_confidence",
        "category",
        "urgent",
        "scam_score",
        "is_scam",
        "verdict",
        "reasons",
        "indicators",
        "normalized",
    ],
    "properties": {
        "intent": {"enum": ["tip", "question", "scam_check", "other"]},
        "intent_confidence": {"type": "number"},
        "category": {"type": ["string", "null"]},
        "urgent": {"type": "boolean"},
        "scam_score": {"type": "number", "minimum": 0, "maximum": 1},
        "is_scam": {"type": "boolean"},
        "verdict": {"enum": ["scam", "suspicious", "safe"]},
        "reasons": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "evidence": {"type": "string"},
                    "weight": {"type": "number"},
                },
            },
        },
        "advice": {"type": "string"},
        "indicators": {"type": "object", "required": ["phones", "bank_accounts", "urls", "domains", "amounts_vnd"]},
        "normalized": {"type": "string"},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: int) -> dict[str, Any]:
    names = {
        400: "Invalid input",
        401: "No valid token",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        413: "Too large",
        429: "Rate limited",
    }
    return {str(c): {"description": names[c], **_json(_ref("Error"))} for c in codes}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, **_json({"type": "object", "required": required, "properties": properties})}


_TOKEN: list[dict[str, list[str]]] = [{"token": []}]
_REF = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}


def document(server: str) -> dict[str, Any]:
    text = {"type": "string", "maxLength": 5000}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cảnh Giác API", "version": "1", "description": "Public intake and scam checks; officers' case API (token)."},
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "made with `canhgiac token USERNAME`"}},
            "schemas": {"Error": _ERROR, "Message": _MESSAGE, "Case": _CASE, "Analysis": _ANALYSIS},
        },
        "paths": {
            "/intake": {
                "post": {
                    "summary": "Send a tip, a question or a message to check (public, rate-limited)",
                    "requestBody": _body(
                        {"channel": {"type": "string"}, "text": text, "contact": {"type": "string", "maxLength": 200}}, ["channel", "text"]
                    ),
                    "responses": {
                        "201": {
                            "description": "Received",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["reference", "followup_key", "analysis", "reply"],
                                    "properties": {
                                        "reference": {"type": "string"},
                                        "followup_key": {"type": ["string", "null"]},
                                        "analysis": _ref("Analysis"),
                                        "reply": {"type": ["string", "null"]},
                                    },
                                }
                            ),
                        },
                        **_errors(400, 404, 413, 429),
                    },
                }
            },
            "/check": {
                "post": {
                    "summary": "Check a message for a scam, storing nothing (public, rate-limited)",
                    "requestBody": _body({"text": text}, ["text"]),
                    "responses": {"200": {"description": "Verdict", **_json(_ref("Analysis"))}, **_errors(400, 413, 429)},
                }
            },
            "/followup": {
                "post": {
                    "summary": "Read a case with its reference and secret key",
                    "requestBody": _body({"reference": {"type": "string"}, "key": {"type": "string"}}, ["reference", "key"]),
                    "responses": {
                        "200": {
                            "description": "The thread",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["reference", "status", "messages"],
                                    "properties": {
                                        "reference": {"type": "string"},
                                        "status": {"type": "string"},
                                        "messages": {"type": "array", "items": _ref("Message")},
                                    },
                                }
                            ),
                        },
                        **_errors(400, 404, 429),
                    },
                }
            },
            "/followup/messages": {
                "post": {
                    "summary": "Write more on a case, anonymously",
                    "requestBody": _body(
                        {"reference": {"type": "string"}, "key": {"type": "string"}, "text": text}, ["reference", "key", "text"]
                    ),
                    "responses": {
                        "201": {
                            "description": "Added",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["reference", "reply"],
                                    "properties": {"reference": {"type": "string"}, "reply": {"type": ["string", "null"]}},
                                }
                            ),
                        },
                        **_errors(400, 404, 409, 429),
                    },
                }
            },
            "/cases": {
                "get": {
                    "summary": "Cases the token's user may see, triaged",
                    "security": _TOKEN,
                    "parameters": [
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                        for n in (
                            "status",
                            "intent",
                            "category",
                            "urgent",
                            "verdict",
                            "unit",
                            "assigned",
                            "q",
                            "sort",
                            "group",
                            "from",
                            "to",
                            "page",
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of cases",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["page", "has_next", "cases"],
                                    "properties": {
                                        "page": {"type": "integer"},
                                        "has_next": {"type": "boolean"},
                                        "filters": {"type": "object"},
                                        "count": {
                                            "type": "object",
                                            "description": "Every matching case (total); lines listed, a group of near-duplicates being one line unless group=0; merged = total - lines",
                                            "properties": {k: {"type": "integer", "minimum": 0} for k in ("total", "lines", "merged")},
                                        },
                                        "cases": {"type": "array", "items": _ref("Case")},
                                    },
                                }
                            ),
                        },
                        **_errors(400, 401),
                    },
                }
            },
            "/cases/{reference}": {
                "get": {
                    "summary": "One case with its thread",
                    "security": _TOKEN,
                    "parameters": [_REF],
                    "responses": {"200": {"description": "The case", **_json(_ref("Case"))}, **_errors(401, 404)},
                }
            },
            "/cases/{reference}/messages": {
                "post": {
                    "summary": "Reply to the reporter through their channel",
                    "security": _TOKEN,
                    "parameters": [_REF],
                    "requestBody": _body({"text": {"type": "string", "maxLength": 10000}}, ["text"]),
                    "responses": {"201": {"description": "Sent or queued", **_json(_ref("Message"))}, **_errors(400, 401, 403, 404)},
                }
            },
            "/cases/{reference}/status": {
                "post": {
                    "summary": "Change a case's status",
                    "security": _TOKEN,
                    "parameters": [_REF],
                    "requestBody": _body(
                        {"status": {"enum": ["new", "in_progress", "waiting_reporter", "auto_answered", "resolved", "closed"]}}, ["status"]
                    ),
                    "responses": {"200": {"description": "Changed", **_json(_ref("Case"))}, **_errors(400, 401, 403, 404)},
                }
            },
            "/cases/{reference}/assign": {
                "post": {
                    "summary": "Assign a case (username null or empty: unassign)",
                    "security": _TOKEN,
                    "parameters": [_REF],
                    "requestBody": _body({"username": {"type": ["string", "null"]}}, []),
                    "responses": {"200": {"description": "Assigned", **_json(_ref("Case"))}, **_errors(400, 401, 403, 404)},
                }
            },
        },
    }
