"""Run a student's notebook cells in an isolated child process and call their functions.

    with Sandbox([("rnn_step", source), ...], limits=Limits(call_seconds=5)) as box:
        box.cell_reports              # how each cell went: ok, error, timeout, crashed
        h = box.call("rnn_step", x, h_prev, params)

The child (child.py, usually inside bubblewrap) runs the cells in one namespace, like a
notebook. The grader only ever receives plain numeric data through the channel (channel.py) and
never executes or unpickles anything from the child. Whatever the student's code does (loop
forever, exit, crash, flood the output, return rigged objects), the grader gets a CellReport or
a StudentError, restarts the child when needed and carries on.

A Sandbox is not thread-safe: use each one from a single thread (bubblewrap kills a child when
the thread that started it ends); sandboxes in several threads at once are fine. To save the
~70 ms that Python and numpy take to start, each thread keeps one child started ahead of need
(see _Spare).
"""

from __future__ import annotations

import itertools
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rnnkit.i18n import say
from rnnkit.sandbox import channel
from rnnkit.sandbox.channel import StudentError
from rnnkit.sandbox.isolation import Limits, child_command, child_environment, detect_isolation

STARTUP_SECONDS = 30.0  # starting the child is the kit's job, not the student's: be generous
MAX_MESSAGE = 4000
MAX_LABELS = 1000
_FAILURE_KINDS = ("missing", "exception", "bad-result", "stale-handle")
DEFAULT_LIMITS = Limits()
_sandbox_ids = itertools.count(1)


class IsolationUnavailable(RuntimeError):
    """Student code cannot be isolated on this machine and insecure mode was not asked for."""


@dataclass(frozen=True)
class CellReport:
    """How one cell went: ``status`` is "ok", "error", "timeout", "crashed" or "not-run"."""

    cell_id: str
    status: str
    message: str = ""


@dataclass(frozen=True, eq=False)
class Handle:
    """An object returned by student code that is not plain numeric data (e.g. a cache).

    The object stays inside the sandbox; pass the Handle back as an argument and the child uses
    the real object. A Handle is only valid in the sandbox, and the incarnation of its child,
    that created it: after a restart using it raises StudentError("stale-handle").
    """

    type_name: str  # the class name the child reported, for messages only
    _sandbox: int = field(repr=False)
    _incarnation: int = field(repr=False)
    _id: int = field(repr=False)

    def kind_for_messages(self) -> str:
        """How feedback names this value (see rnnkit.compare.describe_kind)."""
        return say(es="un objeto {t} (no son datos numéricos)",
                   en="a {t} object (not numeric data)", t=self.type_name)


class Sandbox:
    """Student cells running in an isolated child process, and calls into them.

    Inputs:
    - cells: ``[(cell_id, python_source), ...]``, run in order in one namespace; an exception
      in one cell is recorded and the next cell runs.
    - limits: time, memory, process, file and output limits.
    - insecure: when bubblewrap is unusable, run the child as a plain subprocess (same
      protocol and rlimits, no isolation) instead of raising IsolationUnavailable.

    A cell that runs longer than ``limits.cell_seconds`` or kills the child is skipped: the
    child is restarted, re-running the cells before it, and the report says why.
    """

    def __init__(self, cells: Sequence[tuple[str, str]], limits: Limits = DEFAULT_LIMITS,
                 insecure: bool = False) -> None:
        self._cells = [(str(cell_id), str(source)) for cell_id, source in cells]
        self.limits = limits
        isolation = detect_isolation()
        if isolation.kind == "none" and not insecure:
            raise IsolationUnavailable(
                f"student code cannot be isolated: {isolation.detail}. Install bubblewrap "
                "(apt-get install bubblewrap) or enable unprivileged user namespaces (sysctl "
                "kernel.unprivileged_userns_clone=1; on Ubuntu also "
                "kernel.apparmor_restrict_unprivileged_userns=0); or pass --insecure to grade "
                "without isolation.")
        self._isolated = isolation.kind == "bwrap"
        self._id = next(_sandbox_ids)
        self._reports = [CellReport(cell_id, "not-run") for cell_id, _ in self._cells]
        self._skipped: set[int] = set()  # cells that timed out or crashed: never run again
        self._hanging: set[str] = set()  # functions whose call timed out
        self._spent: dict[str, float] = {}  # seconds spent in the calls of each function
        self._output = _Output(limits.output_bytes)
        self._child: _Child | None = None
        self._incarnation = 0
        self._closed = False
        self.last_call_mutated: list[str] = []
        """Arguments the last call modified in place, e.g. ``["arg0", "arg2['W_hh']",
        "kw:h0"]`` (top-level arrays and arrays in dicts). The child reports this, so a hostile
        child could lie about it; that only affects its own "inputs untouched" points."""

    def __enter__(self) -> Sandbox:
        self._ensure_running()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill the child and everything it started. The sandbox cannot be used afterwards."""
        if self._child is not None:
            self._child.kill()
        self._closed = True

    @property
    def cell_reports(self) -> list[CellReport]:
        """One report per cell, in order (the cells run on first use of the sandbox; reading
        the reports never restarts a child that has died since, nor a closed sandbox)."""
        if self._incarnation == 0:
            self._ensure_running()
        return list(self._reports)

    @property
    def output(self) -> str:
        """What student code printed so far (stdout and stderr), truncated with a note."""
        if self._child is not None:
            self._child.drain()
        return self._output.text()

    @property
    def alive(self) -> bool:
        """Whether the child is running now (a dead one is restarted on the next call)."""
        return self._child is not None and self._child.alive()

    def defined(self, name: str) -> bool:
        """Whether the student's namespace holds a callable called ``name``."""
        self._ensure_running()
        assert self._child is not None
        try:
            reply, _ = self._child.exchange({"op": "defined", "name": str(name)}, (),
                                            self.limits.call_seconds)
        except _Stopped:
            return False
        return reply.get("ok") is True and reply.get("defined") is True

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's function ``name`` and return its result as plain data.

        Arguments may be plain numeric data (arrays of float64, float32, int64, int32 or bool;
        int, float, bool, None; tuples, lists and str-keyed dicts of these) and Handles. The
        result is decoded the same way: a tuple result element by element, each element
        either data or a Handle. Raises StudentError with kind "missing", "exception",
        "timeout", "crashed", "bad-result" or "stale-handle".

        All calls of one function together may take ``limits.function_seconds`` (restarts of
        the child included); after that, and after one call timed out, its calls fail at once.
        """
        if name in self._hanging:
            raise StudentError("timeout", self._timeout_message(name))
        if self._spent.get(name, 0.0) > self.limits.function_seconds:
            raise StudentError("timeout", say(
                es="`{name}` agotó su tiempo: sus llamadas tardaron más de {seconds:g} s en "
                   "total (¿es muy lenta?).",
                en="`{name}` used up its time: its calls took more than {seconds:g} s in all "
                   "(is it very slow?).", name=name, seconds=self.limits.function_seconds))
        start = time.monotonic()
        try:
            return self._call(name, args, kwargs)
        finally:
            self._spent[name] = self._spent.get(name, 0.0) + time.monotonic() - start

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self._ensure_running()
        child = self._child
        assert child is not None
        encoder = channel.Encoder(self._handle_node)
        try:
            args_node = [encoder.encode(value) for value in args]
            kwargs_node = {key: encoder.encode(value) for key, value in kwargs.items()}
        except channel.NotData as error:
            raise TypeError(f"cannot pass {error} to student code: only plain numeric data "
                            "and Handles") from None
        except StudentError as error:
            if error.kind == "stale-handle":
                raise
            raise ValueError(f"the arguments cannot be sent: {error.message}") from None
        request = {"op": "call", "name": str(name), "args": args_node, "kwargs": kwargs_node}
        self.last_call_mutated = []
        try:
            reply, body = child.exchange(request, encoder.chunks, self.limits.call_seconds)
        except _Stopped as stop:
            if stop.kind == "timeout":
                self._hanging.add(name)
                raise StudentError("timeout", self._timeout_message(name)) from None
            raise StudentError(stop.kind, say(
                es="`{name}` detuvo el sandbox: {why}", en="`{name}` stopped the sandbox: {why}",
                name=name, why=stop.message)) from None
        if reply.get("ok") is not True:
            raise self._failure(name, reply)
        incarnation = self._incarnation
        try:
            _expect_keys(reply, {"id", "ok", "result", "mutated"})
            mutated = _labels(reply["mutated"])
            result = channel.decode(reply["result"], body, lambda handle_id, type_name: Handle(
                type_name, self._id, incarnation, handle_id))
        except StudentError as error:
            raise StudentError("bad-result", say(
                es="No se pudo leer el resultado de `{name}`: {why}",
                en="The result of `{name}` could not be read: {why}",
                name=name, why=error.message)) from None
        self.last_call_mutated = mutated
        return result

    # --- running the child -------------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._closed:
            raise RuntimeError("this sandbox is closed")
        if self._child is not None:
            if self._child.alive():
                return
            self._child.kill()
        while True:  # each pass skips one more cell that timed out or crashed
            self._start_child()
            if self._run_cells():
                return

    def _start_child(self) -> None:
        self._incarnation += 1
        if self._incarnation > 1:
            self._output.add(say(es="\n[el sandbox se reinició]\n",
                                 en="\n[the sandbox was restarted]\n").encode())
        for _ in range(2):  # a spare may have died while waiting: then start a fresh one
            self._child = _spare.take(self.limits, self._isolated, self._output)
            try:
                ready, _ = self._child.exchange(None, (), STARTUP_SECONDS)
                if ready == {"ready": True}:
                    return
                stop = _Stopped("bad-result", "unexpected first frame")
            except _Stopped as stopped:
                stop = stopped
            self._child.kill()
        raise RuntimeError(f"the sandbox did not start ({stop.kind}: {stop.message}); "
                           f"its output:\n{self._output.text()[-2000:]}")

    def _run_cells(self) -> bool:
        """Run every cell not skipped; False when one stopped the child (it is now skipped)."""
        assert self._child is not None
        for index, (cell_id, source) in enumerate(self._cells):
            if index in self._skipped:
                continue
            request = {"op": "cell", "cell_id": cell_id, "source": source}
            try:
                reply, _ = self._child.exchange(request, (), self.limits.cell_seconds)
            except _Stopped as stop:
                self._reports[index] = CellReport(cell_id, *self._cell_stopped(stop))
                self._skipped.add(index)
                return False
            if reply.get("ok") is True:
                self._reports[index] = CellReport(cell_id, "ok")
            else:
                self._reports[index] = CellReport(cell_id, "error",
                                                  self._failure(cell_id, reply).message)
        return True

    def _cell_stopped(self, stop: _Stopped) -> tuple[str, str]:
        if stop.kind == "timeout":
            return "timeout", say(
                es="La celda no terminó en {seconds:g} s: ¿un bucle infinito?",
                en="The cell did not finish in {seconds:g} s: an infinite loop?",
                seconds=self.limits.cell_seconds)
        return "crashed", say(es="La celda detuvo el sandbox: {why}",
                              en="The cell stopped the sandbox: {why}", why=stop.message)

    # --- replies ----------------------------------------------------------------------------

    def _failure(self, name: str, reply: dict[str, Any]) -> StudentError:
        """The StudentError for a valid failure reply, or a bad-result one for anything else."""
        try:
            _expect_keys(reply, {"id", "ok", "kind", "message"})
        except StudentError as error:
            return error
        kind, message = reply["kind"], reply["message"]
        if reply["ok"] is not False or kind not in _FAILURE_KINDS or type(message) is not str:
            return channel.invalid("a malformed failure reply")
        message = _visible(message[:MAX_MESSAGE])
        if kind == "missing":
            message = say(
                es="`{name}` no está definida: ¿se ejecutó la celda que la define?",
                en="`{name}` is not defined: did the cell that defines it run?", name=name)
        elif kind == "stale-handle":
            message = self._stale_message()
        elif kind == "bad-result":
            message = say(es="El resultado de `{name}` no se puede enviar: {why}",
                          en="The result of `{name}` cannot be sent: {why}",
                          name=name, why=message)
        elif message.startswith("MemoryError"):
            message += say(es="\n(el sandbox permite {gib:g} GiB de memoria)",
                           en="\n(the sandbox allows {gib:g} GiB of memory)",
                           gib=self.limits.memory_bytes / 2**30)
        return StudentError(kind, message)

    def _handle_node(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Handle):
            raise channel.NotData(f"a {type(value).__name__}")
        if value._sandbox != self._id or value._incarnation != self._incarnation:
            raise StudentError("stale-handle", self._stale_message())
        return {"handle": {"id": value._id, "type": value.type_name}}

    def _stale_message(self) -> str:
        return say(
            es="Este objeto viene de una ejecución anterior del código del estudiante (el "
               "sandbox se reinició después de un error grave) y ya no existe.",
            en="This object comes from an earlier run of the student's code (the sandbox was "
               "restarted after a serious error) and no longer exists.")

    def _timeout_message(self, name: str) -> str:
        return say(es="`{name}` no terminó en {seconds:g} s: ¿un bucle infinito?",
                   en="`{name}` did not finish in {seconds:g} s: an infinite loop?",
                   name=name, seconds=self.limits.call_seconds)


def _expect_keys(reply: dict[str, Any], keys: set[str]) -> None:
    if set(reply) != keys:
        raise channel.invalid(f"a reply with fields {sorted(reply)[:10]}")


def _labels(value: Any) -> list[str]:
    if (type(value) is not list or len(value) > MAX_LABELS
            or any(type(label) is not str for label in value)):
        raise channel.invalid("a malformed list of modified arguments")
    return [label[:200] for label in value]


class _Stopped(Exception):
    """The child is gone: killed after a timeout ("timeout"), died ("crashed"), or killed
    because its channel broke the protocol ("bad-result")."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _Output:
    """The first ``limit`` bytes of what the child printed, and how many more were dropped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = max(self.limit - len(self.data), 0)
        self.data += chunk[:room]
        self.dropped += max(len(chunk) - room, 0)

    def text(self) -> str:
        text = _visible(self.data.decode("utf-8", errors="replace"))
        if self.dropped:
            text += say(es="\n[... {n} bytes más de salida no se muestran]",
                        en="\n[... {n} more bytes of output not shown]", n=self.dropped)
        return text


# Control characters (terminal escapes, carriage returns, C1 codes) and bidirectional overrides,
# shown as escapes: what the student's code prints or raises cannot rewrite a report on a terminal.
_INVISIBLE = {code: f"\\x{code:02x}" for code in (*range(32), *range(0x7f, 0xa0))
              if chr(code) not in "\n\t"}
_INVISIBLE |= {code: f"\\u{code:04x}" for code in (*range(0x202a, 0x202f),
                                                    *range(0x2066, 0x206a))}


def _visible(text: str) -> str:
    """``text`` with control characters and bidirectional overrides written as escapes."""
    return text.replace("\r\n", "\n").translate(_INVISIBLE)


class _Spare(threading.local):
    """One child started ahead of need, so the next sandbox with the same settings does not
    wait for Python and numpy to start (about 70 ms, nearly all of a sandbox's start-up).

    Taking it starts the next spare at once, which then loads while the grader works with the
    one it took. A spare runs no student code before it is taken, and dies with the grader.
    Each thread has its own: bubblewrap's --die-with-parent kills a child when the *thread*
    that started it ends, so only that thread may take it.
    """

    def __init__(self) -> None:
        self.child: _Child | None = None
        self.settings: tuple[Limits, bool] | None = None
        self.pid = os.getpid()

    def take(self, limits: Limits, isolated: bool, output: _Output) -> _Child:
        child, settings = self.child, (limits, isolated)
        self.child = None
        if self.pid != os.getpid():  # a forked grader: that spare belongs to the parent
            child, self.pid = None, os.getpid()
        elif child is not None and (self.settings != settings or not child.alive()):
            child.kill()
            child = None
        if child is None:
            child = _Child(limits, isolated, _Output(limits.output_bytes))
        output.add(bytes(child.output.data))  # what it printed while starting, normally none
        child.output = output
        self.child, self.settings = _Child(limits, isolated, _Output(output.limit)), settings
        return child


class _Child:
    """One incarnation of the sandboxed process, its three pipes, and one request at a time.

    The grader never blocks on the child: every wait goes through one selector with a deadline
    and meanwhile drains the student's output, so neither a flood nor a silent child can stall
    it.
    """

    def __init__(self, limits: Limits, isolated: bool, output: _Output) -> None:
        self.limits = limits
        self.isolated = isolated
        self.output = output
        self.reader = channel.FrameReader()
        self.ids = itertools.count(1)
        self.ended = False  # it exited or closed its channel
        requests_in, self.requests = os.pipe()
        self.replies, replies_out = os.pipe()
        self.printed, printed_out = os.pipe()
        for fd in (self.requests, self.replies):
            _enlarge_pipe(fd)
        # Without bubblewrap there is no private /tmp: give the child an empty directory.
        self.scratch = None if isolated else tempfile.mkdtemp(prefix="rnnkit-sandbox-")
        try:
            argv = child_command(limits, requests_in, replies_out, isolated=isolated)
            # A session of its own, so killing its process group reaches all it started.
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=printed_out, stderr=printed_out,
                pass_fds=(requests_in, replies_out), env=child_environment(),
                cwd=self.scratch or "/", start_new_session=True)
        except BaseException:
            for fd in (self.requests, self.replies, self.printed):
                os.close(fd)
            if self.scratch:
                shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        finally:
            for fd in (requests_in, replies_out, printed_out):
                os.close(fd)
        for fd in (self.requests, self.replies, self.printed):
            os.set_blocking(fd, False)
        self.pidfd = _pidfd(self.proc.pid)  # readable once the process has exited
        self.selector = selectors.DefaultSelector()
        for fd in (self.replies, self.printed, self.pidfd):
            if fd is not None:
                self.selector.register(fd, selectors.EVENT_READ)
        self.open_fds = [self.requests, self.replies, self.printed, self.pidfd]
        self._cleanup = weakref.finalize(self, _terminate, self.proc, self.selector,
                                         self.open_fds, self.scratch, os.getpid())

    def alive(self) -> bool:
        return self._cleanup.alive and self.proc.poll() is None

    def kill(self) -> None:
        """Kill the child and all it started, keeping what it printed. Idempotent."""
        if not self._cleanup.alive:
            return
        _kill_group(self.proc)
        self.drain()  # the pipe keeps what was written before the kill
        self._cleanup()

    def exchange(self, request: dict[str, Any] | None, chunks: Sequence[bytes],
                 seconds: float) -> tuple[dict[str, Any], bytes]:
        """Send ``request`` (None: send nothing) and return the next frame, which must be its
        reply. Raises _Stopped, with the child killed, on timeout, death or a broken frame."""
        if not self._cleanup.alive:
            raise _Stopped("crashed", "the sandbox is not running")
        request_id = None
        pending = memoryview(b"")
        if request is not None:
            request_id = next(self.ids)
            pending = memoryview(b"".join(channel.pack({**request, "id": request_id}, chunks)))
            self.selector.register(self.requests, selectors.EVENT_WRITE)
        deadline = time.monotonic() + seconds
        try:
            while True:
                frame = self._next_frame()
                if frame is not None:
                    header, body = frame
                    if type(header) is not dict or header.get("id") != request_id:
                        self.kill()
                        raise _Stopped("bad-result", "a reply that answers no request")
                    return header, body
                if self.ended:
                    self._stop_ended()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.kill()
                    raise _Stopped("timeout", "")
                events = self.selector.select(remaining if self.pidfd else min(remaining, 0.1))
                for key, _ in events:
                    if key.fd == self.requests:
                        pending = self._send(pending)
                    elif key.fd == self.replies:
                        self._receive()
                    elif key.fd == self.printed:
                        self.drain()
                    else:
                        self._receive()  # it exited: collect a reply it may have sent first
                        self.ended = True
                if self.pidfd is None and self.proc.poll() is not None:
                    self._receive()
                    self.ended = True
        finally:
            if pending and self._cleanup.alive:
                self.selector.unregister(self.requests)

    def drain(self) -> None:
        """Move whatever the child printed into the output buffer, without waiting."""
        if self.printed not in self.open_fds:
            return
        for _ in range(64):  # at most 4 MiB per call, so a flood cannot hold up a deadline
            try:
                chunk = os.read(self.printed, 65536)
            except BlockingIOError:
                return
            if not chunk:  # nobody can print any more
                self.selector.unregister(self.printed)
                self.open_fds.remove(self.printed)
                os.close(self.printed)
                return
            self.output.add(chunk)

    def _send(self, pending: memoryview) -> memoryview:
        try:
            pending = pending[os.write(self.requests, pending[:2**20]):]
        except BlockingIOError:
            return pending
        except BrokenPipeError:  # it closed its end: it cannot answer
            pending = memoryview(b"")
            self.ended = True
        if not pending:
            self.selector.unregister(self.requests)
        return pending

    def _receive(self) -> None:
        """Read all the child has sent so far; an end of input means it has ended."""
        while True:
            try:
                data = os.read(self.replies, 2**20)
            except BlockingIOError:
                return
            if not data:
                self.ended = True
                return
            self.reader.feed(data)

    def _next_frame(self) -> tuple[Any, bytes] | None:
        try:
            return self.reader.next_frame()
        except StudentError as error:  # the stream cannot be trusted any more
            self.kill()
            raise _Stopped("bad-result", error.message) from None

    def _stop_ended(self) -> None:
        """The child exited or closed its channel: kill what is left and say why."""
        try:
            code = self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:  # still running, but it closed its channel
            self.kill()
            raise _Stopped("crashed", say(es="dejó de responder",
                                          en="it stopped answering")) from None
        self.kill()
        raise _Stopped("crashed", _describe_exit(code, self.isolated, self.limits))


def _describe_exit(code: int, isolated: bool, limits: Limits) -> str:
    """What an exit status says happened, in the student's words."""
    # bubblewrap reports a child killed by signal N as exit status 128 + N.
    number = -code if code < 0 else code - 128 if isolated and 128 < code < 193 else 0
    if not number:
        return say(
            es="el proceso terminó con código {code} (¿sys.exit(), exit() u os._exit() en el "
               "código?)",
            en="the process ended with exit code {code} (sys.exit(), exit() or os._exit() in "
               "the code?)", code=code)
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number == signal.SIGXCPU:
        return say(
            es="el proceso fue terminado ({name}): ¿usó más de {cpu} s de CPU?",
            en="the process was killed ({name}): did it use more than {cpu} s of CPU time?",
            name=name, cpu=limits.cpu_seconds)
    if number == signal.SIGKILL:
        # Past the CPU limit the child first gets SIGXCPU, which ends it: SIGKILL is rarer.
        return say(
            es="el proceso fue terminado ({name}): por su propio código (os.kill, os.killpg) o "
               "por usar demasiada CPU ({cpu} s) o memoria",
            en="the process was killed ({name}): by its own code (os.kill, os.killpg) or for "
               "using too much CPU time ({cpu} s) or memory",
            name=name, cpu=limits.cpu_seconds)
    if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
        return say(
            es="el proceso se cayó ({name}), a menudo por quedarse sin memoria (límite: "
               "{gib:g} GiB)",
            en="the process crashed ({name}), often from running out of memory (limit: "
               "{gib:g} GiB)", name=name, gib=limits.memory_bytes / 2**30)
    return say(es="el proceso fue terminado por la señal {name}",
               en="the process was killed by signal {name}", name=name)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # bwrap leads the group; inside, its pid namespace dies with it (--die-with-parent, and
    # the namespace's init is bwrap's), taking along daemons that left the group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _terminate(proc: subprocess.Popen[bytes], selector: selectors.BaseSelector,
               fds: list[int | None], scratch: str | None, owner: int) -> None:
    """Final cleanup of a child, also run if a Sandbox is garbage-collected unclosed or the
    grader exits. A forked copy of the grader only closes its copies of the pipes."""
    if proc.returncode is None and os.getpid() == owner:
        _kill_group(proc)
    selector.close()
    for fd in fds:
        if fd is not None:
            os.close(fd)
    fds.clear()
    if scratch and os.getpid() == owner:
        shutil.rmtree(scratch, ignore_errors=True)


_spare = _Spare()


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # Linux older than 5.3: poll instead
        return None


def _enlarge_pipe(fd: int) -> None:
    # Fewer wake-ups for large arrays; the default 64 KiB also works.
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 2**20)
    except (ImportError, AttributeError, OSError):
        pass
