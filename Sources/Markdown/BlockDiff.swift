/// One step that turns a container holding the old blocks' HTML into one holding the new blocks' HTML.
public enum BlockChange: Sendable, Equatable {
    /// Append `html` (one or more whole blocks) at the end of the container.
    case appendBlocks(String)
    /// Append `html` at the end of the element that is open at the end of the last block, `depth` levels down:
    /// 0 is the last block's own element (e.g. the `<p>`), 1 its last element child (e.g. the `<li>` of a `<ul>`), …
    case appendInside(depth: Int, html: String)
    /// Replace the content of the element open at the end of the last block, `depth` levels down (as in
    /// `appendInside`), with `html`: an emphasis closing in the last item of a long list costs the item, not the list.
    case updateInside(depth: Int, html: String)
    /// Replace the last block's element with `html` (one block).
    case replaceLast(String)
    /// Replace everything in the container with `html`.
    case replaceAll(String)
}

/// The few cheap steps that take a page from the HTML of an answer as last sent to its HTML now, so that a
/// streamed answer costs about its final size in bytes rather than the square of it.
///
/// The algorithm, with k the number of leading blocks that are byte-for-byte equal:
/// - all old blocks kept (k == old.count): append the new blocks after them, if any;
/// - only the last old block differs, and it is an element: if the new block *grows* it, append each piece of
///   growth inside the element it belongs to, else replace the block; then append any further new blocks;
/// - anything else (an earlier block changed, as when a link reference definition arrives at the end; the last
///   block is a comment such as `<!-- raw HTML omitted -->`; blocks disappeared): replace everything.
///
/// "Grows": the old block ends with a run of end tags, `</li>\n</ul>\n`, closing the chain of elements open at its
/// end: the `<ul>` at depth 0, its last `<li>` at depth 1. Cut the old block into B, everything before the run,
/// and one segment per depth, each end tag with the whitespace after it. The new block grows the old one when it
/// is B, then for each depth from the innermost out some balanced HTML X(d) followed by that depth's segment, and
/// nothing more. The changes are then `appendInside(d, X(d))` for each non-empty X(d), innermost first: each one
/// touches only the inside of its element, which is the last child of the next one out, so the shallower targets
/// are still where they were. Because X(d) is balanced it ends at the first end tag that closes nothing opened in
/// it, so one pass over the new block after B finds them all.
///
/// This covers text growing in the last list item (X(1)), a new item (X(0) = `<li>c</li>\n`) and both at once,
/// when one render sees an item finish and the next begin.
///
/// When the block does not grow (an emphasis closes: `a *b` → `a <em>b</em>`; an autolink completes), the content
/// of the innermost open element that holds the change is replaced (`updateInside`): everything before its start
/// tag and from its end tag on must be unchanged, and the new content balanced. Only when even the block's own
/// element changes (a paragraph becomes a heading or a table) is the block replaced.
///
/// Comparisons are on UTF-8 bytes: B ends just before a `<`, so it never ends inside an entity such as `&amp;` or
/// inside a character, and `String` comparison would be wrong here (it equates canonically equivalent text).
/// Cost: one comparison of the common leading blocks, then one pass over the last old block and the new one.
public enum BlockDiff {
    /// The changes, in order, that take a container showing `old` (joined) to `new` (joined). Empty when equal.
    public static func changes(from old: [String], to new: [String]) -> [BlockChange] {
        if new.isEmpty {
            return old.isEmpty ? [] : [.replaceAll("")]
        }
        var kept = 0
        while kept < min(old.count, new.count), sameBytes(old[kept], new[kept]) {
            kept += 1
        }
        if kept == old.count {
            return kept < new.count ? [.appendBlocks(new[kept...].joined())] : []
        }
        guard kept == old.count - 1, kept < new.count, BlockHTML.isElement(old[kept]) else {
            return [.replaceAll(new.joined())]
        }
        let rest = kept + 1 < new.count ? [BlockChange.appendBlocks(new[(kept + 1)...].joined())] : []
        if let growth = growth(from: old[kept], to: new[kept]) {
            return growth + rest
        }
        if let update = innerUpdate(from: old[kept], to: new[kept]) {
            return [update] + rest
        }
        return [.replaceLast(new[kept])] + rest
    }

    /// Applies `changes` to `old` as strings, the way a browser applying them to the DOM would (for tests and for
    /// keeping the "as sent" state): the result joined must equal the `new` that produced them.
    ///
    /// Appended and replacing HTML is split back into blocks (`BlockHTML.split`), so that for changes made by
    /// `changes(from:to:)` the result is `new` block for block and the next diff finds them all kept.
    public static func apply(_ changes: [BlockChange], to old: [String]) -> [String] {
        var blocks = old
        for change in changes {
            switch change {
            case .appendBlocks(let html):
                blocks += BlockHTML.split(html)
            case .appendInside(let depth, let html):
                guard let last = blocks.last, let inserted = insert(html, into: last, depth: depth) else {
                    // The page would find no such element either; only a change not made by `changes` gets here.
                    assertionFailure("no element \(depth) levels down at the end of the last block")
                    continue
                }
                blocks[blocks.count - 1] = inserted
            case .updateInside(let depth, let html):
                guard let last = blocks.last, let updated = replaceContent(of: last, depth: depth, with: html) else {
                    assertionFailure("no element \(depth) levels down at the end of the last block")
                    continue
                }
                blocks[blocks.count - 1] = updated
            case .replaceLast(let html):
                guard blocks.popLast() != nil else {
                    assertionFailure("no last block to replace")
                    continue
                }
                blocks += BlockHTML.split(html)
            case .replaceAll(let html):
                blocks = BlockHTML.split(html)
            }
        }
        return blocks
    }

    /// The `appendInside` changes by which `new` grows `old` (see the type's comment), innermost first; nil if it
    /// does not grow it.
    static func growth(from old: String, to new: String) -> [BlockChange]? {
        let oldBytes = Array(old.utf8)
        let newBytes = Array(new.utf8)
        guard newBytes.count > oldBytes.count else { return nil }
        let run = BlockHTML.closingRun(oldBytes)
        // Depth 0 must be the block's own element, the one the page finds as the container's last element.
        guard let outer = run.first, let inner = run.last,
            BlockHTML.tagName(oldBytes, at: outer) == BlockHTML.tagName(oldBytes, at: 0),
            newBytes.starts(with: oldBytes[..<inner])
        else { return nil }
        var changes: [BlockChange] = []
        var index = inner
        for depth in run.indices.reversed() {
            let segment = oldBytes[run[depth]..<(depth == 0 ? oldBytes.count : run[depth - 1])]
            guard let end = BlockHTML.balancedEnd(of: newBytes[...], from: index),
                newBytes[end...].starts(with: segment)
            else { return nil }
            if end > index {
                let html = String(decoding: newBytes[index..<end], as: UTF8.self)
                changes.append(.appendInside(depth: depth, html: html))
            }
            index = end + segment.count
        }
        return index == newBytes.count ? changes : nil
    }

    /// The `updateInside` that takes `old` to `new`, at the innermost depth where it can; nil if none can.
    static func innerUpdate(from old: String, to new: String) -> BlockChange? {
        let oldBytes = Array(old.utf8), newBytes = Array(new.utf8)
        let chain = BlockHTML.openChain(oldBytes)
        for depth in chain.indices.reversed() {
            let (contentStart, endTag) = chain[depth]
            let suffixCount = oldBytes.count - endTag
            guard newBytes.count >= contentStart + suffixCount,
                  newBytes.starts(with: oldBytes[..<contentStart]),
                  newBytes[(newBytes.count - suffixCount)...].elementsEqual(oldBytes[endTag...])
            else { continue }
            let content = newBytes[contentStart..<(newBytes.count - suffixCount)]
            guard BlockHTML.isBalanced(content) else { continue }
            return .updateInside(depth: depth, html: String(decoding: content, as: UTF8.self))
        }
        return nil
    }

    /// `block` with the content of the element `depth` levels down in its closing run replaced by `html`.
    static func replaceContent(of block: String, depth: Int, with html: String) -> String? {
        let bytes = Array(block.utf8)
        let chain = BlockHTML.openChain(bytes)
        guard chain.indices.contains(depth) else { return nil }
        var updated = Array(bytes[..<chain[depth].contentStart])
        updated += html.utf8
        updated += bytes[chain[depth].endTag...]
        return String(decoding: updated, as: UTF8.self)
    }

    /// `block` with `html` inserted before the end tag `depth` levels down in its closing run; nil if there is none.
    static func insert(_ html: String, into block: String, depth: Int) -> String? {
        let bytes = Array(block.utf8)
        let run = BlockHTML.closingRun(bytes)
        guard run.indices.contains(depth) else { return nil }
        var inserted = Array(bytes[..<run[depth]])
        inserted += html.utf8
        inserted += bytes[run[depth]...]
        return String(decoding: inserted, as: UTF8.self)
    }

    private static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8)
    }
}
