// The languages the highlighter knows, as tables (see `Grammar`), and the names a fence's info string may give them.
// A language not here is shown as plain code, still with its Copy button.
extension Markdown {
    enum Grammars {
        /// The grammar for a fence's language (`class="language-x"`, any case), nil for one not known.
        static func grammar(named name: some StringProtocol) -> Grammar? {
            byName[name.lowercased()]
        }

        /// Every name a fence may use, to its grammar.
        static let byName: [String: Grammar] = {
            var table: [String: Grammar] = [:]
            let languages: [(names: String, grammar: Grammar)] = [
                ("sh bash shell zsh ksh console shell-session shellsession", shell),
                ("python py python3 py3 gyp", python),
                ("javascript js jsx mjs cjs node", javascript),
                ("typescript ts tsx mts cts", typescript),
                ("swift", swift),
                ("c h", c),
                ("cpp c++ cc cxx hpp hh hxx", cpp),
                ("java", java),
                ("go golang", go),
                ("rust rs", rust),
                ("sql mysql postgresql postgres psql pgsql sqlite plsql tsql", sql),
                ("json jsonc json5 geojson", json),
                ("yaml yml", yaml),
                ("html htm xhtml xml svg xsl xslt plist rss atom", markup),
                ("css", css),
            ]
            for (names, grammar) in languages {
                for name in names.split(separator: " ") { table[String(name)] = grammar }
            }
            return table
        }()

        // MARK: The C family

        static let slashComments = [
            Delimited("//", "", .comment),
            Delimited("/*", "*/", .comment, multiline: true),
        ]

        static let c = Grammar(
            delimited: [Delimited("#", "", .meta, lineStart: true)] + slashComments + [
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("'", "'", .string, escapes: true, character: true),
            ],
            keywords: words("""
                auto break case const continue default do else enum extern for goto if inline register restrict return
                sizeof static struct switch typedef union volatile while _Alignas _Alignof _Atomic _Bool _Generic
                _Noreturn _Static_assert _Thread_local
                """),
            types: words("""
                char double float int long short signed unsigned void bool size_t ssize_t ptrdiff_t intptr_t uintptr_t
                int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t FILE
                """),
            literals: words("true false NULL nullptr EOF stdin stdout stderr")
        )

        static let cpp: Grammar = {
            var grammar = c
            grammar.keywords.formUnion(words("""
                alignas alignof and asm catch class concept consteval constexpr constinit co_await co_return co_yield
                decltype delete explicit export final friend mutable namespace new noexcept not operator or override
                private protected public requires static_assert static_cast dynamic_cast reinterpret_cast const_cast
                template this throw try typeid typename using virtual
                """))
            grammar.types.formUnion(words("wchar_t char8_t char16_t char32_t auto string vector map set unique_ptr shared_ptr"))
            return grammar
        }()

        static let java = Grammar(
            delimited: slashComments + [
                Delimited("\"\"\"", "\"\"\"", .string, escapes: true, multiline: true),
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("'", "'", .string, escapes: true, character: true),
            ],
            keywords: words("""
                abstract assert break case catch class const continue default do else enum extends final finally for
                goto if implements import instanceof interface native new package private protected public record return
                sealed static strictfp super switch synchronized this throw throws transient try var void volatile while
                yield permits non-sealed
                """),
            types: words("boolean byte char double float int long short"),
            literals: words("true false null"),
            capitalizedTypes: true,
            annotation: UInt8(ascii: "@")
        )

        static let go = Grammar(
            delimited: slashComments + [
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("`", "`", .string, multiline: true),
                Delimited("'", "'", .string, escapes: true, character: true),
            ],
            keywords: words("""
                break case chan const continue default defer else fallthrough for func go goto if import interface map
                package range return select struct switch type var
                """),
            types: words("""
                any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string
                uint uint8 uint16 uint32 uint64 uintptr
                """),
            literals: words("true false nil iota"),
            builtins: words("append cap clear close complex copy delete imag len make max min new panic print println real recover")
        )

        static let rust = Grammar(
            delimited: slashComments + [
                Delimited("#[", "]", .meta),
                Delimited("#![", "]", .meta),
                Delimited("r#\"", "\"#", .string, multiline: true),
                Delimited("\"", "\"", .string, escapes: true, multiline: true),
                Delimited("'", "'", .string, escapes: true, character: true),
            ],
            keywords: words("""
                as async await break const continue crate dyn else enum extern fn for if impl in let loop match mod move
                mut pub ref return self Self static struct super trait type union unsafe use where while yield
                """),
            types: words("i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str"),
            literals: words("true false None Some Ok Err"),
            capitalizedTypes: true,
            stringPrefixes: words("b r br")
        )

        static let swift = Grammar(
            delimited: slashComments + [
                Delimited("#\"", "\"#", .string, multiline: true),
                Delimited("\"\"\"", "\"\"\"", .string, escapes: true, multiline: true),
                Delimited("\"", "\"", .string, escapes: true),
            ],
            keywords: words("""
                actor any as associatedtype async await break case catch class continue convenience default defer deinit
                didSet do dynamic else enum extension fallthrough fileprivate final for func get guard if import in
                indirect init inout internal is isolated lazy let mutating nonisolated nonmutating open operator
                optional override package precedencegroup private protocol public repeat required rethrows return self
                Self set some static struct subscript super switch throw throws try typealias unowned var weak where
                while willSet consuming borrowing sending
                """),
            literals: words("true false nil"),
            capitalizedTypes: true,
            annotation: UInt8(ascii: "@")
        )

        static let javascript = Grammar(
            delimited: slashComments + [
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("'", "'", .string, escapes: true),
                Delimited("`", "`", .string, escapes: true, multiline: true),
            ],
            keywords: words("""
                async await break case catch class const continue debugger default delete do else export extends finally
                for from function get if import in instanceof let new of return set static super switch this throw try
                typeof var void while with yield
                """),
            literals: words("true false null undefined NaN Infinity"),
            wordBytes: [UInt8(ascii: "$")],
            annotation: UInt8(ascii: "@")
        )

        static let typescript: Grammar = {
            var grammar = javascript
            grammar.keywords.formUnion(words("""
                abstract as asserts declare enum implements infer interface is keyof module namespace override private
                protected public readonly satisfies type unique
                """))
            grammar.types = words("any bigint boolean never number object string symbol unknown void")
            grammar.capitalizedTypes = true
            return grammar
        }()

        // MARK: Scripts and data

        static let shell = Grammar(
            delimited: [
                Delimited("#", "", .comment, wordStart: true),
                Delimited("\"", "\"", .string, escapes: true, multiline: true),
                Delimited("'", "'", .string, multiline: true),
            ],
            keywords: words("""
                if then else elif fi case esac for select while until do done in function time return break continue
                local export readonly declare typeset unset shift exit source alias set eval exec trap
                """),
            builtins: words("""
                echo printf cd pwd read test mkdir rm cp mv ls cat grep sed awk curl wget sudo apt apt-get chmod chown
                tar git docker systemctl ssh scp find xargs kill sort head tail tee touch ln make pip python3 swift
                """),
            wordBytes: [UInt8(ascii: "-")],
            calls: false,
            variables: true
        )

        static let python = Grammar(
            delimited: [
                Delimited("#", "", .comment),
                Delimited("\"\"\"", "\"\"\"", .string, escapes: true, multiline: true),
                Delimited("'''", "'''", .string, escapes: true, multiline: true),
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("'", "'", .string, escapes: true),
            ],
            keywords: words("""
                and as assert async await break class continue def del elif else except finally for from global if
                import in is lambda nonlocal not or pass raise return try while with yield match case self
                """),
            types: words("int float str bytes bool list dict set tuple object type Exception ValueError TypeError KeyError"),
            literals: words("True False None"),
            builtins: words("print len range open enumerate zip map filter sorted isinstance super"),
            annotation: UInt8(ascii: "@"),
            stringPrefixes: words("f r b u rb br fr rf F R B U")
        )

        static let sql = Grammar(
            delimited: [
                Delimited("--", "", .comment),
                Delimited("/*", "*/", .comment, multiline: true),
                Delimited("'", "'", .string, multiline: true),
                Delimited("\"", "\"", .string),
                Delimited("`", "`", .string),
            ],
            keywords: words("""
                add all alter and as asc begin between by case cascade check column commit constraint create cross
                database default delete desc distinct drop else end exists explain foreign from full group having if in
                index inner insert into is join key left like limit not null offset on or order outer primary references
                replace returning right rollback select set table then to transaction trigger union unique update using
                values view when where with without
                """),
            types: words("""
                int integer bigint smallint serial bigserial real double float numeric decimal char varchar text blob
                boolean bool date time timestamp timestamptz interval json jsonb uuid
                """),
            literals: words("true false"),
            caseInsensitive: true
        )

        static let json = Grammar(
            delimited: slashComments + [Delimited("\"", "\"", .string, escapes: true)],
            literals: words("true false null"),
            calls: false,
            keys: true
        )

        static let yaml = Grammar(
            delimited: [
                Delimited("#", "", .comment, wordStart: true),
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("'", "'", .string),
            ],
            literals: words("true false yes no on off null True False Yes No On Off Null TRUE FALSE NULL"),
            wordBytes: [UInt8(ascii: "-"), UInt8(ascii: ".")],
            calls: false,
            keys: true
        )

        // MARK: Markup and style

        static let markup = Grammar(
            delimited: [
                Delimited("<!--", "-->", .comment, multiline: true),
                Delimited("<![CDATA[", "]]>", .string, multiline: true),
                Delimited("<!", ">", .meta, multiline: true),
                Delimited("<?", "?>", .meta, multiline: true),
            ],
            calls: false,
            markup: true
        )

        static let css = Grammar(
            delimited: [
                Delimited("/*", "*/", .comment, multiline: true),
                Delimited("\"", "\"", .string, escapes: true),
                Delimited("'", "'", .string, escapes: true),
            ],
            wordBytes: [UInt8(ascii: "-")],
            css: true
        )

        /// The words of `text`, split at blanks and line endings.
        static func words(_ text: String) -> Set<String> {
            Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
    }
}
