"""Where student code runs: whether bubblewrap works here, the command line that starts the
sandboxed child, and the resource limits the child applies to itself.

bubblewrap runs in one of two ways:
- as an ordinary user (instructors): it creates a user namespace; the child runs as that user
  with no capabilities and cannot create further user namespaces (``--disable-userns``).
- as root (CI, containers): it needs no user namespace and mounts with root's rights, so it can
  also bind a Python installed under a private home such as /root/.pyenv. The child keeps only
  CAP_SETUID and CAP_SETGID, and uses them to become an unprivileged uid in 60000-64999 (see
  sandbox_uid) before any student code runs.

Either way the child gets new pid, network, IPC and UTS namespaces, a read-only view of /usr,
the Python installation and the site-packages holding numpy, a size-capped /tmp as the only
writable place, and nothing else: not the repository, not the home directory, not the kit.

A system-call filter (seccomp, see seccomp.py), loaded by bubblewrap just before it
starts Python, closes what namespaces leave shared between students: kernel keyrings belong to
a uid, and sandbox uids come back for later students (see sandbox_uid).

The rlimits are applied by child.py itself, first thing, before it imports numpy or reads any
request; a preexec hook in the grader would force a fork of the whole grader process (and is
unsafe with threads), and setting RLIMIT_NPROC inside the sandbox's user namespace counts only
the sandbox's own processes.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import platform
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from rnnkit.sandbox.seccomp import MACHINES, has_filter, syscall_filter_fd

HERE = Path(__file__).resolve().parent
CHILD_FILES = ("child.py", "channel.py")
INSIDE = "/sandbox"  # where the two child files appear inside the sandbox
MASKED_PACKAGES = ("rnnkit", "solutions")  # hidden from students even if installed as copies
SANDBOX_PATH = "/usr/bin:/bin"
_uid_slots = itertools.count()


@dataclass(frozen=True)
class Limits:
    """What one sandbox may use. Times are in seconds, sizes in bytes."""

    cpu_seconds: int = 20  # CPU time of the child process over its whole life (RLIMIT_CPU)
    call_seconds: float = 10.0  # wall-clock time for one call
    cell_seconds: float = 10.0  # wall-clock time for one cell
    function_seconds: float = 30.0  # wall-clock time of all calls of one function together
    # Wall-clock time of all the child's work for one submission: cells, calls, and restarts
    # after a crash (honest work takes about 1 s; the first start is the kit's and is free).
    # Measured on the grader's monotonic clock while it waits for the child, so a very loaded
    # machine eats into it.
    submission_seconds: float = 60.0
    memory_bytes: int = 3 * 2**30  # address space per process (RLIMIT_AS)
    processes: int = 32  # processes and threads of the sandbox (RLIMIT_NPROC)
    file_bytes: int = 16 * 2**20  # largest file it may write (RLIMIT_FSIZE)
    open_files: int = 64  # open file descriptors (RLIMIT_NOFILE)
    scratch_bytes: int = 32 * 2**20  # size of its private /tmp
    output_bytes: int = 64 * 1024  # printed output kept for the report


@dataclass(frozen=True)
class Isolation:
    """How student code can be isolated here: ``kind`` is "bwrap" or "none", ``detail`` says
    what works, or why nothing does."""

    kind: str
    detail: str


@functools.cache
def detect_isolation() -> Isolation:
    """Try a trivial sandbox once (about 10 ms) and remember the answer."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Isolation("none", "bwrap not found: install bubblewrap")
    version = _bwrap_version(bwrap)
    if not has_filter():
        return Isolation("none", f"no system-call filter for {platform.machine()} machines "
                         f"(rnnkit has one for {', '.join(MACHINES)})")
    filter_fd = syscall_filter_fd()
    argv = [bwrap, *_namespace_options(), "--seccomp", str(filter_fd), *_system_mounts(),
            *_scratch_mounts(2**20), "true"]
    try:
        result = subprocess.run(argv, env=child_environment(), stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=30, pass_fds=(filter_fd,))
    except (OSError, subprocess.TimeoutExpired) as error:
        return Isolation("none", f"{version} cannot start ({error})")
    finally:
        os.close(filter_fd)
    if result.returncode == 0:
        how = ("run as root; student code runs as an unprivileged uid" if _as_root()
               else "with user namespaces")
        return Isolation("bwrap", f"{version} {how}")
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    reason = lines[-1] if lines else f"exit code {result.returncode}"
    if "Unknown option" in reason:
        reason += "; bubblewrap 0.8.0 or newer is needed"
    return Isolation("none", f"{version} cannot create a sandbox ({reason})")


def child_command(limits: Limits, requests: int, replies: int, *, isolated: bool,
                  syscall_filter: int | None = None) -> list[str]:
    """The command that starts child.py, inside bubblewrap when ``isolated``.

    Inputs: the limits, the child's ends of the request and reply pipes and, when
    ``isolated``, a descriptor from :func:`syscall_filter_fd` (all passed to it as these same
    descriptor numbers). Run it with :func:`child_environment` as its environment.
    """
    python = os.path.realpath(sys.executable)
    flags = ["-S", "-s", "-B", "-u"]  # no site, no user site, no bytecode files, unbuffered
    config = {"requests": requests, "replies": replies, "rlimits": rlimits(limits, isolated)}
    if not isolated:
        config |= {"path": _site_dirs(), "uid": None}
        return [python, *flags, str(HERE / "child.py"), json.dumps(config)]
    if syscall_filter is None:
        raise ValueError("a sandboxed child needs its system-call filter (syscall_filter_fd)")
    mounts, inside_paths = _python_mounts(python)
    config |= {"path": inside_paths, "uid": sandbox_uid() if _as_root() else None}
    return [shutil.which("bwrap") or "bwrap", *_namespace_options(),
            "--seccomp", str(syscall_filter), *_system_mounts(),
            *mounts, *_scratch_mounts(limits.scratch_bytes), "--chdir", "/tmp",
            python, *flags, f"{INSIDE}/child.py", json.dumps(config)]


def child_environment() -> dict[str, str]:
    """The child's entire environment: nothing of the grader's (no secrets, no PYTHONPATH)."""
    return {
        "PATH": SANDBOX_PATH, "HOME": "/tmp", "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
    }


def rlimits(limits: Limits, isolated: bool) -> dict[str, list[int]]:
    """The (soft, hard) rlimits child.py sets on itself, by name of the resource constant."""
    processes = limits.processes
    if not isolated and not _as_root():
        # Without a sandbox, RLIMIT_NPROC counts every process of this user.
        processes += _user_tasks()
    cpu = limits.cpu_seconds
    return {
        "RLIMIT_AS": [limits.memory_bytes] * 2,
        "RLIMIT_CPU": [cpu, cpu + 1],  # SIGXCPU at the soft limit, SIGKILL a second later
        "RLIMIT_NPROC": [processes] * 2,
        "RLIMIT_FSIZE": [limits.file_bytes] * 2,
        "RLIMIT_NOFILE": [limits.open_files] * 2,
        "RLIMIT_CORE": [0, 0],
    }


def sandbox_uid() -> int:
    """The unprivileged uid (and gid) student code runs as when the grader is root.

    RLIMIT_NPROC counts processes per uid, so each grader process gets its own block of 8
    uids in 60000-64999 and each new child the next uid of the block: neither parallel
    graders nor a fork bomb still being torn down eat into a new child's processes.
    """
    return 60000 + (os.getpid() % 625) * 8 + next(_uid_slots) % 8


def _as_root() -> bool:
    return os.geteuid() == 0


def _bwrap_version(bwrap: str) -> str:
    try:
        result = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10)
        return result.stdout.strip() or "bubblewrap"
    except (OSError, subprocess.TimeoutExpired):
        return "bubblewrap"


def _namespace_options() -> list[str]:
    options = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
               "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if _as_root():
        return options + ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return options + ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]


def _system_mounts() -> list[str]:
    mounts = ["--ro-bind", "/usr", "/usr"]
    for path in ("/etc/ld.so.cache", "/etc/fonts"):  # libraries; fonts for plotting cells
        mounts += ["--ro-bind-try", path, path]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):  # merged /usr: /lib -> usr/lib
            mounts += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            mounts += ["--ro-bind", path, path]
    return mounts


def _scratch_mounts(size: int) -> list[str]:
    # /dev/shm is a directory of bwrap's /dev tmpfs, which has no size limit: make /dev
    # read-only (device nodes such as /dev/null stay usable). /tmp is the only writable place;
    # "/" is remounted read-only last, after every directory has been created on it.
    return ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
            "--perms", "1777", "--size", str(size), "--tmpfs", "/tmp", "--remount-ro", "/"]


def _python_mounts(python: str) -> tuple[list[str], list[str]]:
    """Read-only binds of the interpreter, its stdlib, the site-packages and child.py, and
    the site-packages' paths inside the sandbox."""
    mounts: list[str] = []
    bound = ["/usr"]
    created: set[str] = set()

    def bind(source: str, target: str) -> None:
        # bwrap creates missing parents as 0700 root-owned dirs when it runs as root, which
        # the unprivileged child could not enter: create them first, world-readable.
        for parent in reversed(Path(target).parents[:-1]):
            if str(parent) not in created and not _covered(str(parent), bound):
                mounts.extend(["--perms", "0755", "--dir", str(parent)])
                created.add(str(parent))
        mounts.extend(["--ro-bind", source, target])
        bound.append(target)

    for root in (sys.base_prefix, sys.base_exec_prefix, os.path.dirname(python)):
        root = os.path.realpath(root)
        if not _covered(root, bound):
            bind(root, root)
    inside_paths = []
    for index, directory in enumerate(_site_dirs()):
        inside = directory if _covered(directory, bound) else f"{INSIDE}/site{index}"
        if inside != directory:
            bind(directory, inside)
        inside_paths.append(inside)
        for name in MASKED_PACKAGES:
            if os.path.isdir(os.path.join(directory, name)):
                hidden = f"{inside}/{name}"
                mounts.extend(["--size", "4096", "--tmpfs", hidden, "--remount-ro", hidden])
    for name in CHILD_FILES:
        bind(str(HERE / name), f"{INSIDE}/{name}")
    return mounts, inside_paths


def _site_dirs() -> list[str]:
    """The directory numpy is installed in, then the other site-packages of this Python."""
    spec = find_spec("numpy")
    locations = (spec.submodule_search_locations or []) if spec else []
    numpy_dirs = [os.path.dirname(location) for location in locations]
    dirs = []
    for directory in [*numpy_dirs, *site.getsitepackages()]:
        directory = os.path.realpath(directory)
        if os.path.isdir(directory) and directory not in dirs:
            dirs.append(directory)
    return dirs


def _covered(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _user_tasks() -> int:
    """How many processes and threads this user has now (what RLIMIT_NPROC counts)."""
    uid, count = str(os.getuid()), 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # the process ended meanwhile
        if fields.get("Uid", "").split()[:1] == [uid]:
            count += int(fields.get("Threads", "1"))
    return count
