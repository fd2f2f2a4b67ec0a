// reStructuredText titles: a document's first section title, never the label, directive, comment or metadata before
// it. The sources are the first lines of Python 3.11's documentation (Debian's python3.11-doc, `_sources/*.rst.txt`),
// whose labels and directives were the titles of 208 of its pages when `.rst.txt` was read as plain text.

import Glibc
import Testing
@testable import Retrieval

extension ChunkerTests {
    @Suite struct RestructuredTextTitles {
        static let firstLines: [(file: String, source: String, title: String)] = [
            ("howto/logging-cookbook", """
                .. _logging-cookbook:

                ================
                Logging Cookbook
                ================

                :Author: Vinay Sajip <vinay_sajip at red-dove dot com>

                This page contains a number of recipes related to logging, which have been found
                useful in the past.
                """, "Logging Cookbook"),
            ("library/asyncio-task", """
                .. currentmodule:: asyncio


                ====================
                Coroutines and Tasks
                ====================

                This section outlines high-level asyncio APIs to work with coroutines
                and Tasks.

                .. contents::
                   :depth: 1
                   :local:
                """, "Coroutines and Tasks"),
            ("c-api/arg", """
                .. highlight:: c

                .. _arg-parsing:

                Parsing arguments and building values
                =====================================

                These functions are useful when creating your own extensions functions and
                methods.
                """, "Parsing arguments and building values"),
            ("faq/general", """
                :tocdepth: 2

                ==================
                General Python FAQ
                ==================

                .. only:: html

                   .. contents::


                General Information
                ===================
                """, "General Python FAQ"),
            ("howto/ipaddress", """
                .. testsetup::

                   import ipaddress

                .. _ipaddress-howto:

                ***************************************
                An introduction to the ipaddress module
                ***************************************

                :author: Peter Moody
                :author: Nick Coghlan
                """, "An introduction to the ipaddress module"),
            ("distutils/packageindex", """
                :orphan:

                .. _package-index:

                *******************************
                The Python Package Index (PyPI)
                *******************************

                The `Python Package Index (PyPI)`_ stores metadata describing distributions
                packaged with distutils and other publishing tools.
                """, "The Python Package Index (PyPI)"),
            // Titles as Sphinx prints them: dashes, function parentheses, RFC numbers, escapes.
            ("library/reprlib", """
                :mod:`reprlib` --- Alternate :func:`repr` implementation
                ========================================================

                .. module:: reprlib
                   :synopsis: Alternate repr() implementation with size limits.
                """, "reprlib — Alternate repr() implementation"),
            ("library/uuid", """
                :mod:`uuid` --- UUID objects according to :rfc:`4122`
                =====================================================

                .. module:: uuid
                """, "uuid — UUID objects according to RFC 4122"),
            ("library/contextlib", #"""
                :mod:`!contextlib` --- Utilities for :keyword:`!with`\ -statement contexts
                ==========================================================================

                .. module:: contextlib
                """#, "contextlib — Utilities for with-statement contexts"),
            ("library/importlib.resources", """
                :mod:`importlib.resources` -- Resources
                ---------------------------------------

                .. module:: importlib.resources
                """, "importlib.resources – Resources"),
        ]

        @Test(arguments: firstLines)
        func theTitleIsTheFirstSectionTitle(file: String, source: String, title: String) {
            #expect(DocumentFormat.of(path: "_sources/\(file).rst.txt") == .restructuredText)
            #expect(ChunkerTests.parse(source, .restructuredText).title == title)
        }

        @Test func fileWideMetadataIsNotText() {
            let document = ChunkerTests.parse(Self.firstLines[3].source + "\nWhat Python is.\n", .restructuredText)
            #expect(document.chunks.map(\.text) == ["What Python is."])
        }

        /// A text file that is really reStructuredText takes no label, directive or field for its title.
        @Test(arguments: firstLines.prefix(6))
        func asPlainTextMarkupIsNoTitle(file: String, source: String, title: String) {
            #expect(ChunkerTests.parse(source, .text).title == "fallback")
        }

        @Test func noPythonDocsSourceIsTitledByMarkup() throws {
            let root = "/usr/share/doc/python3.11/html/_sources"
            let paths = Self.files(under: root, suffix: ".rst.txt")
            guard !paths.isEmpty else { return }  // python3.11-doc not installed: nothing to check
            var titled = 0
            for path in paths {
                let bytes = try #require(ChunkerTests.readFile(path))
                let document = try ChunkerTests.chunker.parse(bytes, format: .restructuredText, fallbackTitle: "")
                let title = document.title
                #expect(!(title.hasPrefix("..") || title.hasPrefix(":") || title.contains("::")), "\(path): \(title)")
                if !title.isEmpty { titled += 1 }
            }
            // Two include snippets have no title of their own (their HTML pages have none either).
            #expect(titled >= paths.count - 2)
        }

        static func files(under folder: String, suffix: String) -> [String] {
            guard let directory = opendir(folder) else { return [] }
            var names: [String] = []
            while let entry = readdir(directory) {
                names.append(withUnsafeBytes(of: entry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                })
            }
            closedir(directory)
            return names.filter { $0 != "." && $0 != ".." }.flatMap { name -> [String] in
                let path = folder + "/" + name
                var info = stat()
                guard stat(path, &info) == 0 else { return [] }
                if info.st_mode & S_IFMT == S_IFDIR { return files(under: path, suffix: suffix) }
                return name.hasSuffix(suffix) ? [path] : []
            }
        }
    }
}
