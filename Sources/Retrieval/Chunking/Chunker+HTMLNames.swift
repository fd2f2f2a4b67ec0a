// The HTML element names and character references the HTML reader knows, matched without allocating: a name of up
// to eight ASCII bytes is packed little-endian into a UInt64 and switched on.

extension Chunker {
    enum HTMLTag {
        case other, blockquote, figcaption
        case html, head, body, title, script, style, nav, header, footer, aside, div, p, br, hr, li, ul, ol, dl, dt, dd
        case pre, table, tr, td, th, caption, section, article, main, h1, h2, h3, h4, h5, h6, a, svg, noscript
        case template, textarea, select, button, iframe, object, figure, form, fieldset, address, details, summary
        case center, img, input, meta, link, wbr, area, base, col, embed, param, source, track, xmp, noembed, noframes
        case option, math, canvas, video, audio

        /// The element named by `name` (any case).
        static func named(_ name: UnsafeBufferPointer<UInt8>) -> HTMLTag {
            guard name.count <= 8 else {
                if matches(name, "blockquote") { return .blockquote }
                if matches(name, "figcaption") { return .figcaption }
                return .other
            }
            return tag(packed: pack(name, lowercased: true))
        }

        /// `name` equals the lowercase ASCII `expected`, ignoring case.
        static func matches(_ name: UnsafeBufferPointer<UInt8>, _ expected: StaticString) -> Bool {
            guard name.count == expected.utf8CodeUnitCount else { return false }
            let bytes = expected.utf8Start
            for index in 0..<name.count where name[index] | 0x20 != bytes[index] { return false }
            return true
        }

        private static func tag(packed: UInt64) -> HTMLTag {
            switch packed {
        case 0x6C6D7468: return .html
        case 0x64616568: return .head
        case 0x79646F62: return .body
        case 0x656C746974: return .title
        case 0x747069726373: return .script
        case 0x656C797473: return .style
        case 0x76616E: return .nav
        case 0x726564616568: return .header
        case 0x7265746F6F66: return .footer
        case 0x6564697361: return .aside
        case 0x766964: return .div
        case 0x70: return .p
        case 0x7262: return .br
        case 0x7268: return .hr
        case 0x696C: return .li
        case 0x6C75: return .ul
        case 0x6C6F: return .ol
        case 0x6C64: return .dl
        case 0x7464: return .dt
        case 0x6464: return .dd
        case 0x657270: return .pre
        case 0x656C626174: return .table
        case 0x7274: return .tr
        case 0x6474: return .td
        case 0x6874: return .th
        case 0x6E6F6974706163: return .caption
        case 0x6E6F6974636573: return .section
        case 0x656C6369747261: return .article
        case 0x6E69616D: return .main
        case 0x3168: return .h1
        case 0x3268: return .h2
        case 0x3368: return .h3
        case 0x3468: return .h4
        case 0x3568: return .h5
        case 0x3668: return .h6
        case 0x61: return .a
        case 0x677673: return .svg
        case 0x7470697263736F6E: return .noscript
        case 0x6574616C706D6574: return .template
        case 0x6165726174786574: return .textarea
        case 0x7463656C6573: return .select
        case 0x6E6F74747562: return .button
        case 0x656D61726669: return .iframe
        case 0x7463656A626F: return .object
        case 0x657275676966: return .figure
        case 0x6D726F66: return .form
        case 0x746573646C656966: return .fieldset
        case 0x73736572646461: return .address
        case 0x736C6961746564: return .details
        case 0x7972616D6D7573: return .summary
        case 0x7265746E6563: return .center
        case 0x676D69: return .img
        case 0x7475706E69: return .input
        case 0x6174656D: return .meta
        case 0x6B6E696C: return .link
        case 0x726277: return .wbr
        case 0x61657261: return .area
        case 0x65736162: return .base
        case 0x6C6F63: return .col
        case 0x6465626D65: return .embed
        case 0x6D61726170: return .param
        case 0x656372756F73: return .source
        case 0x6B63617274: return .track
        case 0x706D78: return .xmp
        case 0x6465626D656F6E: return .noembed
        case 0x73656D6172666F6E: return .noframes
        case 0x6E6F6974706F: return .option
        case 0x6874616D: return .math
        case 0x7361766E6163: return .canvas
        case 0x6F65646976: return .video
        case 0x6F69647561: return .audio
            default: return .other
            }
        }

        /// The heading level of `h1`…`h6`.
        var headingLevel: Int? {
            switch self {
            case .h1: 1
            case .h2: 2
            case .h3: 3
            case .h4: 4
            case .h5: 5
            case .h6: 6
            default: nil
            }
        }

        /// Elements with no content and no end tag.
        var isVoid: Bool {
            switch self {
            case .br, .hr, .img, .input, .meta, .link, .wbr, .area, .base, .col, .embed, .param, .source, .track: true
            default: false
            }
        }

        /// Elements whose content is raw text, skipped up to their end tag without reading tags inside.
        var isRawText: Bool {
            switch self {
            case .script, .style, .textarea, .xmp, .iframe, .noembed, .noframes, .noscript: true
            default: false
            }
        }

        /// Elements that are never text worth keeping: navigation, embedded media, form controls.
        var isDropped: Bool {
            switch self {
            case .nav, .svg, .template, .select, .button, .object, .canvas, .video, .audio, .math: true
            default: false
            }
        }

        /// Elements that end the line and the paragraph around them.
        var isBlock: Bool {
            switch self {
            case .p, .div, .section, .article, .main, .blockquote, .figure, .figcaption, .form, .fieldset, .address,
                 .details, .summary, .center, .body, .html, .hr, .caption, .dl, .header, .footer, .aside, .head:
                true
            default: false
            }
        }
    }

    /// Up to eight bytes packed little-endian, optionally ASCII-lowercased.
    @inline(__always) static func pack(_ name: UnsafeBufferPointer<UInt8>, lowercased: Bool) -> UInt64 {
        var packed: UInt64 = 0
        for index in 0..<min(name.count, 8) {
            var byte = name[index]
            if lowercased, byte >= 0x41, byte <= 0x5A { byte |= 0x20 }
            packed |= UInt64(byte) << (8 * UInt64(index))
        }
        return packed
    }

    enum HTMLEntity {
        /// The scalar a named character reference stands for (0 for one that stands for nothing, like `&shy;`);
        /// nil for a name not known here, which is then kept as written. `&nbsp;` and the thin spaces become plain
        /// spaces so that words split on them.
        static func scalar(named name: UnsafeBufferPointer<UInt8>) -> UInt32? {
            guard name.count <= 8 else { return nil }
            switch pack(name, lowercased: false) {
        case 0x706D61: return 0x26  // amp
        case 0x746C: return 0x3C  // lt
        case 0x7467: return 0x3E  // gt
        case 0x746F7571: return 0x22  // quot
        case 0x736F7061: return 0x27  // apos
        case 0x7073626E: return 0x20  // nbsp
        case 0x79706F63: return 0xA9  // copy
        case 0x676572: return 0xAE  // reg
        case 0x687361646D: return 0x2014  // mdash
        case 0x687361646E: return 0x2013  // ndash
        case 0x70696C6C6568: return 0x2026  // hellip
        case 0x6F7571736C: return 0x2018  // lsquo
        case 0x6F75717372: return 0x2019  // rsquo
        case 0x6F7571646C: return 0x201C  // ldquo
        case 0x6F75716472: return 0x201D  // rdquo
        case 0x6F7571616C: return 0xAB  // laquo
        case 0x6F75716172: return 0xBB  // raquo
        case 0x73656D6974: return 0xD7  // times
        case 0x656469766964: return 0xF7  // divide
        case 0x61726170: return 0xB6  // para
        case 0x74636573: return 0xA7  // sect
        case 0x6C6C7562: return 0x2022  // bull
        case 0x746F6464696D: return 0xB7  // middot
        case 0x6564617274: return 0x2122  // trade
        case 0x6F727565: return 0x20AC  // euro
        case 0x646E756F70: return 0xA3  // pound
        case 0x6E6579: return 0xA5  // yen
        case 0x746E6563: return 0xA2  // cent
        case 0x676564: return 0xB0  // deg
        case 0x6E6D73756C70: return 0xB1  // plusmn
        case 0x72726172: return 0x2192  // rarr
        case 0x7272616C: return 0x2190  // larr
        case 0x72726175: return 0x2191  // uarr
        case 0x72726164: return 0x2193  // darr
        case 0x72726168: return 0x2194  // harr
        case 0x72724172: return 0x21D2  // rArr
        case 0x72724168: return 0x21D4  // hArr
        case 0x656C: return 0x2264  // le
        case 0x6567: return 0x2265  // ge
        case 0x656E: return 0x2260  // ne
        case 0x73756E696D: return 0x2212  // minus
        case 0x70736E696874: return 0x20  // thinsp
        case 0x70736E65: return 0x20  // ensp
        case 0x70736D65: return 0x20  // emsp
        case 0x726567676164: return 0x2020  // dagger
        case 0x726567676144: return 0x2021  // Dagger
        case 0x656D697270: return 0x2032  // prime
        case 0x323163617266: return 0xBD  // frac12
        case 0x343163617266: return 0xBC  // frac14
        case 0x343363617266: return 0xBE  // frac34
        case 0x6F7263696D: return 0xB5  // micro
        case 0x6C63786569: return 0xA1  // iexcl
        case 0x747365757169: return 0xBF  // iquest
        case 0x6F75716273: return 0x201A  // sbquo
        case 0x6F75716462: return 0x201E  // bdquo
        case 0x6F757161736C: return 0x2039  // lsaquo
        case 0x6F7571617372: return 0x203A  // rsaquo
        case 0x6E69666E69: return 0x221E  // infin
        case 0x32707573: return 0xB2  // sup2
        case 0x33707573: return 0xB3  // sup3
        case 0x6B63656863: return 0x2713  // check
        case 0x796873: return 0  // shy
        case 0x6A777A: return 0  // zwj
        case 0x6A6E777A: return 0  // zwnj
        case 0x6D726C: return 0  // lrm
        case 0x6D6C72: return 0  // rlm
            default: return nil
            }
        }
    }
}
