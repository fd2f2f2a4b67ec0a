// The C callbacks libcurl calls during `curl_easy_perform`, on the performing thread. Each only turns its
// `userdata` (set with `CURLOPT_WRITEDATA`, `CURLOPT_HEADERDATA`, `CURLOPT_XFERINFODATA` to an unretained
// `CurlTransfer`, which is alive for as long as it is performing) back into the object and jumps into a method.
internal import CCurl

/// `CURLOPT_WRITEFUNCTION`: a piece of response body. Returning anything but `size * count` aborts the transfer
/// with `CURLE_WRITE_ERROR`.
func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let length = size * count
    return transfer.didReceiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// `CURLOPT_HEADERFUNCTION`: one whole header line (status line, field, or the blank line ending a block).
func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let length = size * count
    return transfer.didReceiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// `CURLOPT_XFERINFOFUNCTION`: called often while data moves and about once a second while it does not;
/// non-zero aborts the transfer with `CURLE_ABORTED_BY_CALLBACK`.
func curlProgressCallback(
    _ userdata: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t,
    _ uploadTotal: curl_off_t, _ uploaded: curl_off_t
) -> Int32 {
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    return transfer.isCancelled ? 1 : 0
}
