"""The cost of one password hash at Quarry's argon2id costs (m=19456 KiB, t=2, p=1, a 16-byte salt, a 32-byte hash):
the time of libargon2's `argon2_ctx` called with the context Sources/Argon2/Raw.swift builds, its working memory
mapped (populated) for the hash and unmapped after, and the resident memory left behind, beside the same hashes with libargon2's
own malloc (which glibc keeps resident: Raw.swift says why). Pinned to one CPU when taskset is there.

    python3 tools/bench/password_hash.py [HASHES]      # default 30
"""
import ctypes
import mmap
import os
import shutil
import statistics
import sys
import time

if shutil.which("taskset") and "QUARRY_PINNED" not in os.environ:
    os.environ["QUARRY_PINNED"] = "1"
    os.execvp("taskset", ["taskset", "-c", str(os.cpu_count() - 1), sys.executable, *sys.argv])

argon2 = ctypes.CDLL("libargon2.so.1")
libc = ctypes.CDLL("libc.so.6")
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
Allocate = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t)
Deallocate = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t)


@Allocate
def map_memory(memory, size):
    populate = 0x8000  # MAP_POPULATE, as Raw.swift maps it
    memory[0] = libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE,
                          mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate, -1, 0)
    return 0 if memory[0] not in (None, ctypes.c_void_p(-1).value) else -1


@Deallocate
def unmap_memory(memory, size):
    libc.munmap(memory, size)


class Context(ctypes.Structure):
    """argon2.h's argon2_context."""
    _fields_ = [(name, kind) for name, kind in [
        ("out", ctypes.c_char_p), ("outlen", ctypes.c_uint32), ("pwd", ctypes.c_char_p), ("pwdlen", ctypes.c_uint32),
        ("salt", ctypes.c_char_p), ("saltlen", ctypes.c_uint32), ("secret", ctypes.c_char_p),
        ("secretlen", ctypes.c_uint32), ("ad", ctypes.c_char_p), ("adlen", ctypes.c_uint32),
        ("t_cost", ctypes.c_uint32), ("m_cost", ctypes.c_uint32), ("lanes", ctypes.c_uint32),
        ("threads", ctypes.c_uint32), ("version", ctypes.c_uint32), ("allocate_cbk", Allocate),
        ("free_cbk", Deallocate), ("flags", ctypes.c_uint32)]]


def resident_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def run(count, mapped):
    out = ctypes.create_string_buffer(32)
    times, before = [], resident_kib()
    for _ in range(count):
        context = Context(ctypes.cast(out, ctypes.c_char_p), 32, b"correct horse battery staple", 28, os.urandom(16), 16,
                          None, 0, None, 0, 2, 19456, 1, 1, 0x13,
                          map_memory if mapped else Allocate(), unmap_memory if mapped else Deallocate(), 0)
        start = time.perf_counter()
        assert argon2.argon2_ctx(ctypes.byref(context), 2) == 0  # Argon2_id
        times.append((time.perf_counter() - start) * 1000)
    return times, resident_kib() - before


count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
for mapped, how in [(True, "mapped per hash (Quarry)"), (False, "libargon2's malloc")]:
    times, kept = run(count, mapped)
    print(f"argon2id m=19456 t=2 p=1, memory {how}: median {statistics.median(times):.1f} ms, "
          f"fastest {min(times):.1f}, slowest {max(times):.1f} over {count} hashes; "
          f"resident afterwards +{kept:,} KiB")
print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
