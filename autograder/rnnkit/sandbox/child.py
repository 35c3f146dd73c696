"""The process that runs a student's code inside the sandbox and answers the grader's requests.

Started by rnnkit.sandbox.box as ``python -S -s -B -u child.py CONFIG``, usually inside
bubblewrap, where CONFIG is JSON: ``{"requests": fd, "replies": fd, "path": [dirs for sys.path],
"uid": int or null, "rlimits": {"RLIMIT_AS": [soft, hard], ...}}``. It sees neither rnnkit nor
the repository, so it imports only the standard library, numpy and channel.py (next to it).

Requests and replies are channel frames; every request has an ``id`` that its reply repeats:
- ``{"op": "cell", "cell_id", "source"}`` -> ``{"ok": true}``
- ``{"op": "defined", "name"}`` -> ``{"ok": true, "defined": bool}``
- ``{"op": "call", "name", "args": [nodes], "kwargs": {name: node}}`` ->
  ``{"ok": true, "result": node, "mutated": [labels]}``
and any of them may instead fail with ``{"ok": false, "kind", "message"}``. The first frame,
sent unasked, is ``{"ready": true}``.

Nothing here is trusted by the grader: student code runs in this very process and may rewrite
any of it, which is why the grader validates every reply. SystemExit and other BaseExceptions
are not caught: they end the process, and the grader reports a crash.
"""

import builtins
import itertools
import json
import linecache
import os
import resource
import sys
import traceback
import types
from typing import Any

MAX_MESSAGE = 4000
MAX_FRAMES = 5
MAX_REQUEST_HEADER = 256 * 2**20  # cell sources travel in the header; the grader is trusted


def main() -> None:
    config = json.loads(sys.argv[1])
    _drop_privileges(config["uid"])
    _limit_resources(config["rlimits"])
    sys.path.extend(config["path"])  # where numpy is; -S keeps site (and .pth files) out
    import channel  # imports numpy: only now can it be found, and under the limits just set

    Child(channel, config["requests"], config["replies"]).serve()


def _drop_privileges(uid: int | None) -> None:
    # Only when bubblewrap ran as root: it mounted what root can read, and nothing of the
    # student's runs before this process becomes an ordinary user with no capabilities.
    if uid is None:
        return
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise SystemExit("sandbox: could not drop privileges")


def _limit_resources(rlimits: dict[str, list[int]]) -> None:
    for name, (soft, hard) in rlimits.items():
        resource.setrlimit(getattr(resource, name), (soft, hard))


class Child:
    """The student's namespace, the objects kept behind handles, and the request loop."""

    def __init__(self, channel: Any, requests: int, replies: int) -> None:
        self.channel = channel
        self.np = channel.np
        self.requests = requests
        self.replies = replies
        # The cells' namespace is a module registered as __main__, as in a notebook kernel,
        # so that classes defined in cells have a home module.
        main_module = types.ModuleType("__main__")
        main_module.__builtins__ = builtins  # type: ignore[attr-defined]
        sys.modules["__main__"] = main_module
        self.namespace: dict[str, Any] = main_module.__dict__
        self.cell_files: set[str] = set()
        self.handles: dict[int, Any] = {}
        self.handle_ids = itertools.count()

    def serve(self) -> None:
        channel = self.channel
        channel.write_frame(self.replies, {"ready": True})
        while True:
            frame = channel.read_frame(self.requests, MAX_REQUEST_HEADER, channel.MAX_BODY_BYTES)
            if frame is None:
                return  # the grader closed the channel
            request, body = frame
            try:
                reply, chunks = self.answer(request, body)
            except Exception as error:  # e.g. student code broke something this file uses
                reply, chunks = {"ok": False, "kind": "exception",
                                 "message": self.describe(error)}, []
            _flush_output()
            parts = channel.pack({"id": request["id"], **reply}, chunks)
            if len(parts[1]) > channel.MAX_HEADER_BYTES:  # the grader would refuse it
                parts = channel.pack({"id": request["id"], "ok": False, "kind": "bad-result",
                                      "message": "the result is too large (its structure, "
                                      "without array data, takes more than 4 MiB)"})
            channel.write_parts(self.replies, parts)

    def answer(self, request: dict[str, Any], body: bytes) -> tuple[dict[str, Any], list[bytes]]:
        op = request["op"]
        if op == "cell":
            return self.run_cell(request["cell_id"], request["source"]), []
        if op == "defined":
            return {"ok": True, "defined": callable(self.namespace.get(request["name"]))}, []
        if op == "call":
            return self.call(request["name"], request["args"], request["kwargs"], body)
        raise ValueError(f"unknown request {op!r}")

    def run_cell(self, cell_id: str, source: str) -> dict[str, Any]:
        # The cell's id is its file name, so tracebacks name the cell and show its lines.
        linecache.cache[cell_id] = (len(source), None, source.splitlines(True), cell_id)
        self.cell_files.add(cell_id)
        try:
            code = compile(source, cell_id, "exec", dont_inherit=True)
        except SyntaxError as error:
            return {"ok": False, "kind": "exception",
                    "message": _describe_syntax_error(error, cell_id)}
        try:
            exec(code, self.namespace)
        except Exception as error:
            return {"ok": False, "kind": "exception", "message": self.describe(error)}
        return {"ok": True}

    def call(self, name: str, args_node: Any, kwargs_node: Any,
             body: bytes) -> tuple[dict[str, Any], list[bytes]]:
        function = self.namespace.get(name)
        if not callable(function):
            return {"ok": False, "kind": "missing", "message": ""}, []
        try:
            args = self.channel.decode({"list": args_node}, body, self.handle)
            kwargs = self.channel.decode({"dict": kwargs_node}, body, self.handle)
        except KeyError:
            return {"ok": False, "kind": "stale-handle", "message": ""}, []
        before = self.snapshot(args, kwargs)
        try:
            result = function(*args, **kwargs)
        except Exception as error:
            return {"ok": False, "kind": "exception", "message": self.describe(error)}, []
        # Changed in place, or (for arrays in a dict) replaced or removed from the dict.
        mutated = [label for label, array, copy, holder, key in before if _changed(array, copy)
                   or (holder is not None and holder.get(key) is not array)]
        encoder = self.channel.Encoder()
        try:
            if issubclass(type(result), tuple):
                node = {"tuple": [self.data_or_handle(encoder, item)
                                  for item in tuple.__iter__(result)]}
            else:
                node = self.data_or_handle(encoder, result)
        except self.channel.StudentError as error:
            return {"ok": False, "kind": error.kind, "message": error.message}, []
        return {"ok": True, "result": node, "mutated": mutated}, encoder.chunks

    def handle(self, handle_id: int, type_name: str) -> Any:
        return self.handles[handle_id]  # KeyError: not from this incarnation

    def data_or_handle(self, encoder: Any, value: Any) -> Any:
        """``value`` encoded as data if it is plain numeric data, else kept behind a handle."""
        mark = encoder.mark()
        try:
            return encoder.encode(value)
        except self.channel.StudentError:
            raise
        except Exception:  # NotData, or an object that broke while being inspected
            encoder.rollback(mark)
        handle_id = next(self.handle_ids)
        self.handles[handle_id] = value
        return {"handle": {"id": handle_id, "type": type(value).__name__[:80]}}

    def snapshot(self, args: list[Any], kwargs: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Copies of the top-level array arguments and of the arrays in dict arguments."""
        ndarray = self.np.ndarray
        labelled = [(f"arg{i}", value) for i, value in enumerate(args)]
        labelled += [(f"kw:{name}", value) for name, value in kwargs.items()]
        saved = []
        for label, value in labelled:
            if type(value) is ndarray:
                saved.append((label, value, value.copy(), None, None))
            elif type(value) is dict:
                saved += [(f"{label}[{key!r}]", item, item.copy(), value, key)
                          for key, item in value.items() if type(item) is ndarray]
        return saved

    def describe(self, error: BaseException) -> str:
        """Exception type and text, then the last frames that are in the student's cells."""
        try:
            text = str(error)
        except Exception:
            text = "(the exception's message could not be printed)"
        lines = [f"{type(error).__name__}: {text}" if text else type(error).__name__]
        frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                  if frame.filename in self.cell_files][-MAX_FRAMES:]
        for frame in frames:
            lines.append(f'  cell "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        return "\n".join(lines)[:MAX_MESSAGE]


def _describe_syntax_error(error: SyntaxError, cell_id: str) -> str:
    lines = [f"{type(error).__name__}: {error.msg}", f'  cell "{cell_id}", line {error.lineno}']
    if error.text:
        lines.append(f"    {error.text.strip()}")
    return "\n".join(lines)[:MAX_MESSAGE]


def _changed(array: Any, copy: Any) -> bool:
    return (array.dtype != copy.dtype or array.shape != copy.shape
            or array.tobytes() != copy.tobytes())


def _flush_output() -> None:
    # Output printed during a request reaches the grader before the reply does.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


if __name__ == "__main__":
    main()
