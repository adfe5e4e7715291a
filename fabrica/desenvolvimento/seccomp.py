"""The seccomp filter of the sandbox (``docs/sandbox.md``): a compiled BPF program bubblewrap loads
(``bwrap --seccomp FD``) before it runs the launcher, so it holds for every process of a run.

Built with libseccomp (Debian's ``libseccomp2``, which apt itself depends on) through ``pyseccomp``
(ctypes, no compiler): every system call is allowed but the ones generated tests never need and
an escape or a kernel exploit reaches for, which fail with ``EPERM`` — the kernel's and
namespaces' administration (``mount``, ``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*``
flag, so no user namespace either), kernel modules and keyrings, ``ptrace``, ``bpf``,
``perf_event_open``, ``userfaultfd``, ``io_uring``, handles to files by inode, the clock, and
``TIOCSTI``. ``clone3`` fails with ``ENOSYS`` (its flags sit in memory a filter cannot read), so
the C library falls back to ``clone``, whose flags it can. A call of another architecture's ABI
(32-bit x86 on x86-64) kills the process: libseccomp's default for a foreign architecture.

The same list as Flatpak's and Docker's default profiles for what they share; pure Python, no
Django.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import tempfile

NEGADAS = (
    # namespaces, mounts and the root directory
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "open_tree",
    "move_mount",
    "mount_setattr",
    # the kernel itself: modules, kexec, keyrings, BPF, tracing, swap, reboot, the log
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "add_key",
    "request_key",
    "keyctl",
    "bpf",
    "perf_event_open",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "swapon",
    "swapoff",
    "reboot",
    "syslog",
    "acct",
    "quotactl",
    "lookup_dcookie",
    "open_by_handle_at",
    "name_to_handle_at",
    "uselib",
    "vhangup",
    "iopl",
    "ioperm",
    # the clock
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
)
CLONE_NEW = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
    "CLONE_NEWTIME": 0x00000080,
}
TIOCSTI = 0x5412


@functools.cache
def filtro() -> bytes | str:
    """The compiled filter (BPF), or why it cannot be made here (no libseccomp): the sandbox then
    runs without one and records so."""
    try:
        import pyseccomp as sc
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: "Unable to find libseccomp"
        return f"libseccomp indisponível ({exc})"
    try:
        regras = sc.SyscallFilter(sc.ALLOW)
        for nome in NEGADAS:
            try:
                regras.add_rule(sc.ERRNO(errno.EPERM), nome)
            except (ValueError, OSError):  # a call this kernel/libseccomp does not know
                continue
        regras.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        for bit in CLONE_NEW.values():
            regras.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, bit, bit))
        regras.add_rule(sc.ERRNO(errno.EPERM), "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
        with tempfile.TemporaryFile() as arquivo:
            regras.export_bpf(arquivo)
            arquivo.seek(0, os.SEEK_SET)
            programa = arquivo.read()
    except (OSError, ValueError, io.UnsupportedOperation) as exc:
        return f"o filtro seccomp não pôde ser compilado ({exc})"
    return programa
