"""The system-call filter of the sandbox: a seccomp program that bubblewrap loads (``--seccomp
FD``) just before it starts Python, so it binds all student code.

Namespaces leave some kernel state shared between students: kernel keyrings belong to a uid,
and sandbox uids come back for later students (see isolation.sandbox_uid). The filter refuses
those calls, and new namespaces, mounts, tracing and other kernel interfaces no honest answer
uses (see _DENIED), much as Docker's default profile does. It is a small classic-BPF program
assembled here rather than built with libseccomp, so an instructor's installation needs nothing
but numpy and bubblewrap; tests/test_sandbox_integrity.py runs it through a BPF interpreter and
checks its numbers against the kernel's tables.
"""

from __future__ import annotations

import errno
import functools
import os
import platform
import struct
import sys

# Everything is allowed except the calls below, which no honest answer makes: those of Docker's
# default refusals that matter here, i.e. state outside the sandbox's namespaces and kernel
# interfaces that are a common way out of containers.
_DENIED = (
    # Kernel keyrings belong to a uid, not to a namespace: a key added here could be read by
    # a later student whose sandbox gets the same uid (the persistent keyring even outlives
    # every process).
    "add_key", "request_key", "keyctl",
    # Joining namespaces and changing mounts (new namespaces: see _NAMESPACE_FLAGS).
    "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    # Other processes' memory, and kernel interfaces with a record of exploits.
    "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # The machine itself; these also need capabilities the child does not have.
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "name_to_handle_at", "open_by_handle_at", "acct", "swapon", "swapoff", "syslog",
    "quotactl",
)
# Numbers per machine, from the kernel's syscall tables: (x86_64, aarch64).
_SYSCALLS = {
    "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219),
    "setns": (308, 268), "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41),
    "chroot": (161, 51), "open_tree": (428, 428), "move_mount": (429, 429),
    "fsopen": (430, 430), "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "mount_setattr": (442, 442), "ptrace": (101, 117), "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271), "bpf": (321, 280), "perf_event_open": (298, 241),
    "userfaultfd": (323, 282), "io_uring_setup": (425, 425), "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427), "kexec_load": (246, 104), "kexec_file_load": (320, 294),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "reboot": (169, 142), "name_to_handle_at": (303, 264), "open_by_handle_at": (304, 265),
    "acct": (163, 89), "swapon": (167, 224), "swapoff": (168, 225), "syslog": (103, 116),
    "quotactl": (179, 60),
    "clone": (56, 220), "clone3": (435, 435), "unshare": (272, 97), "socket": (41, 198),
}
# platform.machine() -> (AUDIT_ARCH_* value the kernel reports, column of _SYSCALLS).
_ARCHES = {"x86_64": (0xC000003E, 0), "aarch64": (0xC00000B7, 1)}
MACHINES = tuple(_ARCHES)
"""The machines (platform.machine()) the filter exists for."""
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET and NEWTIME (0x80 is also
# in clone's exit-signal byte, but no signal number reaches 128).
_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 \
    | 0x20000000 | 0x40000000 | 0x00000080
_AF_VSOCK = 40  # sockets to the hypervisor and other VMs: no network namespace stops them
_X32_SYSCALL_BIT = 0x40000000  # x32 calls: the x86_64 arch value, numbers with this bit
# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian:
# the low half of args[0] is at 16).
_NR, _ARCH, _ARG0_LOW = 0, 4, 16
_RET_ALLOW, _RET_KILL_PROCESS, _RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_LOAD_WORD, _RETURN = 0x20, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_RET|BPF_K
_JUMP_EQUAL, _JUMP_AT_LEAST, _JUMP_ANY_BIT = 0x15, 0x35, 0x45  # BPF_JMP|BPF_JEQ/JGE/JSET|BPF_K


def syscall_filter_fd() -> int:
    """A descriptor to read the compiled system-call filter from, for bubblewrap's
    ``--seccomp FD`` (which reads it to the end). The caller passes it to the child and closes
    it. Raises RuntimeError on a machine with no filter (see detect_isolation)."""
    program = syscall_filter()
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, program)  # a few hundred bytes: the pipe holds them all
    finally:
        os.close(write_end)
    return read_end


@functools.cache
def syscall_filter() -> bytes:
    """The compiled filter (classic BPF, as bubblewrap's --seccomp expects) for this machine.

    A call from another ABI than the machine's own (i386 via int 0x80, x32, arm32) ends the
    process: the filter's numbers would not apply to it, and honest code never makes one.
    Denied calls fail with EPERM; clone3 with ENOSYS, so that the C library falls back to
    clone, whose flags (unlike clone3's, which sit in memory) the filter can read.
    Raises RuntimeError on other machines than x86_64 and aarch64.
    """
    numbers = _machine_syscalls()
    if numbers is None:
        raise RuntimeError(f"no system-call filter for {platform.machine()} machines")
    audit_arch, _ = _ARCHES[platform.machine()]
    program = _Program()
    program.load(_ARCH)
    program.jump(_JUMP_EQUAL, audit_arch, if_false="kill")
    program.load(_NR)
    if platform.machine() == "x86_64":
        program.jump(_JUMP_AT_LEAST, _X32_SYSCALL_BIT, if_true="kill")
    for name in _DENIED:
        program.jump(_JUMP_EQUAL, numbers[name], if_true="deny")
    program.jump(_JUMP_EQUAL, numbers["clone3"], if_true="no such call")
    program.jump(_JUMP_EQUAL, numbers["clone"], if_true="flags")
    program.jump(_JUMP_EQUAL, numbers["unshare"], if_true="flags")
    program.jump(_JUMP_EQUAL, numbers["socket"], if_true="domain")
    program.give(_RET_ALLOW)
    program.label("flags")  # clone(flags, ...), unshare(flags): no new namespace
    program.load(_ARG0_LOW)
    program.jump(_JUMP_ANY_BIT, _NAMESPACE_FLAGS, if_true="deny")
    program.give(_RET_ALLOW)
    program.label("domain")  # socket(domain, ...)
    program.load(_ARG0_LOW)
    program.jump(_JUMP_EQUAL, _AF_VSOCK, if_true="deny")
    program.give(_RET_ALLOW)
    program.label("deny")
    program.give(_RET_ERRNO | errno.EPERM)
    program.label("no such call")
    program.give(_RET_ERRNO | errno.ENOSYS)
    program.label("kill")
    program.give(_RET_KILL_PROCESS)
    return program.assemble()


def has_filter() -> bool:
    """Whether this machine has a filter (x86_64 or aarch64, with a 64-bit Python)."""
    return _machine_syscalls() is not None


def _machine_syscalls() -> dict[str, int] | None:
    """The numbers of the filtered calls on this machine, or None if it has no filter."""
    arch = _ARCHES.get(platform.machine())
    if arch is None or sys.byteorder != "little" or sys.maxsize < 2**32:  # e.g. 32-bit Python
        return None
    return {name: numbers[arch[1]] for name, numbers in _SYSCALLS.items()}


class _Program:
    """A classic BPF program with forward jumps to named labels, assembled at the end."""

    def __init__(self) -> None:
        self.instructions: list[tuple[int, int, str | None, str | None]] = []
        self.labels: dict[str, int] = {}

    def load(self, offset: int) -> None:
        self.instructions.append((_LOAD_WORD, offset, None, None))

    def jump(self, condition: int, value: int, *, if_true: str | None = None,
             if_false: str | None = None) -> None:
        """Compare the loaded word with ``value``; go to a label, or else on to the next."""
        self.instructions.append((condition, value, if_true, if_false))

    def give(self, action: int) -> None:
        self.instructions.append((_RETURN, action, None, None))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.instructions)

    def assemble(self) -> bytes:
        """struct sock_filter {u16 code; u8 jt; u8 jf; u32 k} for each instruction."""
        code = bytearray()
        for position, (operation, value, if_true, if_false) in enumerate(self.instructions):
            jumps = [0 if label is None else self.labels[label] - position - 1
                     for label in (if_true, if_false)]
            if not all(0 <= jump <= 255 for jump in jumps):
                raise ValueError("a BPF jump must go forward by at most 255 instructions")
            code += struct.pack("<HBBI", operation, *jumps, value)
        return bytes(code)
