"""The one way pack YAML is read (challenge.yaml, pack.yaml, interview templates).

Packs come from instructors' uploads, so their YAML is hostile input.  Three bounds hold
before anything is built from it:

- **No anchors or aliases.**  `&name` / `*name` let a few hundred bytes stand for
  billions of values (the "billion laughs" pattern): the parsed result shares nodes, but
  everything that walks it afterwards (schema checks, error messages, JSON) pays for the
  expanded size.  No bundled pack uses them, so they are refused outright, at the first
  anchor or alias *event*, before a node is composed.
- **Size**: at most MAX_BYTES of text per document.
- **Shape**: at most MAX_DEPTH nested collections and MAX_NODES nodes.

The checks live in the composer (the stage between the parser's events and the node
tree), which runs on libyaml's event stream when PyYAML has it: the C scanner and parser
keep their speed, and the text is parsed once, where the lab used to parse it twice (once
to load, once more for the node tree that gives line numbers).

This module lives in `worker/` and imports only PyYAML, so the grading core and the web
package can both use it without the worker importing `lab`.
"""

from __future__ import annotations

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
)
from yaml.nodes import Node

MAX_BYTES = 1024 * 1024  # the largest bundled file is 16 KB
MAX_DEPTH = 32  # bundled files nest 6 deep
MAX_NODES = 50_000  # bundled files have under 300


class YamlRefused(yaml.YAMLError):
    """Pack YAML that is refused (or broken).  A YAMLError, so callers that already catch
    those keep working; `problem` and `problem_mark` follow PyYAML's MarkedYAMLError, and
    str() is "<name>, line N: <problem>"."""

    def __init__(self, name: str, problem: str, line: int | None = None) -> None:
        self.name = name
        self.problem = problem
        self.line = line  # 1-based; None when the problem is not at one place
        self.problem_mark = yaml.Mark(name, 0, line - 1, 0, None, None) if line else None
        where = f"{name}, line {line}" if line else name
        super().__init__(f"{where}: {problem}")

    def __str__(self) -> str:
        return self.args[0]


class _BoundedComposer(Composer):
    """PyYAML's composer with the pack rules checked on each event before it becomes a
    node.  The parser (C or Python) underneath is untouched."""

    def _bounds_init(self, name: str) -> None:
        self._name = name
        self._depth = 0
        self._nodes = 0

    def _refuse(self, problem: str, mark) -> YamlRefused:
        return YamlRefused(self._name, problem, mark.line + 1 if mark is not None else None)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise self._refuse(f"YAML aliases (*{event.anchor}) are not allowed in packs; "
                               "write the value out", event.start_mark)
        if event.anchor is not None:
            raise self._refuse(f"YAML anchors (&{event.anchor}) are not allowed in packs; "
                               "write the value out where it is used", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise self._refuse(f"more than {MAX_NODES} YAML values in one file", event.start_mark)
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._refuse(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        # A scalar the safe constructor cannot turn into a value (a 5000-digit integer, the
        # date 2020-13-45) raises ValueError, not a YAMLError: say where, like any other.
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:
            raise self._refuse(f"cannot read the value: {exc}", node.start_mark) from None


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    # The composer before CParser in the MRO: its get_single_node (Python) drives
    # CParser's get_event/peek_event (C) instead of CParser's own C composer, which
    # cannot be told about the rules above.
    class _Loader(_BoundedComposer, CParser, yaml.constructor.SafeConstructor,
                  yaml.resolver.Resolver):
        def __init__(self, stream) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    class _Loader(_BoundedComposer, yaml.SafeLoader):  # type: ignore[no-redef]
        pass


def load_with_tree(text: str | bytes, name: str) -> tuple[object, Node | None]:
    """(value, node tree) of one YAML document; the tree gives the line of any part of it.
    YamlRefused (a yaml.YAMLError) names `name` and, where there is one, the line."""
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > MAX_BYTES:
        raise YamlRefused(name, f"{size} bytes, more than the {MAX_BYTES} allowed for one "
                          "YAML file")
    loader = _Loader(text)
    loader._bounds_init(name)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except YamlRefused:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlRefused(name, f"not valid YAML: {exc.problem or exc.context}",
                          mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:  # the reader's: bad bytes or control characters
        raise YamlRefused(name, f"not valid YAML: {getattr(exc, 'reason', exc)}") from None
    finally:
        loader.dispose()


def load(text: str | bytes, name: str) -> object:
    """The value of one YAML document, under the rules above (see load_with_tree)."""
    return load_with_tree(text, name)[0]
