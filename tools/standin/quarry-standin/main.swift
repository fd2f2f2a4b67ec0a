// quarry-standin: the stand-in OpenAI-compatible server as a process, for browser tests and benchmarks.
//
// Prints one line, {"port":N}, on stdout once listening, then runs until SIGINT, SIGTERM or end of stdin (so a
// parent that dies takes it along). Writes go straight to the file descriptors: no stdio buffering to flush.
import Glibc
import StandIn

let arguments: Arguments
do {
    arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
} catch {
    if let message = error.message { writeLine(2, "quarry-standin: \(message)") }
    writeLine(2, Arguments.usage)
    exit(error.message == nil ? 0 : 2)
}

// Blocked before any thread starts, so every thread inherits the mask and only `sigwait` below takes them.
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGINT)
sigaddset(&signals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &signals, nil)
signal(SIGPIPE, SIG_IGN)

let server = StandInServer(configuration: arguments.configuration)
let port: Int
do {
    port = try server.start()
} catch {
    writeLine(2, "quarry-standin: \(error)")
    exit(1)
}
writeLine(1, #"{"port":\#(port)}"#)

if arguments.watchStdin { terminateAtEndOfStdin() }

var received: Int32 = 0
sigwait(&signals, &received)
server.stop()
exit(0)
