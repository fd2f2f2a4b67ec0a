// The times the store keeps (seconds since 1970) as people read them.
#if canImport(Glibc)
internal import Glibc
#endif

/// `seconds` since 1970 as `YYYY-MM-DD HH:MM UTC` (`gmtime_r`, `strftime`).
public func utcMinute(_ seconds: Int64) -> String {
    var time = time_t(seconds), parts = tm()
    guard gmtime_r(&time, &parts) != nil else { return "\(seconds)" }
    var buffer = [CChar](repeating: 0, count: 32)
    let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M UTC", &parts)
    return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
