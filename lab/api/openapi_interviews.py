"""The mock interview part of the OpenAPI description (merged into lab/api/openapi.py)."""

from __future__ import annotations

_error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _err(text: str) -> dict:
    return {"description": text, **_error}


_late = _err("The interview (or the item's section) is over: the message says when it ended")
_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_number = {"name": "n", "in": "path", "required": True, "description": "Item number, from 1",
           "schema": {"type": "integer", "minimum": 1}}
_interview = {"description": "The interview: `items` while active, `scorecard` once done",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Interview"}}}}

SCHEMAS = {
    "Interview": {
        "type": "object", "required": ["id", "template", "status", "deadline_at", "seconds_left"],
        "properties": {
            "id": {"type": "integer"}, "template": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "grading", "done"]},
            "seed": {"type": "integer", "description": "Drew the items; replays the draw"},
            "started_at": {"type": "string"}, "deadline_at": {"type": "string"},
            "ended_at": {"type": "string", "nullable": True},
            "seconds_left": {"type": "number", "description": "By the server's clock"},
            "sections": {"type": "array", "items": {"type": "object"}},
            "items": {"type": "array", "items": {"type": "object"}},
            "scorecard": {"type": "object"}}},
}

PATHS = {
    "/interview-templates": {"get": {"summary": "List mock interview templates", "responses": {
        "200": {"description": "`{templates: [{id, title, time_limit_seconds, passing_score, "
                               "sections}]}`"},
        "401": _err("Missing or bad token")}}},
    "/interviews": {"post": {
        "summary": "Start a mock interview (the clock starts now)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["template"],
            "properties": {"template": {"type": "string", "example": "interviews/python-fundamentals"}}}}}},
        "responses": {"201": _interview, "400": _err("Malformed request"),
                      "404": _err("Unknown template"),
                      "409": _err("Another interview is running, or the pools cannot be filled")}}},
    "/interviews/{id}": {"get": {"summary": "An interview of yours", "parameters": [_id],
                                 "responses": {"200": _interview, "404": _err("Not yours or unknown")}}},
    "/interviews/{id}/items/{n}/draft": {"put": {
        "summary": "Save a task's files", "parameters": [_id, _number],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"files": {"type": "object",
                                                       "additionalProperties": {"type": "string"}}}}}}},
        "responses": {"200": {"description": "`{saved_at}`"}, "400": _err("Malformed request"),
                      "409": _late, "422": _err("Files refused (the message names the file)")}}},
    "/interviews/{id}/items/{n}/answer": {"put": {
        "summary": "Save a question's answer (scored when the interview ends)",
        "parameters": [_id, _number],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["answer"],
            "properties": {"answer": {"description": "Option index, list of indexes, or text"}}}}}},
        "responses": {"200": {"description": "`{saved_at}`"}, "409": _late,
                      "422": _err("The answer does not fit the question")}}},
    "/interviews/{id}/items/{n}/submissions": {"post": {
        "summary": "Run (public tests) or Submit (hidden tests) a task", "parameters": [_id, _number],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "files": {"type": "object", "additionalProperties": {"type": "string"}},
                "mode": {"type": "string", "enum": ["run", "submit"], "default": "submit"}}}}}},
        "responses": {"202": {"description": "`{id}`: poll GET /submissions/{id}"},
                      "409": _late, "429": _err("No runs left for this task (runs_per_task)")}}},
    "/interviews/{id}/finish": {"post": {
        "summary": "End the interview now", "parameters": [_id],
        "responses": {"200": _interview}}},
}
