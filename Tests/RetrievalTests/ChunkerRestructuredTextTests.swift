// reStructuredText: title and section levels in order of first appearance, directives and roles reduced to text.

import Testing
@testable import Retrieval

extension ChunkerTests {
    @Suite struct RestructuredText {
        static let guide = """
            .. _json-module:

            =================================================
            :mod:`json` --- JSON encoder and decoder
            =================================================

            .. module:: json
               :synopsis: Encode and decode the JSON format.

            .. index:: single: JavaScript Object Notation

            `JSON (JavaScript Object Notation) <https://json.org>`_ is a lightweight data
            interchange format, see :rfc:`7159` and :ref:`the conversion table <py-to-json-table>`.
            It is easy for humans to read and write.

            Basic Usage
            ===========

            .. function:: dumps(obj, *, skipkeys=False)
                          dump(obj, fp)

               Serialize *obj* to a JSON formatted :class:`str` using :func:`~json.encoder.encode`.

               .. versionchanged:: 3.6
                  All optional parameters are now keyword-only.

            Encoding basic Python object hierarchies::

                >>> import json
                >>> json.dumps(['foo', {'bar': ('baz', None, 1.0, 2)}])
                '["foo", {"bar": ["baz", null, 1.0, 2]}]'

            .. note::

               JSON is a subset of YAML 1.2.

            Encoders
            --------

            Encoders turn Python objects into JSON text.

            .. code-block:: python

               class Encoder(json.JSONEncoder):
                   pass

            Details
            ~~~~~~~

            * First point
              continued.
            * Second point.

            ====  =====
            JSON  Python
            ====  =====
            true  True
            ====  =====

            Exceptions
            ==========

            .. Comments are dropped,
               with their indented lines.

            Raised when :exc:`ValueError` is not specific enough.
            """

        @Test func titleAndSectionLevelsFollowTheOrderOfFirstAppearance() {
            let document = ChunkerTests.parse(Self.guide, .restructuredText)
            #expect(document.title == "json — JSON encoder and decoder")
            #expect(document.chunks.map(\.headingPath) == [
                [], ["Basic Usage"], ["Basic Usage", "Encoders"], ["Basic Usage", "Encoders", "Details"],
                ["Exceptions"],
            ])
        }

        @Test(arguments: [
            ("Title\n=====\n\nText.", "Title"),
            ("#####\nTitle\n#####\n\nSub\n===\n\nText.", "Title"),
            ("Just text.\n\nMore text.", "fallback"),
            ("Not a title\n--\n\nText.", "fallback"),
        ])
        func title(rst: String, title: String) {
            #expect(ChunkerTests.parse(rst, .restructuredText).title == title)
        }

        @Test func overlinedAndUnderlinedStylesAreDifferentLevels() {
            let text = """
                ====
                Doc
                ====

                ----
                Part
                ----

                Part text one.

                Part text two.

                Chapter
                =======

                Chapter text one.

                Chapter text two.

                ----
                Next
                ----

                Next text.
                """
            let document = ChunkerTests.parse(text, .restructuredText)
            #expect(document.title == "Doc")
            #expect(document.chunks.map(\.headingPath) == [["Part"], ["Part", "Chapter"], ["Next"]])
        }

        @Test func directiveNoiseIsDroppedAndRolesBecomeTheirText() {
            let text = ChunkerTests.parse(Self.guide, .restructuredText).chunks.map(\.text).joined(separator: "\n\n")
            for noise in [".. ", ":mod:", ":func:", ":ref:", ":rfc:", "`", "synopsis", "single: JavaScript",
                          "Comments are", "https://json.org", "py-to-json-table"] {
                #expect(!text.contains(noise), "\(noise)")
            }
            for kept in [
                "JSON (JavaScript Object Notation) is a lightweight data\n"
                    + "interchange format, see RFC 7159 and the conversion table.\n",
                "dumps(obj, *, skipkeys=False)\ndump(obj, fp)\n\nSerialize *obj* to a JSON formatted str using encode().",
                "Changed in version 3.6: All optional parameters are now keyword-only.",
                "Note:\n\nJSON is a subset of YAML 1.2.",
                "Raised when ValueError is not specific enough.",
            ] {
                #expect(text.contains(kept), "\(kept)")
            }
        }

        @Test func literalBlocksCodeListsAndTablesAreKept() {
            let document = ChunkerTests.parse(Self.guide, .restructuredText)
            let literal = """
                Encoding basic Python object hierarchies:

                >>> import json
                >>> json.dumps(['foo', {'bar': ('baz', None, 1.0, 2)}])
                """
            #expect(document.chunks.contains { $0.text.contains(literal) && $0.headingPath == ["Basic Usage"] })
            #expect(document.chunks.contains { $0.text.contains("class Encoder(json.JSONEncoder):\n    pass") })
            #expect(document.chunks.contains { $0.text.contains("* First point\n  continued.\n* Second point.") })
            #expect(document.chunks.contains { $0.text.contains("====  =====\nJSON  Python\n====  =====\ntrue  True") })
        }

        @Test func aLoneDoubleColonParagraphLeavesOnlyTheLiteralBlock() {
            let text = "Title\n=====\n\n::\n\n    code here\n\nAfter ::\n\n    more\n"
            let document = ChunkerTests.parse(text, .restructuredText)
            #expect(document.chunks.map(\.text) == ["code here\n\nAfter\n\nmore"])
        }
    }
}
