"""The OpenAPI description served at /api/v1/openapi.json."""

_error = {"$ref": "#/components/schemas/Error"}
_errors = {str(code): {"description": text, "content": {"application/json": {"schema": _error}}}
           for code, text in ((400, "Malformed request"), (401, "Missing or bad token"),
                              (403, "Practice of a challenge held by your running mock interview: "
                                    "closed until the interview ends"),
                              (404, "Unknown resource"),
                              (413, "Body over the size cap (LAB_MAX_REQUEST_KB); the message "
                                    "states the cap"),
                              (422, "Files refused (the message names the file)"))}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Interview Lab API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"],
                      "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
            "ChallengeSummary": {
                "type": "object", "required": ["id", "title", "kind", "topics", "difficulty"],
                "properties": {"id": {"type": "string", "example": "examples/retry-decorator"},
                               "title": {"type": "string"}, "kind": {"type": "string"},
                               "topics": {"type": "array", "items": {"type": "string"}},
                               "difficulty": {"type": "string"},
                               "time_estimate_minutes": {"type": "integer"}}},
            "Test": {"type": "object", "properties": {
                "name": {"type": "string"},
                "outcome": {"type": "string", "enum": ["passed", "failed", "error", "skipped"]},
                "message": {"type": "string"}, "duration": {"type": "number"},
                "visibility": {"type": "string", "enum": ["public", "hidden"]}}},
            "Submission": {
                "type": "object", "required": ["id", "status"],
                "properties": {
                    "id": {"type": "integer"}, "challenge": {"type": "string"},
                    "mode": {"type": "string", "enum": ["run", "submit"]},
                    "status": {"type": "string", "enum": ["queued", "running", "done"]},
                    "verdict": {"type": "string", "nullable": True, "enum": [
                        "passed", "failed", "error", "timeout", "memory_limit", "output_limit",
                        "rejected", "infra_error", None]},
                    "score": {"type": "number", "nullable": True, "example": 2.5},
                    "max_score": {"type": "number", "nullable": True},
                    "message": {"type": "string"},
                    "tests": {"type": "array", "items": {"$ref": "#/components/schemas/Test"}},
                    "stdout": {"type": "string"}}},
        },
    },
    "paths": {
        "/challenges": {"get": {"summary": "List challenges", "responses": {
            "200": {"description": "Challenges", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"challenges": {
                    "type": "array", "items": {"$ref": "#/components/schemas/ChallengeSummary"}}}}}}},
            "401": _errors["401"]}}},
        "/challenges/{pack}/{slug}": {"get": {
            "summary": "A challenge: prompt, editable files with starter text, public tests",
            "parameters": [{"name": "pack", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The challenge"}, "401": _errors["401"],
                          "403": _errors["403"], "404": _errors["404"]}}},
        "/submissions": {"post": {
            "summary": "Submit files for grading",
            "description": (
                "A 400 says what is wrong with the body: `body is not UTF-8 (byte N)` (N counted "
                "from 0), `body is not valid JSON: <parser message> (line L, column C)`, or which "
                "field is missing or of the wrong type."),
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["challenge", "files"],
                "properties": {"challenge": {"type": "string"},
                               "files": {"type": "object", "additionalProperties": {"type": "string"}},
                               "mode": {"type": "string", "enum": ["run", "submit"],
                                        "default": "submit"}}}}}},
            "responses": {"202": {"description": "Queued", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"id": {"type": "integer"}, "status": {"type": "string"}}}}}},
                **_errors}}},
        "/submissions/{id}": {"get": {
            "summary": "Status and result of a submission",
            "description": (
                "Without `wait` the current state, at once. With `wait=S` a long-poll: the "
                "answer comes as soon as the submission is done (the worker's result is pushed "
                "to the waiting request), or with the current status after S seconds; ask again "
                "while `status` is not `done`. Under heavy load the server may answer before S "
                "seconds with a status that is not `done`."),
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "wait", "in": "query", "required": False,
                 "description": "Seconds to wait for the verdict (0 to 30; decimals allowed); "
                                "anything else is refused with 400",
                 "schema": {"type": "number", "minimum": 0, "maximum": 30, "default": 0}}],
            "responses": {"200": {"description": "The submission", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Submission"}}}},
                "400": _errors["400"], "401": _errors["401"], "403": _errors["403"],
                "404": _errors["404"]}}},
    },
}

from lab.api.openapi_interviews import PATHS as _INTERVIEW_PATHS  # noqa: E402
from lab.api.openapi_interviews import SCHEMAS as _INTERVIEW_SCHEMAS  # noqa: E402

OPENAPI["paths"].update(_INTERVIEW_PATHS)
OPENAPI["components"]["schemas"].update(_INTERVIEW_SCHEMAS)
