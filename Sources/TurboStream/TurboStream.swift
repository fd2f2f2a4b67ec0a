// TurboStream
