// The actions a <turbo-stream> element can carry. The standard ones keep Turbo's exact meaning
// (https://turbo.hotwired.dev/reference/streams); Quarry's own are few and documented here.

/// The action of a `<turbo-stream>` envelope.
public enum StreamAction: String, Sendable, CaseIterable {
    /// Appends the template's content to the target's children (children with the same id are removed first).
    case append
    /// Prepends the template's content to the target's children (children with the same id are removed first).
    case prepend
    /// Replaces the target element with the template's content.
    case replace
    /// Replaces the target's children with the template's content.
    case update
    /// Removes the target element. Carries no template.
    case remove
    /// Inserts the template's content before the target element.
    case before
    /// Inserts the template's content after the target element.
    case after
    /// Quarry's own: scrolls the target container to its end, but only when the reader is already at the end.
    /// Carries no template.
    case scroll

    /// Whether the action carries a `<template>` (every action but `remove` and `scroll`).
    public var carriesTemplate: Bool {
        switch self {
        case .remove, .scroll: false
        default: true
        }
    }
}
