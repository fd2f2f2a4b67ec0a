// Every raw libargon2 call of this module lives in this file, with the allocator libargon2 is given.
//
// Threading rule (libargon2 20171227, Debian's libargon2-1): each call is a pure function of the context it is
// handed, and a context lives only for the call that makes it, so any number of threads may hash at once. The
// context asks for one thread (`threads = 1`): libargon2 then never starts threads of its own, and a stored hash
// with several lanes is computed lane after lane on the caller's thread.
//
// Linked, not opened with dlopen as libcurl, libxml2 and libzip are (docs/performance.md): libargon2 is 35 KB with
// nothing behind it but libc. In an idle `quarry serve` (release) its mappings hold 32 KiB resident (smaps `Rss`), and
// idle VmRSS stayed within a reading's noise: medians of 15,148 and 15,024 KiB against main's 15,136 and 15,160
// (docs/access.md), where dlopen saved libcurl's and libxml2's libraries megabytes.
//
// Memory: one hash needs m KiB of working memory (19 MiB at Quarry's parameters). libargon2 would take it from
// malloc, and glibc keeps it: once such a block has been freed, glibc raises its mmap threshold to its size, so the
// next one comes from the heap and stays resident after it is freed, 19 MiB per malloc arena (measured: VmRSS 1.7 →
// 21 → 41 MiB over hashes on two threads). Here the memory is mapped for the hash and unmapped as it ends, populated
// when mapped (`MAP_POPULATE`: one call rather than 4,864 page faults, a few ms less a hash). Fresh pages cost time
// that reused heap does not: tools/bench/password_hash.py prints both (docs/access.md).
internal import CArgon2
#if canImport(Glibc)
internal import Glibc
#endif

enum Raw {
    /// argon2id, version 0x13 (`argon2_ctx` with `Argon2_id`), of `password` and `salt` at `parameters`: `length` bytes.
    static func hash(
        password: [UInt8], salt: [UInt8], parameters: PasswordHash.Parameters, length: Int
    ) throws(PasswordHashError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let code = withContext(password: password, salt: salt, parameters: parameters, output: &output) {
            argon2_ctx($0, Argon2_id)
        }
        guard code == ARGON2_OK.rawValue else { throw .failed(code: code, message: message(code)) }
        return output
    }

    /// Whether argon2id of `password` and `salt` at `parameters` is `expected` (`argon2_verify_ctx` with `Argon2_id`,
    /// which compares in constant time). Any failure of libargon2 (parameters it refuses, memory it cannot have) is
    /// false.
    static func verify(
        password: [UInt8], salt: [UInt8], parameters: PasswordHash.Parameters, expected: [UInt8]
    ) -> Bool {
        var output = [UInt8](repeating: 0, count: expected.count)
        let code = withContext(password: password, salt: salt, parameters: parameters, output: &output) { context in
            expected.withUnsafeBytes { argon2_verify_ctx(context, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Argon2_id) }
        }
        return code == ARGON2_OK.rawValue
    }

    /// libargon2's English text for a result code (`argon2_error_message`).
    static func message(_ code: Int32) -> String {
        argon2_error_message(code).map { String(cString: $0) } ?? "argon2 error \(code)"
    }

    /// Runs `call` with a context over private copies of `password` and `salt` (the password's copy is wiped by
    /// libargon2 once read: `ARGON2_FLAG_CLEAR_PASSWORD`), writing into `output`, memory from `mapMemory`.
    private static func withContext(
        password: [UInt8], salt: [UInt8], parameters: PasswordHash.Parameters, output: inout [UInt8],
        _ call: (UnsafeMutablePointer<argon2_context>) -> Int32
    ) -> Int32 {
        var password = password, salt = salt
        return password.withUnsafeMutableBufferPointer { pwd in
            salt.withUnsafeMutableBufferPointer { salt in
                output.withUnsafeMutableBufferPointer { out in
                    var context = argon2_context(
                        out: out.baseAddress, outlen: UInt32(out.count),
                        pwd: pwd.baseAddress, pwdlen: UInt32(pwd.count),
                        salt: salt.baseAddress, saltlen: UInt32(salt.count),
                        secret: nil, secretlen: 0, ad: nil, adlen: 0,
                        t_cost: parameters.iterations, m_cost: parameters.memoryKiB, lanes: parameters.lanes, threads: 1,
                        version: ARGON2_VERSION_13.rawValue,
                        allocate_cbk: mapMemory, free_cbk: unmapMemory,
                        flags: quarry_argon2_flag_clear_password())
                    return call(&context)
                }
            }
        }
    }
}

/// libargon2's allocator (`allocate_fptr`): `bytes` of fresh anonymous memory, populated (`mmap`), nil in `memory` on
/// failure.
private func mapMemory(_ memory: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ bytes: Int) -> Int32 {
    guard let memory else { return -1 }
    let region = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
    guard let region, region != MAP_FAILED else {
        memory.pointee = nil
        return -1
    }
    memory.pointee = region.assumingMemoryBound(to: UInt8.self)
    return 0
}

/// libargon2's deallocator (`deallocate_fptr`): gives `mapMemory`'s region back to the system (`munmap`).
private func unmapMemory(_ memory: UnsafeMutablePointer<UInt8>?, _ bytes: Int) {
    guard let memory else { return }
    munmap(memory, bytes)
}
