"""Python's parser, one caller at a time.

CPython 3.11's parser keeps process-wide state while it builds an AST: two threads
parsing at the same moment can fail with `SystemError: AST constructor recursion depth
mismatch`.  The worker grades on several threads (Celery's `--pool threads`, `lab pack
verify`), so every parse and compile of the host's checks goes through this lock.  A
parse takes milliseconds; the lock costs nothing measurable.
"""

from __future__ import annotations

import ast
import threading
from types import CodeType

_PARSER = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    with _PARSER:
        return ast.parse(source, filename=filename)


def compile_source(source: str | bytes, filename: str) -> CodeType:
    with _PARSER:
        return compile(source, filename, "exec", dont_inherit=True)
