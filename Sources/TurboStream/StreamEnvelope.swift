// One <turbo-stream> element, rendered as plain Turbo so a stock Hotwire client could apply it as well.

/// Where an envelope applies: one element by id, or every element matching a CSS selector.
public enum StreamTarget: Sendable, Equatable {
    /// The element whose id is this (Turbo's `target`).
    case id(String)
    /// Every element matching this CSS selector (Turbo's `targets`).
    case selector(String)
}

/// A `<turbo-stream action=… target=…><template>…</template></turbo-stream>` element.
public struct StreamEnvelope: Sendable, Equatable {
    /// What to do.
    public var action: StreamAction
    /// Where to do it.
    public var target: StreamTarget
    /// The template's inner HTML, already safe: callers escape what they interpolate (see ``HTML/escape(_:)``).
    public var html: String

    /// An envelope; `html` is ignored for actions that carry no template.
    public init(_ action: StreamAction, _ target: StreamTarget, html: String = "") {
        self.action = action
        self.target = target
        self.html = html
    }

    /// The `<turbo-stream>` element as HTML.
    public var rendered: String {
        var out = "<turbo-stream action=\"\(action.rawValue)\" "
        switch target {
        case .id(let id): out += "target=\"\(HTML.escape(id))\">"
        case .selector(let selector): out += "targets=\"\(HTML.escape(selector))\">"
        }
        if action.carriesTemplate { out += "<template>\(html)</template>" }
        out += "</turbo-stream>"
        return out
    }

    /// Several envelopes in one frame; the client applies them in document order.
    public static func render(_ envelopes: [StreamEnvelope]) -> String {
        envelopes.map(\.rendered).joined()
    }
}

extension StreamEnvelope {
    /// `append` to the element with id `target`.
    public static func append(target: String, html: String) -> Self { .init(.append, .id(target), html: html) }
    /// `prepend` to the element with id `target`.
    public static func prepend(target: String, html: String) -> Self { .init(.prepend, .id(target), html: html) }
    /// `replace` the element with id `target`.
    public static func replace(target: String, html: String) -> Self { .init(.replace, .id(target), html: html) }
    /// `update` the children of the element with id `target`.
    public static func update(target: String, html: String) -> Self { .init(.update, .id(target), html: html) }
    /// `remove` the element with id `target`.
    public static func remove(target: String) -> Self { .init(.remove, .id(target)) }
    /// Insert `before` the element with id `target`.
    public static func before(target: String, html: String) -> Self { .init(.before, .id(target), html: html) }
    /// Insert `after` the element with id `target`.
    public static func after(target: String, html: String) -> Self { .init(.after, .id(target), html: html) }
    /// Scroll the container with id `target` to its end if the reader is at its end.
    public static func scroll(target: String) -> Self { .init(.scroll, .id(target)) }

    // The `targets` forms, like turbo-rails' `_all` helpers: every element matching a CSS selector.

    /// `append` to every element matching `targets`.
    public static func append(targets: String, html: String) -> Self { .init(.append, .selector(targets), html: html) }
    /// `prepend` to every element matching `targets`.
    public static func prepend(targets: String, html: String) -> Self { .init(.prepend, .selector(targets), html: html) }
    /// `replace` every element matching `targets`.
    public static func replace(targets: String, html: String) -> Self { .init(.replace, .selector(targets), html: html) }
    /// `update` the children of every element matching `targets`.
    public static func update(targets: String, html: String) -> Self { .init(.update, .selector(targets), html: html) }
    /// `remove` every element matching `targets`.
    public static func remove(targets: String) -> Self { .init(.remove, .selector(targets)) }
    /// Insert `before` every element matching `targets`.
    public static func before(targets: String, html: String) -> Self { .init(.before, .selector(targets), html: html) }
    /// Insert `after` every element matching `targets`.
    public static func after(targets: String, html: String) -> Self { .init(.after, .selector(targets), html: html) }
}
