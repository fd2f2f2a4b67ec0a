// quarry-fuzz: libFuzzer over one of Quarry's parsers. tools/bench/fuzz builds it with QUARRY_FUZZ=1 (see
// Package.swift) and picks the parser with QUARRY_FUZZ_TARGET. Built plainly, it replays inputs instead:
//
//     quarry-fuzz <target> <file or folder>...     runs each input once; a broken promise traps
import FuzzHarness
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

#if QUARRY_FUZZ
nonisolated(unsafe) private var target = FuzzTarget.json

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The program's entry: SwiftPM points `main` at `<module>_main` on Linux, so this is where libFuzzer's driver is
/// started, after the target is chosen.
@_cdecl("quarry_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = getenv("QUARRY_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let chosen = FuzzTarget(rawValue: name) else {
        print("quarry-fuzz: set QUARRY_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        return 2
    }
    target = chosen
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
}
#else
@main
struct Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: quarry-fuzz <\(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|"))> <file or folder>...")
            exit(64)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in files(in: path) {
                target.run(readFile(file))
                count += 1
            }
        }
        print("quarry-fuzz: \(count) inputs of \(name) replayed")
    }
}
#endif
