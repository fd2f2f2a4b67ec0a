"""The database as the tests read it while (or after) `quarry` writes it: connections, single values, and the
check that the database is sound and its full-text index says exactly what its chunks say."""
import contextlib
import re
import sqlite3
import urllib.parse


@contextlib.contextmanager
def connect(db, readonly=False):
    if readonly:
        uri = "file:" + urllib.parse.quote(str(db)) + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=0.2, isolation_level=None)
    else:
        connection = sqlite3.connect(str(db), timeout=5, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def peek(db, sql, *params):
    """One value from the database while another process may be writing it; None if it cannot be read yet
    (no file, no tables, locked)."""
    try:
        with connect(db, readonly=True) as c:
            row = c.execute(sql, params).fetchone()
            return row[0] if row else None
    except sqlite3.DatabaseError:
        return None


def vocabulary(c, schema, table, detail):
    c.execute(f"CREATE VIRTUAL TABLE temp.vocab_{schema}_{detail} USING fts5vocab({schema}, {table}, {detail})")
    columns = "term, doc, col, offset" if detail == "instance" else "term, col, doc, cnt"
    return c.execute(f"SELECT {columns} FROM temp.vocab_{schema}_{detail} ORDER BY 1, 2, 3, 4").fetchall()


def check_consistent(db, detail="instance"):
    """The database is sound and its full-text index says exactly what the chunks say.

    chunks_fts is contentless, so FTS5's own 'integrity-check' only checks the index against itself (a 'delete'
    with wrong values would pass it). So the index is also compared with one rebuilt from the chunks' text: same
    rows, same terms in the same columns (and, with detail="instance", at the same places)."""
    with connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        c.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')")
        chunk_ids = {row[0] for row in c.execute("SELECT id FROM chunks")}
        assert {row[0] for row in c.execute("SELECT rowid FROM chunks_fts")} == chunk_ids
        definition = c.execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").fetchone()[0]
        rebuilt = re.sub(r"\bcontent\s*=\s*''\s*,?", "", definition.replace("chunks_fts", "temp.rebuilt", 1))
        c.execute(rebuilt)
        c.execute("INSERT INTO temp.rebuilt (rowid, title, headings, body) "
                  "SELECT c.id, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id")
        assert vocabulary(c, "main", "chunks_fts", detail) == vocabulary(c, "temp", "rebuilt", detail)
