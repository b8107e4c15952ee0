"""Who may sign a result event, and what candidate code may not touch.

The candidate's code runs in the test process, next to the results plugin, so any
object the plugin can reach, candidate code can try to reach too (through `gc`, the
stack's frames, closures).  Three layers keep the signing key out of its hands:

* The key lives only as a local of the signer generator below.  A generator's locals
  are reachable only through its frame (`gi_frame`, refused for the signer by the
  audit hook), a trace or profile function, another audit hook, `gc`, or raw memory;
  the audit hook refuses all of those for the rest of the process, and the process
  is made non-dumpable so no other process of the candidate's user can read its
  memory either.
* The signer signs only when the whole stack is ours: the caller is the plugin's
  `send`, called by one of the plugin's hooks (same code objects, same closure
  values, same globals as when the plugin was built), called by pytest and pluggy
  code that existed before the first test module was imported; on the main thread.
  Anything else (candidate code on the stack, a thread, `atexit`, a copy of our code
  with other closures or globals) ends the process: no report means not passed.
* Before signing, the signer compares pytest's, pluggy's and the plugin's functions
  and registered hooks with the baseline it took before collection, keeping the
  baseline where candidate code cannot rewrite it.

None of this is a proof (docs/threat-model.md says what stays open); it turns the
short forgeries into ones that must defeat each layer.
"""

from __future__ import annotations

import _hashlib
import _json
import _thread
import os
import sys

FORGED_EXIT = 86
# Audit events refused once the plugin is built: each hands out objects or frames
# (and with them the signer's locals) or raw memory.
_REFUSED_EVENTS = frozenset({
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
    "sys.settrace", "sys.setprofile", "sys.addaudithook",
})
_MEMORY_FILES = frozenset({"mem", "pagemap"})
_FUNCTION_FIELDS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})


def code_objects(code) -> list:
    """`code` and every code object nested in it (inner functions, lambdas, comprehensions)."""
    found, todo = [], [code]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(c for c in current.co_consts if hasattr(c, "co_code"))
    return found


def trusted_code(roots: tuple[str, ...], frames: list) -> dict:
    """code object -> the globals it must run with, for every function and method of
    the modules under `roots` (loaded now), plus the code of the given frames."""
    trusted: dict = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in roots:
            continue
        namespace = vars(module)
        values = list(namespace.values())
        for value in list(values):
            if isinstance(value, type) and getattr(value, "__module__", None) == name:
                values.extend(vars(value).values())
        for value in values:
            wrapped = getattr(value, "__wrapped__", None)
            if wrapped is not None and getattr(wrapped, "__globals__", None) is namespace:
                values.append(wrapped)
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if isinstance(value, property):
                values.extend(f for f in (value.fget, value.fset, value.fdel) if f is not None)
                continue
            code = getattr(value, "__code__", None)
            if code is not None and getattr(value, "__globals__", None) is namespace:
                for inner in code_objects(code):
                    trusted[inner] = namespace
    for frame in frames:
        for inner in code_objects(frame.f_code):
            trusted[inner] = frame.f_globals
    return trusted


def closure_values(function) -> dict:
    """name -> object of a function's free variables (what its frames must show)."""
    names, cells = function.__code__.co_freevars, function.__closure__ or ()
    return {name: cell.cell_contents for name, cell in zip(names, cells, strict=True)}


def make_nondumpable() -> None:
    """PR_SET_DUMPABLE 0: /proc/<pid>/mem and ptrace of this process need CAP_SYS_PTRACE,
    so a program the candidate starts under the same user cannot read its memory."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (ImportError, OSError, AttributeError):
        pass


def make_once_store():
    """A primed generator that takes one ("set", mapping) and then answers
    ("get", key) with mapping.get(key), for the rest of the process.  Unlike a dict in
    a closure, nothing can change what it holds once set (its frame is refused by the
    audit guard); a second "set" is ignored."""
    def store():
        held = None
        request = yield None
        while True:
            action, value = request
            if action == "set" and held is None:
                held = dict(value)
                request = yield None
            else:
                request = yield (held.get(value) if held is not None else None)

    holder = store()
    next(holder)
    return holder


def install_audit_guard(protected: tuple, watched: tuple[str, ...]) -> None:
    """Refuse, for the rest of this process, what could reach the signer's locals or
    rewrite the code it trusts.  Audit hooks cannot be removed once added."""
    refused, memory_files, fields = _REFUSED_EVENTS, _MEMORY_FILES, _FUNCTION_FIELDS
    basename, fspath = os.path.basename, os.fspath
    isinstance_, getattr_, type_, str_, bytes_, dict_, any_ = (
        isinstance, getattr, type, str, bytes, dict, any)

    def home(target) -> str:
        """The root package a function or class was defined in (a function's globals,
        not its writable __module__)."""
        namespace = getattr_(target, "__globals__", None)
        if type_(namespace) is dict_:
            name = namespace.get("__name__", "")
        elif isinstance_(target, type_):
            name = type_.__dict__["__module__"].__get__(target)
        else:
            return ""
        return name.split(".")[0] if type_(name) is str_ else ""

    def guard(event: str, args: tuple) -> None:
        if event in refused or event.startswith("ctypes."):
            raise RuntimeError(f"{event} is not available in the grading sandbox")
        if event == "object.__getattr__" and args and any_(args[0] is item for item in protected):
            raise RuntimeError("the results plugin's state is not inspectable")
        if event in ("object.__setattr__", "object.__delattr__") and len(args) > 1:
            target = args[0]
            # CPython audits only special attributes here (a function's code and
            # defaults; a class's __module__, __name__, __bases__...), never ordinary
            # class attributes: those are left to the snapshot and the body report.
            if isinstance_(target, type_) or args[1] in fields:
                if home(target) in watched:
                    raise RuntimeError(f"{home(target)} code cannot be changed here")
        if event == "open" and args and isinstance_(args[0], (str_, bytes_)):
            name = basename(fspath(args[0]))
            if (name.decode("utf-8", "replace") if isinstance_(name, bytes_) else name) in memory_files:
                raise RuntimeError("process memory files are not available in the grading sandbox")

    sys.addaudithook(guard)


def make_encoder():
    """encode(event) -> compact JSON bytes, built only from C functions and this module's
    code: json.dumps would call json's Python classes, which candidate code can rebind
    (and put back) to rewrite an event before it is signed."""
    quote, join = _json.encode_basestring_ascii, ",".join
    none, bool_, int_, float_, str_, list_, tuple_, dict_, type_ = (
        type(None), bool, int, float, str, list, tuple, dict, type)
    int_repr, float_repr = int.__repr__, float.__repr__

    def encode_value(value) -> str:
        kind = type_(value)
        if kind is none:
            return "null"
        if kind is bool_:
            return "true" if value else "false"
        if kind is int_:
            return int_repr(value)
        if kind is float_:
            return float_repr(value) if value == value and value not in (1e999, -1e999) else "null"
        if kind is str_:
            return quote(value)
        if kind is list_ or kind is tuple_:
            return "[" + join([encode_value(item) for item in value]) + "]"
        if kind is dict_:
            return "{" + join([quote(key) + ":" + encode_value(item) for key, item in value.items()
                               if type_(key) is str_]) + "}"
        return quote("<" + kind.__name__ + ">")

    def encode(event: dict) -> bytes:
        return encode_value(event).encode("ascii")

    return encode


def make_signer(key_fd: int):
    """The primed signer generator.  First send: the baseline (a dict, see below); then
    each send of (event, final) returns (JSON body, its HMAC), or ends the process when
    the stack or the watched code is not what the baseline says.  The final event is
    signed either way, naming in `tampered` what changed since the baseline."""
    signer = _signer(key_fd)
    next(signer)
    return signer


def _signer(key_fd: int):
    try:
        key = os.read(key_fd, 64)
        os.close(key_fd)
    except OSError:
        key = b""
    # C functions only, bound now: a module attribute rebound later (hmac's own
    # `_hashopenssl`, say) would otherwise be handed the key.
    digest, getframe, get_ident, exit_now, write, any_, dict_ = (
        _hashlib.hmac_digest, sys._getframe, _thread.get_ident, os._exit, os.write, any, dict)
    encode = make_encoder()
    main_thread = get_ident()
    baseline = yield None
    send_code, send_vars, hooks = baseline["send_code"], baseline["send_vars"], baseline["hooks"]
    trusted, plugin_globals = baseline["trusted"], baseline["plugin_globals"]
    snapshot, changes, hook_impls = baseline["snapshot"], baseline["changes"], baseline["hook_impls"]
    critical, base_critical = baseline["critical"], baseline["base_critical"]
    everything, base_all, base_hooks = baseline["all"], baseline["base_all"], baseline["base_hooks"]
    del baseline

    def refuse(reason: str):
        write(2, f"lab_results: refused to sign ({reason}); the run is not trusted\n".encode())
        exit_now(FORGED_EXIT)

    request = yield None
    while True:
        try:
            event, final = request
        except (TypeError, ValueError):
            refuse("malformed request")
        if get_ident() != main_thread:
            refuse("not the main thread")
        frame = getframe(1)
        if frame is None or frame.f_code is not send_code or frame.f_globals is not plugin_globals:
            refuse("the caller is not the plugin's sender")
        local = frame.f_locals
        if any_(local.get(name, refuse) is not value for name, value in send_vars.items()):
            refuse("the sender's closure was replaced")
        frame = frame.f_back
        expected = hooks.get(frame.f_code) if frame is not None else None
        if expected is None or frame.f_globals is not plugin_globals:
            refuse("the sender was not called by a plugin hook")
        local = frame.f_locals
        if any_(local.get(name, refuse) is not value for name, value in expected.items()):
            refuse("a hook's closure was replaced")
        frame = frame.f_back
        while frame is not None:
            if trusted.get(frame.f_code) is not frame.f_globals:
                refuse(f"untrusted code on the stack ({frame.f_code.co_filename})")
            frame = frame.f_back
        found = changes(base_all, snapshot(everything)) if final else changes(
            base_critical, snapshot(critical))
        hooks_now = hook_impls()
        found += [f"hook {name}" for name in hooks_now if hooks_now[name] != base_hooks.get(name)]
        if found and not final:
            refuse("watched code changed: " + ", ".join(found[:5]))
        if final:
            event = dict_(event, tampered=found[:50])
        body = encode(event)
        request = yield body, digest(key, body, "sha256")

