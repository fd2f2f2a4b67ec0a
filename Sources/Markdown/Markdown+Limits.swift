extension Markdown {
    /// What one render may cost, whatever the Markdown asks for.
    ///
    /// cmark-gfm pads every table row with empty cells up to the header's width while it parses, so a short row
    /// under a 1,000-column header costs 1,000 cells: a 6.6 KB answer became 200,000 cells and seconds of CPU on
    /// every re-render. These limits keep the cells a render makes in proportion to what a reader can use; what
    /// passes them is shown as the text the model wrote (see `TableBudget`).
    public struct Limits: Sendable, Equatable {
        /// The widest table rendered as a table: a table whose delimiter row (`|---|---|`) has more cells is shown
        /// as its text instead.
        public var tableColumns: Int
        /// The most table cells one render makes, counted over all the tables of the document as header width
        /// times rows (header included): the rows past it are shown as text, and a table that starts after it
        /// is shown as its text.
        public var tableCells: Int

        /// The limits, 64 columns and 10,000 cells by default (a release build renders 10,000 cells in about 9 ms).
        public init(tableColumns: Int = 64, tableCells: Int = 10_000) {
            self.tableColumns = tableColumns
            self.tableCells = tableCells
        }

        /// The defaults.
        public static let standard = Limits()
    }
}
