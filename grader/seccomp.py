"""The system calls a zygote and its children may make: seccomp-bpf filters, built and applied.

A zygote applies :func:`seccomp_program` to itself before it forks any child (every child
inherits it): calls that pin memory outside the address space, read other processes, load
kernel features, or escape the namespaces are refused with EPERM. Each child then adds
:func:`child_program`: no new user namespace without root, its metadata calls kept to itself,
and one process (no fork, vfork or clone of a process) unless its limits let it fork.
docs/security.md tells each call and why. Filters are built once per zygote as bytes
(:func:`_assembled`); :func:`apply_seccomp` installs one (after ``PR_SET_NO_NEW_PRIVS``).
"""

from __future__ import annotations

import ctypes
import errno
import os

from grader.linux import CLONE_NEWUSER, CLONE_THREAD, PR_SET_DUMPABLE, PR_SET_SECCOMP, checked, libc


class _SockFilter(ctypes.Structure):
    """struct sock_filter of <linux/filter.h>."""
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    """struct sock_fprog of <linux/filter.h>."""
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


# machine -> (AUDIT_ARCH, socket, ptrace, process_vm_readv, process_vm_writev)
_SECCOMP_ARCH = {
    "x86_64": (0xC000003E, 41, 101, 310, 311),
    "aarch64": (0xC00000B7, 198, 117, 270, 271),
}


# machine -> memfd_create, vmsplice, splice, tee, sendfile: memory held outside the address space. RLIMIT_AS
# counts what a process maps, not the pages of a memfd it wrote and unmapped (60 MiB a process,
# RLIMIT_FSIZE x RLIMIT_NOFILE, times its 32 processes) nor the pages a pipe holds references to:
# vmsplice of one byte of each transparent huge page (madvise) into a pipe of 256 slots kept
# 512 MiB after the munmap, so one child of a 2 GiB limit could hold 32 GiB (the uid's 16,384
# pipe slots) (thirty-first session's hostile review). splice, tee and sendfile (into a pipe)
# put page references in a pipe too, of a file's page cache: 53 one-byte sendfiles of a 110 MB
# library read whole kept 90 MB of its cache from being evicted (its large folios), up to every
# file a child may read. Python and NumPy use none of them (shutil's copy falls back to
# read and write when sendfile fails); a pipe written into copies (bounded per uid).
_SECCOMP_PINNED = {
    "x86_64": (319, 278, 275, 276, 40),
    "aarch64": (279, 75, 76, 77, 71),
}


# machine -> bpf. A BPF map is kernel memory charged to a memory cgroup, not to RLIMIT_MEMLOCK (since
# Linux 5.11): where ``kernel.unprivileged_bpf_disabled`` is 0 a child could make maps of any size
# outside its address space (thirty-second session's hostile review; 2 here, where a child's call
# reached the kernel all the same: E2BIG for an oversized argument). Python and NumPy never call it.
_SECCOMP_BPF = {"x86_64": 321, "aarch64": 280}


# machine -> the calls that make or reach what the kernel keeps after a process ends, for a uid
# (keyrings: add_key, request_key, keyctl) or for the IPC namespace (SysV shared memory, message
# queues and semaphores: their get, attach, send, receive, operate and control calls; POSIX
# message queues: mq_open). One student's child could leave data in them for the next child
# (the next student) of its slot, a keyring's for the next run's too, and a SysV segment's
# pages for the rest of the run, counted against no child's RLIMIT_AS. Python and NumPy use none.
# machine -> execve, execveat. A child runs the student's functions in the interpreter it was
# forked as; a program it starts (``subprocess.run([sys.executable, "-c", code])``, ``os.system``)
# is a new interpreter that runs a string no note of the extraction's can see, and the copy it
# returns graded while a decoy is compared (twenty-ninth session's hostile review: named routes
# noted, the family left). Refused (EPERM): Python and NumPy exec nothing, and the zygote, which
# installs the filter on itself, only forks after that.
_SECCOMP_EXEC = {
    "x86_64": (59, 322),
    "aarch64": (221, 281),
}


_SECCOMP_KEPT = {
    "x86_64": (29, 30, 31, 64, 65, 66, 68, 69, 70, 71, 220, 240, 248, 249, 250),
    "aarch64": (180, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 217, 218, 219),
}


# machine -> inotify_init, inotify_init1, inotify_add_watch, fanotify_init, fanotify_mark. Landlock
# does not cover watches: without root a child watched the submissions folder and read every
# other student's file name (Canvas's names hold the student's) as the grader opened them. As
# root the mounts hide the protected paths anyway. Python and NumPy use none.
_SECCOMP_WATCHES = {
    "x86_64": (253, 294, 254, 300, 301),
    "aarch64": (26, 27, 262, 263),
}


# machine -> the calls that change a file's mode, owner, times or extended attributes, by path or
# by descriptor (chmod, fchmod, chown, fchown, lchown, utime, utimes, futimesat, utimensat,
# fchmodat, fchmodat2, fchownat, setxattr, lsetxattr, fsetxattr, removexattr, lremovexattr,
# fremovexattr, setxattrat, removexattrat, file_setattr). Landlock does not cover them: without
# root a child set the mode of any file of the grading user (the output folder's, the fixtures',
# the interpreter's when the user installed it) through a path or an O_PATH descriptor. The
# zygote needs them (remove_tree), so they are a child's own filter (``child_program``).
_SECCOMP_METADATA = {
    "x86_64": (90, 91, 92, 93, 94, 132, 188, 189, 190, 197, 198, 199, 235, 260, 261, 268, 280, 452, 463, 466, 469),
    "aarch64": (5, 6, 7, 14, 15, 16, 52, 53, 54, 55, 88, 452, 463, 466, 469),
}


# machine -> calls that act on a process named by its pid, allowed on the caller only:
# (prlimit64, sched_setaffinity, sched_setscheduler, sched_setparam, sched_setattr: first
# argument 0), setpriority (PRIO_PROCESS, 0), ioprio_set (IOPRIO_WHO_PROCESS, 0). The kernel
# lets a process change these for any process of its uid: without root every process of the
# grading user (the grading process, its zygote and workers, the user's shell and desktop), which
# Landlock's scoping (signals, abstract sockets) does not cover. A child lowered the grading
# process's hard RLIMIT_FSIZE to 4 kB and pinned it to one CPU. glibc's setrlimit, getrlimit and
# nice pass 0; resource.prlimit(os.getpid(), ...) is refused (EPERM).
_SECCOMP_SELF_ONLY = {
    "x86_64": ((302, 203, 144, 142, 314), 141, 251),
    "aarch64": ((261, 122, 119, 118, 274), 140, 30),
}


# machine -> prctl, refused with PR_SET_DUMPABLE (EPERM). A child that dropped root is not dumpable:
# its /proc files are root's. Where root lacks CAP_SYS_RESOURCE (Docker's default capabilities)
# the zygote's oom_score_adj of 1000 sets no floor, and where Landlock is absent a child made
# itself dumpable and wrote 0 there, back below the grader for the OOM killer. Python and NumPy
# never set it.
_SECCOMP_PRCTL = {"x86_64": 157, "aarch64": 167}


def seccomp_program() -> "_SockFprog | None":
    """The filter: deny socket(), ptrace, process_vm_readv/writev, io_uring_setup, what the kernel
    keeps past a process (``_SECCOMP_KEPT``), file watches (``_SECCOMP_WATCHES``), starting a program
    (``_SECCOMP_EXEC``), memory held outside the address space (``_SECCOMP_PINNED``, ``_SECCOMP_BPF``), foreign
    ABIs, the calls of ``_SECCOMP_SELF_ONLY`` aimed at another process, and
    ``prctl(PR_SET_DUMPABLE)`` (``_SECCOMP_PRCTL``) (EPERM)."""
    machine = os.uname().machine
    arch = _SECCOMP_ARCH.get(machine)
    if arch is None:
        return None
    audit, nr_socket, nr_ptrace, nr_readv, nr_writev = arch
    own, nr_setpriority, nr_ioprio_set = _SECCOMP_SELF_ONLY[machine]
    deny = 0x00050000 | errno.EPERM
    allow = 0x7FFF0000
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    # The low 32 bits of the first two arguments (struct seccomp_data; both machines little-endian):
    # the kernel reads a pid_t or an int there, so the high bits change nothing it does.
    arg0, arg1 = 16, 24
    blocked = (nr_socket, nr_ptrace, nr_readv, nr_writev, 425, *_SECCOMP_KEPT[machine], *_SECCOMP_WATCHES[machine],
               *_SECCOMP_EXEC[machine], *_SECCOMP_PINNED[machine], _SECCOMP_BPF[machine])
    # (code, jt, jf, k) with jt and jf a label's name or 0; ("label", name) marks the next one.
    code: list = [(ld, 0, 0, 4), (jeq, "nr", "deny", audit), ("label", "nr"), (ld, 0, 0, 0),
                  (jge, "deny", 0, 0x40000000)]  # x32 syscall numbers
    code += [(jeq, "deny", 0, nr) for nr in blocked]
    code += [(jeq, "own", 0, nr) for nr in own]
    code += [(jeq, "priority", 0, nr_setpriority), (jeq, "io", 0, nr_ioprio_set),
             (jeq, "prctl", 0, _SECCOMP_PRCTL[machine]), (ret, 0, 0, allow),
             ("label", "prctl"), (ld, 0, 0, arg0), (jeq, "deny", "allow", PR_SET_DUMPABLE),
             ("label", "own"), (ld, 0, 0, arg0), (jeq, "allow", "deny", 0),
             ("label", "priority"), (ld, 0, 0, arg0), (jeq, 0, "deny", 0),  # PRIO_PROCESS
             (ld, 0, 0, arg1), (jeq, "allow", "deny", 0),
             ("label", "io"), (ld, 0, 0, arg0), (jeq, 0, "deny", 1),  # IOPRIO_WHO_PROCESS
             (ld, 0, 0, arg1), (jeq, "allow", "deny", 0),
             ("label", "allow"), (ret, 0, 0, allow), ("label", "deny"), (ret, 0, 0, deny)]
    return _assembled(code)


# machine -> (unshare, clone, clone3): the calls that make a user namespace. Without root a child
# that made one held every capability in it again (the zygote drops those of its own namespace),
# mapped its uid to itself and, where Landlock is missing (it refuses any mount), mounted a tmpfs
# of its own past the zygote's bound (300 MiB written on one of 1 GiB). ``unshare`` and ``clone``
# with CLONE_NEWUSER are refused (EPERM); ``clone3``, whose flags are behind a pointer a filter
# cannot read, says ENOSYS, and glibc then makes threads and processes with ``clone``.
_SECCOMP_NEW_USER = {
    "x86_64": (272, 56, 435),
    "aarch64": (97, 220, 435),
}


# machine -> fork, vfork (aarch64 has neither: glibc forks with clone).
_SECCOMP_FORK = {"x86_64": (57, 58), "aarch64": ()}


# machine -> (socketpair, fcntl): kernel buffers a child fills and keeps outside its address space.
# A socket pair holds what each end sent until the other reads it, up to a send buffer a process
# may raise to the machine's ``wmem_max`` (4 MiB here, doubled): 30 pairs held 494 MB for a child
# of a 2 GiB limit, more sent through another pair as descriptors in flight. A pipe holds what is
# written into it, up to the size ``fcntl(F_SETPIPE_SZ)`` gives it (1 MiB unprivileged): 59 held
# 62 MB (thirty-second session's hostile review). ``socketpair`` is refused (``socket`` is already,
# by the zygote's filter) and ``fcntl`` with F_SETPIPE_SZ (EPERM): a pipe keeps the default 64 KiB,
# 4 MiB for a child's 64 descriptors. The zygote makes its pairs and the child's pipes before the
# fork, under its own filter; Python and NumPy call neither in a child. ``fcntl`` with F_SETLK,
# F_SETLKW, F_OFD_SETLK or F_OFD_SETLKW too: a byte-range lock is kernel memory no rlimit counts,
# one for every range (180,000 locks on 60 files held 34 MB in 7 s of a call); ``flock``, one a
# descriptor, stays.
_SECCOMP_BUFFERS = {"x86_64": (53, 72), "aarch64": (199, 25)}
#: ``setsockopt``: the child's protocol socket's send buffer raised to twice ``wmem_max`` (8 MiB here)
#: holds what the child writes until the grading process reads it (thirty-third session).
_SECCOMP_SOCKOPT = {"x86_64": 54, "aarch64": 208}
_F_SETPIPE_SZ = 1031
_FCNTL_REFUSED = (_F_SETPIPE_SZ, 6, 7, 37, 38)  # and F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW


def child_program(*, metadata: bool, one_process: bool) -> "_SockFprog | None":
    """The filter a child adds to the zygote's (None: no seccomp here).

    ``metadata`` (a child that runs as the grading user, no root; as root the child's slot uid
    owns only its own directory): deny ``_SECCOMP_METADATA`` (EPERM) and a user namespace of its
    own (``_SECCOMP_NEW_USER``). ``one_process`` (unless its limits let it fork,
    ``Limits.may_fork``): deny ``fork``, ``vfork`` and a ``clone`` that makes a process (no
    CLONE_THREAD). Memory is bounded per process (``RLIMIT_AS``) and a child's processes were 32:
    a submission of a 2 GiB limit could hold 64 GiB (eight forks of 200 MiB each held 1.3 GB with
    a 512 MiB limit, thirty-first session's hostile review); threads share their process's
    address space. Either way ``clone3`` says ENOSYS (its flags are behind a pointer a filter
    cannot read), and glibc then makes threads (and processes) with ``clone``. Always: deny
    ``socketpair``, ``setsockopt`` (``_SECCOMP_SOCKOPT``) and ``fcntl`` growing a pipe or taking a
    byte-range lock (``_SECCOMP_BUFFERS``, ``_FCNTL_REFUSED``: kernel memory held outside the address
    space)."""
    machine = os.uname().machine
    arch = _SECCOMP_ARCH.get(machine)
    if arch is None:
        return None
    deny, allow, enosys = 0x00050000 | errno.EPERM, 0x7FFF0000, 0x00050000 | errno.ENOSYS
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06
    nr_unshare, nr_clone, nr_clone3 = _SECCOMP_NEW_USER[machine]
    nr_socketpair, nr_fcntl = _SECCOMP_BUFFERS[machine]
    denied = (nr_socketpair, _SECCOMP_SOCKOPT[machine], *(_SECCOMP_METADATA[machine] if metadata else ()),
              *(_SECCOMP_FORK[machine] if one_process else ()))
    code: list = [(ld, 0, 0, 4), (jeq, "nr", 0, arch[0]), (ret, 0, 0, deny), ("label", "nr"), (ld, 0, 0, 0)]
    code += [(jeq, "deny", 0, nr) for nr in denied]
    code += [(jeq, "unshare", 0, nr_unshare)] if metadata else []
    code += [(jeq, "fcntl", 0, nr_fcntl)]
    code += [(jeq, "clone", 0, nr_clone), (jeq, "enosys", 0, nr_clone3), (ret, 0, 0, allow)]
    code += [("label", "fcntl"), (ld, 0, 0, 24)]  # its command
    code += [(jeq, "deny", 0, command) for command in _FCNTL_REFUSED] + [(ret, 0, 0, allow)]
    if metadata:  # the flags: the first argument of both
        code += [("label", "unshare"), (ld, 0, 0, 16), (jset, "deny", "allow", CLONE_NEWUSER)]
    code += [("label", "clone"), (ld, 0, 0, 16)]
    code += [(jset, "deny", 0, CLONE_NEWUSER)] if metadata else []
    code += [(jset, "allow", "deny", CLONE_THREAD)] if one_process else [(ret, 0, 0, allow)]
    code += [("label", "allow"), (ret, 0, 0, allow), ("label", "enosys"), (ret, 0, 0, enosys),
             ("label", "deny"), (ret, 0, 0, deny)]
    return _assembled(code)


def _assembled(code: list) -> "_SockFprog":
    """A seccomp program from ``code``: ``(op, jt, jf, k)`` instructions whose ``jt`` and ``jf``
    are a label's name or 0, and ``("label", name)`` items that name the next instruction."""
    labels: dict[str, int] = {}
    prog: list[tuple[int, int, int, int]] = []
    for item in code:
        if item[0] == "label":
            labels[item[1]] = len(prog)
        else:
            prog.append(item)
    prog = [(op, labels[jt] - i - 1 if jt else 0, labels[jf] - i - 1 if jf else 0, k)
            for i, (op, jt, jf, k) in enumerate(prog)]
    arr = (_SockFilter * len(prog))(*[_SockFilter(*p) for p in prog])
    fprog = _SockFprog(len(prog), arr)
    fprog._keep = arr  # the program must outlive the struct that points to it
    return fprog


def apply_seccomp(fprog: "_SockFprog | None" = None) -> bool:
    """Install the seccomp filter (built by seccomp_program unless given); needs no_new_privs."""
    fprog = fprog if fprog is not None else seccomp_program()
    if fprog is None:
        return False
    checked(libc.prctl(PR_SET_SECCOMP, 2, ctypes.addressof(fprog), 0, 0), "seccomp")
    return True
