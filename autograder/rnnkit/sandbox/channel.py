"""The narrow channel between the grader and the sandboxed child: frames of plain numeric data.

A frame is a 12-byte prefix (header length as u32, body length as u64, little-endian), a JSON
header and a raw body. The header holds the structure of the message; every array in it is a
node ``{"array": {"dtype", "shape", "offset", "nbytes"}}`` that points into the body. Nothing is
ever pickled or executed: the receiver rebuilds plain Python values and fresh ``np.ndarray``
copies after validating every field, so a hostile child can at worst send wrong numbers, never
objects with behaviour.

Value nodes in a header:
- ``null``, ``true``/``false``, a JSON integer (64-bit range) or a JSON float: themselves;
- ``{"array": meta}`` and ``{"scalar": meta}`` (a numpy scalar, i.e. a 0-d array unwrapped);
- ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"dict": {str: node}}``;
- ``{"handle": {"id": int, "type": str}}``: an object that stayed inside the child;
- ``{"ref": {"result": int, "node": int}}`` (grader to child only): the very object the child
  sent as node number ``node`` of the result of request ``result``. Nodes are numbered in the
  order they appear in a header, counting only lists, tuples, dicts and arrays (from 0, the
  outermost); the Encoder's ``keep`` and decode's ``made`` number them alike.

What counts as data (Encoder): exactly ``tuple`` and ``list``, not their subclasses, whose
class is behaviour the student's own code relies on (a namedtuple cache read as ``cache.x_t``);
but any dict, as its entries (an OrderedDict or defaultdict of gradients is judged like a
dict). Arrays and scalars of the dtypes in DTYPES go as they are; of other float dtypes
(float16, longdouble) as float64, whose precision is all the comparisons use; any other dtype
is not data.

The child imports this module inside the sandbox, where rnnkit is not visible, so it imports
only the standard library and numpy.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

DTYPES = ("float64", "float32", "int64", "int32", "bool")
MAX_DEPTH = 32
MAX_NDIM = 32
MAX_NODES = 100_000
MAX_DATA_BYTES = 64 * 2**20
MAX_HEADER_BYTES = 4 * 2**20
MAX_BODY_BYTES = MAX_DATA_BYTES + 8 * MAX_NODES  # arrays plus their alignment padding
MAX_TYPE_NAME = 80

_NATIVE = {np.dtype(name): name for name in DTYPES}  # in native byte order
_TYPE_NAME = type.__dict__["__name__"]
_PREFIX = struct.Struct("<IQ")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_ARRAY_KEYS = frozenset({"dtype", "shape", "offset", "nbytes"})
_PIECE_BYTES = 2**20  # what arrives in smaller pieces is gathered up to this size


class StudentError(Exception):
    """Student code failed in a way the grader reports rather than crashes on.

    ``kind`` is one of "missing", "exception", "timeout", "crashed", "bad-result" or
    "stale-handle"; ``message`` (also ``str(error)``) is the explanation for the student.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class NotData(Exception):
    """A value is not plain numeric data (the child then keeps it and returns a handle)."""


def invalid(reason: str) -> StudentError:
    """The error for anything received that breaks the protocol."""
    return StudentError("bad-result", f"invalid data from the sandbox: {reason}")


# --- values -----------------------------------------------------------------------------------


class Encoder:
    """Turns plain numeric data into header nodes, collecting array bytes in ``chunks``.

    ``other`` encodes any value that is not plain data (the grader sends its Handles this way);
    without it such a value raises NotData. ``refer`` is asked first about every list, tuple,
    dict and array and may return the node to send instead (the grader's references); when it
    returns None the value is encoded as data. ``keep`` collects ``(value, node)`` for every
    list, tuple, dict and array encoded, in the numbering of references. More than
    MAX_DATA_BYTES of arrays or MAX_NODES values raises StudentError("bad-result").
    """

    def __init__(self, other: Callable[[Any], Any] | None = None, *,
                 refer: Callable[[Any], Any] | None = None,
                 keep: list[list[Any]] | None = None) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self._nodes = 0
        self.other = other  # these three may change between values
        self.refer = refer
        self.keep = keep

    def mark(self) -> tuple[int, int, int, int]:
        """The current state, to undo a value that turned out not to be data."""
        kept = len(self.keep) if self.keep is not None else 0
        return len(self.chunks), self.size, self._nodes, kept

    def rollback(self, mark: tuple[int, int, int, int]) -> None:
        """Forget everything encoded since ``mark``."""
        del self.chunks[mark[0]:]
        self.size, self._nodes = mark[1], mark[2]
        if self.keep is not None:
            del self.keep[mark[3]:]

    def body(self) -> bytes:
        """The frame body of what was encoded so far."""
        return b"".join(self.chunks)

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The header node for ``value``; raises NotData when it is not plain numeric data."""
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise StudentError("bad-result", f"the result holds more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise NotData(f"nested more than {MAX_DEPTH} levels deep")
        # Exact types only, looked up on type() (which an object cannot fake, unlike
        # __class__), and containers read through the base classes' own methods, so no
        # student-defined method decides what gets sent.
        kind = type(value)
        if value is None or kind is bool or kind is float:
            return value
        if kind is int:
            if not _INT64_MIN <= value <= _INT64_MAX:
                raise NotData("an integer beyond 64 bits")
            return value
        if issubclass(kind, np.generic):
            return {"scalar": self._array(np.asarray(value))}
        numbered = (issubclass(kind, np.ndarray) or kind is tuple or kind is list
                    or issubclass(kind, dict))
        if not numbered:
            if self.other is not None:
                return self.other(value)
            # The class's name through type's own descriptor: a metaclass runs no code here.
            raise NotData(f"a {_TYPE_NAME.__get__(kind)[:MAX_TYPE_NAME]}")
        if self.refer is not None:
            node = self.refer(value)
            if node is not None:
                return node
        if self.keep is not None:  # numbered before its items, as the decoder numbers it
            slot = [value, None]
            self.keep.append(slot)
        node = self._container_or_array(kind, value, depth)
        if self.keep is not None:
            slot[1] = node
        return node

    def _container_or_array(self, kind: type, value: Any, depth: int) -> dict[str, Any]:
        if issubclass(kind, np.ndarray):
            return {"array": self._array(np.ndarray.view(value, np.ndarray))}
        if kind is tuple or kind is list:
            items = [self.encode(item, depth + 1) for item in value]
            return {"tuple" if kind is tuple else "list": items}
        entries = {}
        for key, item in dict.items(value):
            if type(key) is not str:
                raise NotData("a dict with a key that is not a str")
            entries[key] = self.encode(item, depth + 1)
        return {"dict": entries}

    def _array(self, array: np.ndarray) -> dict[str, Any]:
        name = _NATIVE.get(array.dtype)  # the usual case, quickly (dtype.name takes a few µs)
        if name is None:
            name = array.dtype.name
            if array.dtype.kind == "f" and name not in DTYPES:  # float16, longdouble
                array, name = array.astype(np.float64), "float64"
            if name not in DTYPES or array.dtype.fields is not None:
                raise NotData(f"an array of dtype {name}")
            array = array.astype(np.dtype(name))  # native byte order
        if array.ndim > MAX_NDIM:
            raise NotData(f"an array with more than {MAX_NDIM} dimensions")
        if self.size + array.nbytes > MAX_DATA_BYTES:
            raise StudentError(
                "bad-result", f"the result is too large (more than {MAX_DATA_BYTES >> 20} MiB)")
        # Native byte order, C order: exactly what the receiver's np.frombuffer expects.
        data = array.tobytes(order="C")
        padding = -self.size % 8  # aligned offsets let the receiver view before copying
        if padding:
            self.chunks.append(bytes(padding))
            self.size += padding
        meta = {"dtype": name, "shape": list(array.shape), "offset": self.size,
                "nbytes": len(data)}
        self.chunks.append(data)
        self.size += len(data)
        return meta


def decode(node: Any, body: bytes | bytearray | memoryview,
           handle: Callable[[int, str], Any] | None = None, *,
           reference: Callable[[int, int], Any] | None = None,
           made: list[tuple[Any, Any]] | None = None) -> Any:
    """The value described by header ``node`` and frame ``body``, validated strictly.

    Outputs only None, bool, int, float, str (as dict keys), numpy scalars of the allowed
    dtypes, fresh writable ``np.ndarray`` copies, and lists, tuples and dicts of these.
    ``handle(id, type_name)`` builds the value for a handle node and ``reference(result,
    node)`` for a reference node; without them such nodes are invalid. ``made`` collects
    ``(value, node)`` for every list, tuple, dict and array built, in the numbering of
    references. Anything malformed raises StudentError("bad-result").
    """
    return _Decoder(memoryview(body), handle, reference, made).value(node, 0)


def same_value(a: Any, body_a: bytes | memoryview, b: Any, body_b: bytes | memoryview) -> bool:
    """Whether header node ``a`` (of a frame with body ``body_a``) and node ``b`` (body
    ``body_b``) describe the same value: the same structure, numbers and array bytes, the same
    handles and references. Both nodes were made by an Encoder or validated by decode."""
    bytes_a, bytes_b = memoryview(body_a), memoryview(body_b)
    pairs = [(a, b)]  # still to compare; a loop rather than recursion, for speed
    while pairs:
        x, y = pairs.pop()
        kind = type(x)
        if kind is not type(y):
            return False
        if kind is float:
            if repr(x) != repr(y):  # NaN is NaN, and -0.0 is not 0.0
                return False
        elif kind is not dict:
            if x != y:
                return False
        else:
            ((tag, p),), ((other_tag, q),) = x.items(), y.items()
            if tag != other_tag:
                return False
            if tag in ("list", "tuple"):
                if len(p) != len(q):
                    return False
                pairs += zip(p, q, strict=True)
            elif tag == "dict":
                if list(p) != list(q):
                    return False
                pairs += ((p[key], q[key]) for key in p)
            elif tag in ("array", "scalar"):
                if (p["dtype"] != q["dtype"] or p["shape"] != q["shape"]
                        or p["nbytes"] != q["nbytes"]
                        or bytes_a[p["offset"]:p["offset"] + p["nbytes"]]
                        != bytes_b[q["offset"]:q["offset"] + q["nbytes"]]):
                    return False
            elif tag == "handle":
                if p["id"] != q["id"]:
                    return False
            elif p != q:
                return False
    return True


class _Decoder:
    def __init__(self, body: memoryview, handle: Callable[[int, str], Any] | None,
                 reference: Callable[[int, int], Any] | None,
                 made: list[tuple[Any, Any]] | None) -> None:
        self.body = body
        self.handle = handle
        self.reference = reference
        self.made = made
        self.nodes = 0
        self.data = 0

    def value(self, node: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise invalid(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise invalid(f"nested more than {MAX_DEPTH} levels deep")
        kind = type(node)
        if node is None or kind is bool or kind is float:
            return node
        if kind is int:
            if not _INT64_MIN <= node <= _INT64_MAX:
                raise invalid("an integer beyond 64 bits")
            return node
        if kind is not dict or len(node) != 1:
            raise invalid(f"unexpected {kind.__name__} where a value belongs")
        ((tag, content),) = node.items()
        if tag in ("list", "tuple", "dict", "array"):
            if self.made is None:
                return self.numbered(tag, content, depth)
            slot = len(self.made)  # numbered before its items, as the Encoder numbers it
            self.made.append((None, node))
            value = self.numbered(tag, content, depth)
            self.made[slot] = (value, node)
            return value
        if tag == "scalar":
            array = self.array(content)
            if array.ndim:
                raise invalid("a scalar with a shape")
            return array[()]
        if tag == "handle" and self.handle is not None:
            if (type(content) is not dict or set(content) != {"id", "type"}
                    or not _is_id(content["id"]) or type(content["type"]) is not str):
                raise invalid("a malformed handle")
            return self.handle(content["id"], content["type"][:MAX_TYPE_NAME])
        if tag == "ref" and self.reference is not None:
            if (type(content) is not dict or set(content) != {"result", "node"}
                    or not _is_id(content["result"]) or not _is_id(content["node"])):
                raise invalid("a malformed reference")
            return self.reference(content["result"], content["node"])
        raise invalid(f"unknown node {tag[:40]!r}")

    def numbered(self, tag: str, content: Any, depth: int) -> Any:
        if tag == "array":
            return self.array(content)
        if tag == "dict":
            if type(content) is not dict:
                raise invalid("the entries of a dict are not a JSON object")
            # JSON object keys are always str, so the keys need no further check.
            return {key: self.value(item, depth + 1) for key, item in content.items()}
        if type(content) is not list:
            raise invalid(f"the items of a {tag} are not a JSON list")
        items = [self.value(item, depth + 1) for item in content]
        return items if tag == "list" else tuple(items)

    def array(self, meta: Any) -> np.ndarray:
        if type(meta) is not dict or set(meta) != _ARRAY_KEYS:
            raise invalid("array metadata must have exactly dtype, shape, offset, nbytes")
        name, shape, offset, nbytes = meta["dtype"], meta["shape"], meta["offset"], meta["nbytes"]
        if type(name) is not str or name not in DTYPES:
            raise invalid(f"array dtype {str(name)[:40]!r} is not one of {', '.join(DTYPES)}")
        if (type(shape) is not list or len(shape) > MAX_NDIM
                or any(type(n) is not int or n < 0 for n in shape)):
            raise invalid("array shape must be a list of at most 32 non-negative integers")
        if type(offset) is not int or type(nbytes) is not int or offset < 0 or nbytes < 0:
            raise invalid("array offset and nbytes must be non-negative integers")
        dtype = np.dtype(name)
        count = math.prod(shape)
        if count * dtype.itemsize != nbytes:
            raise invalid("array nbytes does not match its shape and dtype")
        if offset + nbytes > len(self.body):
            raise invalid("array data lies outside the frame")
        # The total, not just the frame size: many arrays may point at the same bytes.
        self.data += nbytes
        if self.data > MAX_DATA_BYTES:
            raise invalid(f"more than {MAX_DATA_BYTES >> 20} MiB of arrays")
        try:
            if count == 0:
                return np.zeros(shape, dtype)
            array = np.frombuffer(self.body, dtype, count, offset).reshape(shape)
        except (ValueError, OverflowError) as error:
            raise invalid(f"array cannot be built ({error})") from None
        if name == "bool":
            return array.view(np.uint8) != 0  # any byte other than 0 or 1 made canonical
        return array.copy()


def _is_id(value: Any) -> bool:
    return type(value) is int and 0 <= value < 2**53


# --- frames -----------------------------------------------------------------------------------


def pack(header: dict[str, Any], chunks: Sequence[bytes] = ()) -> list[bytes]:
    """The parts of one frame, to be written in order."""
    head = json.dumps(header, separators=(",", ":")).encode()
    return [_PREFIX.pack(len(head), sum(len(chunk) for chunk in chunks)), head, *chunks]


def parse_header(raw: bytes | bytearray | memoryview) -> Any:
    """The JSON header of a frame; StudentError("bad-result") if it is not JSON."""
    try:
        return json.loads(bytes(raw))
    except (ValueError, RecursionError) as error:  # includes bad UTF-8 and huge integers
        raise invalid(f"the header is not valid JSON ({str(error)[:80]})") from None


class FrameReader:
    """Reassembles frames from bytes arriving in pieces, refusing oversized ones early.

    Feed it whatever the pipe gives, then call ``next_frame()`` until it returns None.

    It hands out copies, never a view of a buffer that later changes size: a sampling
    profiler, tracer or debugger that keeps a frame object (and with it that frame's locals)
    could otherwise keep such a view alive and make every later read fail ("BufferError:
    Existing exports of data: object cannot be re-sized"). What arrives in small pieces is
    gathered in a private bytearray that nothing outside this class ever sees, so that a
    child writing a byte at a time cannot make it keep millions of tiny objects.
    """

    def __init__(self, max_header: int = MAX_HEADER_BYTES, max_body: int = MAX_BODY_BYTES):
        self._pieces: list[bytes] = []  # what arrived and is not handed out yet, in order ...
        self._tail = bytearray()  # ... followed by this, where small pieces are gathered
        self._start = 0  # bytes of the first piece already handed out
        self._unread = 0  # bytes in the pieces (after ``_start``) and the tail
        self._max_header = max_header
        self._max_body = max_body

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self._unread += len(data)
        if not self._tail and len(data) >= _PIECE_BYTES:
            self._pieces.append(bytes(data))
        else:
            self._tail += data
            if len(self._tail) >= _PIECE_BYTES:
                self._seal()

    def next_frame(self) -> tuple[Any, bytes] | None:
        """The next complete (header, body), or None while it is incomplete."""
        if self._unread < _PREFIX.size:
            return None
        head_len, body_len = _PREFIX.unpack_from(self._first(_PREFIX.size), self._start)
        if head_len > self._max_header or body_len > self._max_body:
            raise invalid(f"a frame of {head_len} + {body_len} bytes exceeds the size limits")
        size = _PREFIX.size + head_len + body_len
        if self._unread < size:
            return None
        data = self._first(size)
        start = self._start + _PREFIX.size
        header = parse_header(data[start:start + head_len])
        body = data[start + head_len:self._start + size]
        self._hand_out(size)
        return header, body

    @property
    def pending(self) -> int:
        """Bytes received that are not part of a frame handed out yet."""
        return self._unread

    def _seal(self) -> None:
        """Make the gathered small pieces one piece."""
        if self._tail:
            self._pieces.append(bytes(self._tail))
            self._tail.clear()

    def _first(self, size: int) -> bytes:
        """The first piece, made to hold at least ``size`` unread bytes after ``_start``, which
        must have arrived (the pieces are joined once a frame is complete, so a large frame is
        copied once)."""
        if not self._pieces or len(self._pieces[0]) - self._start < size:
            self._seal()
            if len(self._pieces[0]) - self._start < size:
                self._pieces = [b"".join([self._pieces[0][self._start:], *self._pieces[1:]])]
                self._start = 0
        return self._pieces[0]

    def _hand_out(self, size: int) -> None:
        """Forget the first ``size`` unread bytes (all within the first piece)."""
        self._start += size
        self._unread -= size
        if self._start == len(self._pieces[0]):
            del self._pieces[0]
            self._start = 0


def unpack(frame: bytes) -> tuple[Any, bytes]:
    """The (header, body) of one complete frame and nothing else."""
    reader = FrameReader()
    reader.feed(frame)
    parts = reader.next_frame()
    if parts is None or reader.pending:
        raise invalid("not exactly one complete frame")
    return parts


def read_frame(fd: int, max_header: int, max_body: int) -> tuple[Any, bytes] | None:
    """Block until one whole frame arrives on ``fd``; None at end of input."""
    prefix = _read_exact(fd, _PREFIX.size)
    if prefix is None:
        return None
    head_len, body_len = _PREFIX.unpack(prefix)
    if head_len > max_header or body_len > max_body:
        raise invalid(f"a frame of {head_len} + {body_len} bytes exceeds the size limits")
    head = _read_exact(fd, head_len)
    body = _read_exact(fd, body_len)
    if head is None or body is None:
        raise invalid("the input ended inside a frame")
    return parse_header(head), bytes(body)


def write_frame(fd: int, header: dict[str, Any], chunks: Sequence[bytes] = ()) -> None:
    """Write one frame to the blocking descriptor ``fd``."""
    write_parts(fd, pack(header, chunks))


def write_parts(fd: int, parts: Sequence[bytes]) -> None:
    """Write the parts of a frame made by :func:`pack` to the blocking descriptor ``fd``."""
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            return None
        got += n
    return buffer
