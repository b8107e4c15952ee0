"""`lab pack new`: a new pack with one small, working example challenge of a kind."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path


class ScaffoldError(ValueError):
    pass


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


COMMON = _d("""
    difficulty: easy
    time_estimate_minutes: 10
    hints:
      - Read the prompt's examples first; the tests follow them.
      - Run the public tests early and often.
    explanation: >-
      Replace this with why the reference solution is right and what the hidden tests
      check beyond the public ones.
""")

EXAMPLES: dict[str, dict[str, str]] = {
    "python": {
        "slug": "word-count",
        "challenge.yaml": "title: Count words\nkind: python\ntopics: [py.stdlib]\n"
                          "editable: [words.py]\n" + COMMON,
        "prompt.md": _d("""
            # Count words
            Write `count_words(text)` in `words.py`: a dict mapping each word, lower-cased, to
            how often it occurs. Words are runs of letters, digits and apostrophes.
        """),
        "starter/words.py": "def count_words(text):\n    return {}\n",
        "solution/words.py": _d("""
            import re
            from collections import Counter

            def count_words(text):
                return dict(Counter(w.lower() for w in re.findall(r"[A-Za-z0-9']+", text)))
        """),
        "wrong/case-sensitive/words.py": _d("""
            import re
            from collections import Counter

            def count_words(text):
                return dict(Counter(re.findall(r"[A-Za-z0-9']+", text)))
        """),
        "tests/public/test_words_public.py": _d("""
            from words import count_words

            def test_simple():
                assert count_words("a b a") == {"a": 2, "b": 1}
        """),
        "tests/hidden/test_words_hidden.py": _d('''
            from words import count_words

            def test_case_is_ignored():
                """Words differing only in case are one word"""
                assert count_words("Go go GO") == {"go": 3}

            def test_empty_text():
                """Empty text gives an empty dict, and words after it still count"""
                result = count_words("")
                assert type(result) is dict and result == {}
                assert count_words("one") == {"one": 1}

            def test_punctuation_splits_words():
                """Punctuation separates words; apostrophes stay inside them"""
                assert count_words("don't stop, don't!") == {"don't": 2, "stop": 1}
        '''),
    },
    "flask": {
        "slug": "health-endpoint",
        "challenge.yaml": "title: Health endpoint\nkind: flask\ntopics: [flask.routing]\n"
                          "editable: [app.py]\n" + COMMON,
        "prompt.md": _d("""
            # Health endpoint
            In `app.py`, a Flask `app` whose `GET /health` answers `200` with the JSON
            `{"status": "ok"}`. Other methods on `/health` get `405`.
        """),
        "starter/app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "solution/app.py": _d("""
            from flask import Flask, jsonify

            app = Flask(__name__)

            @app.get("/health")
            def health():
                return jsonify(status="ok")
        """),
        "wrong/plain-text/app.py": _d("""
            from flask import Flask

            app = Flask(__name__)

            @app.get("/health")
            def health():
                return "ok"
        """),
        "tests/public/test_health_public.py": _d("""
            from judge import http_client

            from app import app

            def test_health():
                assert http_client(app).get("/health").status_code == 200
        """),
        "tests/hidden/test_health_hidden.py": _d('''
            from judge import http_client

            from app import app

            def test_body_is_json():
                """The body is the JSON object {"status": "ok"}"""
                response = http_client(app).get("/health")
                assert response.is_json and response.get_json() == {"status": "ok"}

            def test_post_is_405():
                """POST /health is refused with 405, and GET still works"""
                client = http_client(app)
                assert client.post("/health").status_code == 405
                assert client.get("/health").status_code == 200
        '''),
    },
    "dockerfile": {
        "slug": "non-root-image",
        "challenge.yaml": "title: A small non-root image\nkind: dockerfile\n"
                          "topics: [docker.dockerfile, docker.security]\n"
                          "editable: [Dockerfile, app.py]\n"
                          "probes:\n  - name: hello\n    exec: [python3, /app/app.py]\n" + COMMON,
        "prompt.md": _d("""
            # A small non-root image
            Write a `Dockerfile` `FROM lab/python` that copies `app.py` to `/app/app.py`,
            runs as a user other than root, and uses the exec form
            `CMD ["python3", "/app/app.py"]`.
        """),
        "starter/Dockerfile": "FROM lab/python\nCOPY app.py /app/app.py\nCMD python3 /app/app.py\n",
        "starter/app.py": "print('hello from the image')\n",
        "solution/Dockerfile": _d("""
            FROM lab/python
            COPY app.py /app/app.py
            USER 10001
            CMD ["python3", "/app/app.py"]
        """),
        "solution/app.py": "print('hello from the image')\n",
        "wrong/root-user/Dockerfile": "FROM lab/python\nCOPY app.py /app/app.py\n"
                                      "CMD [\"python3\", \"/app/app.py\"]\n",
        "wrong/root-user/app.py": "print('hello from the image')\n",
        "tests/public/test_image_public.py": _d("""
            from imagefacts import facts

            def test_app_runs():
                assert facts()["probes"]["hello"]["exit_code"] == 0
        """),
        "tests/hidden/test_image_hidden.py": _d('''
            from imagefacts import facts

            def test_not_root():
                """The image runs as a user other than root"""
                assert facts()["config"]["User"] not in ("", "root", "0", "0:0")

            def test_exec_form_cmd():
                """CMD uses the exec form"""
                assert facts()["config"]["Cmd"] == ["python3", "/app/app.py"]

            def test_prints_greeting():
                """Running the image prints its greeting"""
                assert "hello from the image" in facts()["probes"]["hello"]["output"]
        '''),
    },
    "quiz": {
        "slug": "basics-quiz",
        "challenge.yaml": "title: Basics quiz\nkind: quiz\ntopics: [py.identity, py.args]\n" + COMMON
        + _d("""
            questions:
              - id: is-or-eq
                type: single
                topics: [py.identity]
                prompt: Which operator checks that two names refer to the same object?
                options: ["==", "is", "in", "="]
                answer: 1
                explanation: '`is` compares identity; `==` compares values through __eq__.'
              - id: shared-default
                type: predict
                topics: [py.args]
                prompt: What does this print?
                snippet: |
                  def add(x, seen=[]):
                      seen.append(x)
                      return len(seen)
                  add(1)
                  print(add(2))
                explanation: The default list is made once, when `def` runs, and then shared.
        """),
    },
}


def scaffold(name: str, kind: str, dest: Path) -> Path:
    if not re.match(r"^[a-z0-9][a-z0-9-]{1,50}$", name):
        raise ScaffoldError(f"{name!r}: pack names are lowercase letters, digits and '-'")
    if kind not in EXAMPLES:
        raise ScaffoldError(f"unknown kind {kind!r}")
    folder = dest / name
    if folder.exists():
        raise ScaffoldError(f"{folder} exists already; nothing was written")
    example = EXAMPLES[kind]
    files = {"pack.yaml": _d(f"""
        name: {name}
        version: 1
        title: {name.replace('-', ' ').capitalize()} pack
        description: Describe the pack here.
        authors: [You]
        license: CC-BY-4.0
    """)}
    for rel, text in example.items():
        if rel != "slug":
            files[f"{example['slug']}/{rel}"] = text
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder
