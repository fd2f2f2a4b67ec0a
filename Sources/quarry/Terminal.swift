// Reading a password for `quarry user`: from the terminal with echo off when standard input is one, otherwise one
// line of standard input (so a script or a test can pipe it). Every termios call of the command is in this file.
#if canImport(Glibc)
import Glibc
#endif

/// The terminal's settings before echo was turned off; restored by the signal handler too. Set before the handler
/// is installed, then only read.
nonisolated(unsafe) private var terminalBeforeHiding = termios()

/// SIGINT, SIGTERM, SIGHUP while echo is off: turn it back on, end the prompt's line, exit as interrupted.
/// tcsetattr, write and _exit are async-signal-safe.
private func onSignalWhileHidden(_ signal: Int32) {
    _ = tcsetattr(0, TCSAFLUSH, &terminalBeforeHiding)
    _ = write(2, "\n", 1)
    _exit(128 + signal)
}

enum Terminal {
    /// Whether standard input is a terminal (`isatty`).
    static var inputIsTerminal: Bool { isatty(0) == 1 }

    /// Prints `prompt` on standard error and reads one line from the terminal on standard input with echo off
    /// (`tcgetattr`, `tcsetattr` without `ECHO`), putting the settings back afterwards, and also when the command is
    /// interrupted meanwhile. Nil at the end of input.
    static func readHiddenLine(prompt: String, limit: Int) -> Line? {
        var prompt = prompt
        guard tcgetattr(0, &terminalBeforeHiding) == 0 else {
            prompt.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
            return readLine(limit: limit)
        }
        var handler = sigaction(), previous = Array(repeating: sigaction(), count: 3)
        handler.__sigaction_handler.sa_handler = onSignalWhileHidden
        sigemptyset(&handler.sa_mask)
        let signals = [SIGINT, SIGTERM, SIGHUP]
        for (index, signal) in signals.enumerated() { sigaction(signal, &handler, &previous[index]) }
        var hidden = terminalBeforeHiding
        hidden.c_lflag &= ~tcflag_t(ECHO)
        hidden.c_lflag |= tcflag_t(ECHONL)  // the Enter still ends the line on screen
        // Echo goes off before the prompt appears, so nothing typed after it is shown (what was typed ahead of it
        // is dropped with TCSAFLUSH, as getpass does).
        _ = tcsetattr(0, TCSAFLUSH, &hidden)
        prompt.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        let read = readLine(limit: limit)
        _ = tcsetattr(0, TCSAFLUSH, &terminalBeforeHiding)
        for (index, signal) in signals.enumerated() { sigaction(signal, &previous[index], nil) }
        return read
    }

    /// A line read from standard input, without its newline.
    struct Line {
        /// Its bytes, at most the limit asked for.
        var bytes: [UInt8]
        /// Whether the line was longer than the limit (the rest was read and dropped).
        var tooLong: Bool
    }

    /// Reads one line from standard input a byte at a time (so nothing after it is consumed), keeping at most
    /// `limit` bytes. Nil at the end of input with nothing read.
    static func readLine(limit: Int) -> Line? {
        var bytes: [UInt8] = [], tooLong = false, sawAny = false
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { break }
            sawAny = true
            if byte == UInt8(ascii: "\n") { break }
            if bytes.count < limit { bytes.append(byte) } else { tooLong = true }
        }
        return sawAny ? Line(bytes: bytes, tooLong: tooLong) : nil
    }
}
