// The C entry points libwebsockets calls. They only find the Swift owner and jump into it.
internal import CWebSockets
internal import Logging

/// The protocol callback for HTTP and WebSocket alike (one protocol at index 0 serves both).
func quarryServiceCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let loop = Unmanaged<ServiceLoop>.fromOpaque(owner).takeUnretainedValue()
    return loop.handle(WSI(raw: wsi), reason, user, input, length)
}

/// The permessage-deflate extension: lws' own (`lws_extension_callback_pm_deflate`), with a check in front of its
/// inflater that fails the one connection whose input would make lws abort the whole process.
func quarryDeflateExtension(
    _ context: OpaquePointer?, _ ext: UnsafePointer<lws_extension>?, _ wsi: OpaquePointer?,
    _ reason: lws_extension_callback_reasons, _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?,
    _ length: Int
) -> Int32 {
    let call = DeflateExtensionCall(context: context, ext: ext, wsi: wsi, reason: reason, user: user, input: input,
                                    length: length)
    guard call.isPayloadReceived || call.isDestroy, let context, let owner = lws_context_user(context) else { return call.forward() }
    let loop = Unmanaged<ServiceLoop>.fromOpaque(owner).takeUnretainedValue()
    return loop.inflate(call)
}

/// libwebsockets' own log lines, one line per event.
let libwebsocketsLogger = Logger(label: "quarry.lws")

func quarryLibwebsocketsLog(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    var text = String(cString: line)
    while text.last == "\n" || text.last == "\r" { text.removeLast() }
    // Quarry logs a refused handshake itself, with the reason; lws' own line about it would be a second one.
    if text.hasSuffix("User code denied connection") {
        libwebsocketsLogger.debug("\(text)")
    } else if level & LLL_ERR != 0 {
        libwebsocketsLogger.error("\(text)")
    } else if level & LLL_WARN != 0 {
        libwebsocketsLogger.warning("\(text)")
    } else {
        libwebsocketsLogger.info("\(text)")
    }
}
