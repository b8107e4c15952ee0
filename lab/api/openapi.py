"""The one OpenAPI document of the JSON API, served at /api/v1/openapi.json.

It is put together from one part per area (practice, mock interviews, led interviews), as
the routes are (lab/api/practice.py, lab/api/interviews.py, lab/api/led.py); a test checks
that every /api/v1 route is described and every described path is a route
(tests/web/api/test_api.py).
"""

from __future__ import annotations

from flask import jsonify

from lab.api.blueprint import api

_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _err(text: str) -> dict:
    """A response whose body is an Error, described by `text`."""
    return {"description": text, "content": _ERROR_CONTENT}


_errors = {str(code): _err(text)
           for code, text in ((400, "Malformed request"), (401, "Missing or bad token"),
                              (403, "Practice of a challenge held by your running mock interview: "
                                    "closed until the interview ends"),
                              (404, "Unknown resource"),
                              (413, "Body over the size cap (LAB_MAX_REQUEST_KB); the message "
                                    "states the cap"),
                              (422, "Files refused (the message names the file)"))}

# --- practice: challenges and submissions (lab/api/practice.py) ---------------------------

_PRACTICE_SCHEMAS = {
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
}

_PRACTICE_PATHS = {
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
}

# --- mock interviews (lab/api/interviews.py) ----------------------------------------------

_late = _err("The interview (or the item's section) is over: the message says when it ended")
_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_number = {"name": "n", "in": "path", "required": True, "description": "Item number, from 1",
           "schema": {"type": "integer", "minimum": 1}}
_interview = {"description": "The interview: `items` while active, `scorecard` once done",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Interview"}}}}

_INTERVIEW_SCHEMAS = {
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

_INTERVIEW_PATHS = {
    "/interview-templates": {"get": {"summary": "List mock interview templates", "responses": {
        "200": {"description": "`{templates: [{id, title, time_limit_seconds, passing_score, "
                               "sections}]}`"},
        "401": _err("Missing or bad token")}}},
    "/interview-stats": {"get": {
        "summary": "Mock interview statistics (instructors and admins)",
        "parameters": [{"name": "template", "in": "query", "required": False,
                        "schema": {"type": "integer"},
                        "description": "A template id from the list: its items instead"}],
        "responses": {
            "200": {"description": "`{templates: [{id, template, version, title, attempts, "
                                   "in_progress, passed, pass_rate, median_score, "
                                   "median_minutes}]}`; with ?template=: `{template, items: "
                                   "[{item, kind, appeared, skipped, failed, missed_rate, "
                                   "median_minutes_to_first_run, median_minutes_to_pass}]}`, "
                                   "most often missed first"},
            "403": _err("Not an instructor"),
            "404": _err("No interview of that template")}}},
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
            "type": "object", "properties": {
                "files": {"type": "object", "additionalProperties": {"type": "string"}},
                "base_version": {"type": "integer", "minimum": 0, "description":
                                 "The draft version the files grew from (optional): a save "
                                 "based on an older one is refused with the stored files"}}}}}},
        "responses": {"200": {"description": "`{saved_at, version}`"},
                      "400": _err("Malformed request"),
                      "409": _err("Time is up, or (with base_version) a newer draft is stored: "
                                  "`{error, conflict: {version, files, saved_at}}`"),
                      "422": _err("Files refused (the message names the file)")}}},
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

# --- led mock interviews (lab/api/led.py) -------------------------------------------------

_watching = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"},
             "description": "An interview you watch (accepted invite, or joined as an admin)"}
_not_watched = _err("You do not watch that interview (or it does not exist)")
_review = {"description": "`{rubrics: [{item, title, criteria: [{id, title, levels}]}], scores: "
                          "{item: {criterion: 1..4}}, summary, shared_at}`"}
_timeline = {"description": "`{interview, title, duration_ms, bytes, items: [{number, title, "
                            "kind, start_files}], events: [{at, item, file, changes | "
                            "snapshot}], markers: [{at, item, kind, verdict?}], notes: [{at, "
                            "item, body, file, line_from, line_to, quote}]}`; `at` in ms from "
                            "the start, `changes` a CodeMirror ChangeSet as JSON"}
_LED_PATHS = {
    "/interviews/{id}/invites": {"post": {
        "summary": "Make a one-time invite link for an interviewer (shown only here)",
        "parameters": [_id],
        "responses": {"201": {"description": "`{token, url}`"}, "404": _err("Not yours"),
                      "409": _err("The interview is over"),
                      "422": _err("Too many links waiting, or too many watchers")}}},
    "/interviews/{id}/watchers": {"get": {
        "summary": "Who watches your interview, and the links not used yet", "parameters": [_id],
        "responses": {"200": {"description": "`{watchers: [{id, state, email, created_at, "
                                             "claimed_at}]}`; state: pending, watching, revoked"},
                      "404": _err("Not yours")}}},
    "/interviews/{id}/watchers/{watcher}/revoke": {"post": {
        "summary": "End a watcher's access (or an unused link) at once",
        "parameters": [_id, {"name": "watcher", "in": "path", "required": True,
                             "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The watcher, revoked"},
                      "404": _err("Not yours, or no such watcher on it")}}},
    "/invites/{token}/accept": {"post": {
        "summary": "Accept an invite: you watch that interview from now on",
        "parameters": [{"name": "token", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "`{interview}`: its id"},
                      "403": _err("An invite to your own interview"),
                      "404": _err("No such link"),
                      "410": _err("Used by someone else, or revoked")}}},
    "/interviews/{id}/timeline": {"get": {
        "summary": "Your interview's edit timeline, with the notes shared with you",
        "parameters": [_id],
        "responses": {"200": _timeline, "403": _err("The interview is still running"),
                      "404": _err("Not yours")}}},
    "/watching/{id}": {"get": {
        "summary": "The live state of an interview you watch", "parameters": [_watching],
        "responses": {"200": {"description": "`{interview, status, deadline_at, seconds_left, "
                                             "current_item, items: [{number, kind, files, "
                                             "answer, saved_at, submissions}]}`"},
                      "404": _not_watched}}},
    "/watching/{id}/notes": {
        "get": {"summary": "Your notes on an interview you watch", "parameters": [_watching],
                "responses": {"200": {"description": "`{notes: [...]}`"}, "404": _not_watched}},
        "post": {"summary": "A note at this moment, on an item, quoting lines if given",
                 "parameters": [_watching],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["body", "item"], "properties": {
                         "body": {"type": "string", "maxLength": 2000},
                         "item": {"type": "integer", "minimum": 1},
                         "file": {"type": "string"}, "line_from": {"type": "integer"},
                         "line_to": {"type": "integer"}}}}}},
                 "responses": {"201": {"description": "The note: `{id, at_seconds, item, body, "
                                                      "file, line_from, line_to, quote}`"},
                               "404": _not_watched, "409": _err("Already shared"),
                               "422": _err("The message says what is wrong")}}},
    "/watching/{id}/review": {
        "get": {"summary": "Your rubric and summary", "parameters": [_watching],
                "responses": {"200": _review, "404": _not_watched}},
        "put": {"summary": "Save your rubric scores and summary (replacing them)",
                "parameters": [_watching],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {
                        "scores": {"type": "object", "description": "{item: {criterion: 1..4}}"},
                        "summary": {"type": "string", "maxLength": 5000}}}}}},
                "responses": {"200": _review, "404": _not_watched,
                              "409": _err("Already shared"),
                              "422": _err("The message says what is wrong")}}},
    "/watching/{id}/share": {"post": {
        "summary": "Show your notes, rubric and summary to the candidate (final)",
        "parameters": [_watching],
        "responses": {"200": _review, "404": _not_watched,
                      "409": _err("The interview is still running")}}},
    "/watching/{id}/timeline": {"get": {
        "summary": "The edit timeline of an interview you watched, with your notes",
        "parameters": [_watching],
        "responses": {"200": _timeline, "403": _err("The interview is still running"),
                      "404": _not_watched}}},
}

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
            **_PRACTICE_SCHEMAS, **_INTERVIEW_SCHEMAS},
    },
    "paths": {**_PRACTICE_PATHS, **_INTERVIEW_PATHS, **_LED_PATHS},
}


@api.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
