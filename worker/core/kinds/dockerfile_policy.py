"""What a candidate's Dockerfile may ask of the engine, read the way the engine reads it.

The engine's parser (moby/buildkit's `frontend/dockerfile/parser`, which the classic
builder uses too) decides what runs, so this module splits the text into instructions
by the same rules, not by a looser reading of its own:
- lines end at `\\n` only, and lose one `\\r` before it; the first loses a UTF-8 BOM;
- leading whitespace is Go's `unicode.IsSpace`; a line continues when it ends with the
  escape character followed only by spaces and tabs;
- inside a continuation, comment lines and blank lines are skipped, and the pieces are
  joined with nothing between them;
- the instruction word is split off at `[\\t\\v\\f\\r ]+`, and leading `--flags` are read
  with the engine's quoting rules.
Where the two readings could still differ, the policy refuses rather than guesses: no
parser directives at all (so the escape character is always a backslash and no
`syntax=` frontend is fetched), only ASCII instruction words the engine knows, and no
variables (`$`) where a value decides what is fetched: `FROM`, `COPY --from`, `ADD`.

The policy, applied to every instruction, `ONBUILD` bodies included:
- `FROM` names an allowed local base or an earlier stage, with no flags;
- `COPY --from` names an earlier stage (by name or index) or an allowed base;
- `ADD` copies only files of the submission: no URL, git or other remote source;
- `RUN` takes no flags (`--mount`, `--network`, `--security` would widen the box);
- no heredocs, and at most `MAX_INSTRUCTIONS` instructions.
A refusal names the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

BASE_ALIASES = ("lab/python",)
MAX_INSTRUCTIONS = 60

# Go's unicode.IsSpace: what the engine trims from the start of a line.
GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                     "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
CONTINUATION = re.compile(r"\\[ \t]*$")
WORD_SPLIT = re.compile(r"[\t\v\f\r ]+")
# Any comment before the first instruction that has the shape of a directive.
DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=")
KNOWN = frozenset({"add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from",
                   "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
                   "stopsignal", "user", "volume", "workdir"})
FLAGS = {"from": (), "run": (), "add": ("chown", "chmod"), "copy": ("chown", "chmod", "from"),
         "healthcheck": ("interval", "timeout", "start-period", "start-interval", "retries")}
HEREDOC = re.compile(r"<<-?[ \t]*[\"']?[A-Za-z_]")
STAGE_NAME = re.compile(r"^[a-z][a-z0-9._-]*$")


@dataclass
class Instruction:
    line: int  # where it starts, 1-based
    word: str  # lower case
    flags: list[str] = field(default_factory=list)
    args: str = ""


class Refused(ValueError):
    """The Dockerfile may not be built; the message names the line."""


def _lstrip(text: str) -> str:
    i = 0
    while i < len(text) and text[i] in GO_SPACE:
        i += 1
    return text[i:]


def _strip(text: str) -> str:
    end = len(text)
    while end and text[end - 1] in GO_SPACE:
        end -= 1
    return _lstrip(text[:end])


def _lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no new one
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _continues(line: str) -> tuple[str, bool]:
    """The line without its continuation mark, and whether it had one."""
    if CONTINUATION.search(line):
        return CONTINUATION.sub("", line), True
    return line, False


def _flags(rest: str, line: int) -> tuple[list[str], str]:
    """Leading `--name=value` words, unquoted as the engine does; the rest of the line.
    A flag without `=` is refused: engines disagree on whether the next word is its
    value."""
    flags: list[str] = []
    i = 0
    while True:
        while i < len(rest) and rest[i] in GO_SPACE:
            i += 1
        if not rest.startswith("--", i):
            return flags, rest[i:]
        word, quote = [], ""
        while i < len(rest):
            ch = rest[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and i + 1 < len(rest):
                    i += 1
                    word.append(rest[i])
                else:
                    word.append(ch)
            elif ch in GO_SPACE:
                break
            elif ch in "'\"":
                quote = ch
            elif ch == "\\" and i + 1 < len(rest):
                i += 1
                word.append(rest[i])
            elif ch != "\\":
                word.append(ch)
            i += 1
        text = "".join(word)
        if text == "--":
            return flags, rest[i:]
        if not text.isascii() or "=" not in text:
            raise Refused(f"line {line}: write the flag {text[:40]!r} as --name=value")
        flags.append(text)


def parse(text: str) -> list[Instruction]:
    """The instructions the engine would see, in order."""
    lines = _lines(text)
    out: list[Instruction] = []
    directives_possible = True
    i = 0
    while i < len(lines):
        number = i + 1
        first = _lstrip(lines[i])
        i += 1
        if directives_possible and first.startswith("#") and DIRECTIVE.match(first):
            name = DIRECTIVE.match(first).group(1)
            raise Refused(f"line {number}: parser directives such as `# {name}=` are not "
                          "allowed; write the Dockerfile with the default escape character")
        if first.startswith("#") or not first:
            continue  # a comment never continues onto the next line
        directives_possible = False
        joined, more = _continues(first)
        while more and i < len(lines):
            piece = lines[i]
            i += 1
            stripped = _lstrip(piece)
            if stripped.startswith("#") or not stripped:
                continue  # skipped, and the instruction goes on
            piece, more = _continues(piece)
            joined += piece
        parts = WORD_SPLIT.split(_strip(joined), maxsplit=1)
        word = parts[0]
        if not word.isascii() or word.lower() not in KNOWN:
            raise Refused(f"line {number}: unknown instruction {word[:40]!r}")
        word = word.lower()
        flags, args = _flags(parts[1], number) if len(parts) == 2 else ([], "")
        if word in ("run", "copy", "add") and HEREDOC.search(args):
            # Newer engines read the lines after it as the document's body.
            raise Refused(f"line {number}: heredocs (<<) are not supported; write the file "
                          "and COPY it")
        out.append(Instruction(number, word, flags, _strip(args)))
        if len(out) > MAX_INSTRUCTIONS:
            raise Refused(f"line {number}: more than {MAX_INSTRUCTIONS} instructions")
    return out


def _flag_values(ins: Instruction) -> dict[str, str]:
    allowed = FLAGS.get(ins.word)
    values: dict[str, str] = {}
    for flag in ins.flags:
        name, _, value = flag[2:].partition("=")
        if allowed is None or name not in allowed:
            raise Refused(f"line {ins.line}: {ins.word.upper()} --{name} is not allowed")
        if name in values:
            raise Refused(f"line {ins.line}: --{name} is given twice")
        values[name] = value
    return values


def _is_base(ref: str) -> bool:
    return ref in BASE_ALIASES or ref in (f"{b}:latest" for b in BASE_ALIASES)


def _words(args: str) -> list[str]:
    """Exec-form (JSON) arguments, or the shell form split at whitespace."""
    if args.startswith("["):
        try:
            parsed = json.loads(args)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
            return parsed
    return [w for w in WORD_SPLIT.split(args) if w]


def _check(ins: Instruction, stages: list[str], nested: bool = False) -> None:
    where = f"line {ins.line}"
    flags = _flag_values(ins)
    if ins.word == "from":
        if nested:
            raise Refused(f"{where}: ONBUILD FROM is not allowed")
        words = WORD_SPLIT.split(ins.args) if ins.args else []
        if not words:
            raise Refused(f"{where}: FROM needs an image")
        ref = words[0]
        if "$" in ins.args:
            raise Refused(f"{where}: FROM may not use build arguments; write the base name")
        if len(words) not in (1, 3) or (len(words) == 3 and words[1].lower() != "as"):
            raise Refused(f"{where}: write FROM <image> [AS <name>]")
        if not (_is_base(ref) or ref.lower() in stages):
            raise Refused(f"{where}: FROM {ref[:80]} is not allowed; use "
                          f"{' or '.join(BASE_ALIASES)} (or an earlier stage)")
        if len(words) == 3:
            name = words[2].lower()
            if not STAGE_NAME.match(name):
                raise Refused(f"{where}: {words[2][:40]!r} is not a valid stage name")
            stages.append(name)
        else:
            stages.append("")  # a stage without a name still has an index
    elif ins.word in ("copy", "add") and "from" in flags:
        source = flags["from"]
        earlier = source.lower() in [s for s in stages if s] or (
            source.isdigit() and int(source) < len(stages))
        if "$" in source or not (earlier or _is_base(source)):
            raise Refused(f"{where}: {ins.word.upper()} --from={source[:80]} may only name an "
                          "earlier stage")
    if ins.word == "add":
        sources = _words(ins.args)[:-1]
        if "$" in ins.args or ":" in ins.args or any(s.startswith(("git@", "github.com/"))
                                                     for s in sources):
            raise Refused(f"{where}: ADD may only copy files of your submission (no URLs, git "
                          "sources or variables); use COPY")
    if ins.word == "onbuild":
        if nested:
            raise Refused(f"{where}: ONBUILD ONBUILD is not allowed")
        inner = parse(ins.args)
        if len(inner) != 1:
            raise Refused(f"{where}: ONBUILD takes one instruction")
        inner[0].line = ins.line
        _check(inner[0], stages, nested=True)


def check(text: str) -> list[Instruction]:
    """The instructions, once every one is allowed; `Refused` names the first that is not."""
    instructions = parse(text)
    if not instructions:
        raise Refused("the Dockerfile has no FROM line")
    stages: list[str] = []
    for ins in instructions:
        if not stages and ins.word not in ("from", "arg"):
            raise Refused(f"line {ins.line}: the Dockerfile must start with FROM")
        _check(ins, stages)
    if not stages:
        raise Refused("the Dockerfile has no FROM line")
    return instructions
