// A C library opened when first needed (`dlopen`) rather than linked, and the functions found in it (`dlsym`).
// The wrappers of libcurl, libxml2 and libzip use it so that a server that never asks a model or reads a document
// never maps them (docs/performance.md). Each wrapper keeps its own table of functions, its raw calls and its error.
//
// Threading: `dlopen` and `dlsym` are thread-safe; a wrapper opens its library once, in a Swift static.
#if canImport(Glibc)
internal import Glibc
#endif

/// A shared library opened with `dlopen(RTLD_NOW | RTLD_LOCAL)`, kept open for the life of the process.
public struct SharedLibrary: @unchecked Sendable {
    // @unchecked: the handle is never closed, and dlsym may be called from any thread.

    /// Why a library or one of its functions could not be found: `dlerror()`'s text, or the missing name.
    public struct LoadError: Error, Sendable {
        /// A sentence for the log: the library's soname and the loader's reason.
        public let reason: String
    }

    /// The soname it was opened by, e.g. `libcurl.so.4`.
    public let soname: String
    private let handle: UnsafeMutableRawPointer

    /// Opens `soname` (`dlopen`), binding every symbol now so that a broken library fails here, not mid-call.
    public init(_ soname: String) throws(LoadError) {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(reason: dlerror().map { String(cString: $0) } ?? "\(soname): not found")
        }
        self.soname = soname
        self.handle = handle
    }

    /// The address of `name` (`dlsym`): for a variadic function, which Swift cannot call and a C shim takes.
    public func address(_ name: String) throws(LoadError) -> UnsafeMutableRawPointer {
        guard let address = dlsym(handle, name) else { throw LoadError(reason: "\(soname) has no \(name)") }
        return address
    }

    /// The function `name`, as the `@convention(c)` type given (which must match its C declaration).
    public func function<F>(_ name: String, as type: F.Type) throws(LoadError) -> F {
        unsafeBitCast(try address(name), to: type)
    }
}
