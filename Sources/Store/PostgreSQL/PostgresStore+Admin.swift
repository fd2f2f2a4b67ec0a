// What the admin pages read and change, on PostgreSQL: the same requirements as Store+Admin.swift (the documents'
// overview and reading one again are in PostgresStore+DocumentOverview.swift).
internal import Postgres

extension PostgresStore {
    public func unansweredQuestions(limit: Int) throws(StoreError) -> [UnansweredQuestion] {
        // As in Store: an answer counts when it found no passage, or when a model wrote it and it cites none of
        // the passages ("[1]" and the like).
        try withReader { db throws(PostgresError) in
            try db.query("""
                WITH unanswered AS (
                    SELECT a.id, a.created_at, a.model, a.content,
                        NOT EXISTS (SELECT 1 FROM message_sources AS s WHERE s.message_id = a.id) AS no_passage,
                        (SELECT q.content FROM messages AS q
                         WHERE q.thread_id = a.thread_id AND q.id < a.id AND q.role = 'user'
                         ORDER BY q.id DESC LIMIT 1) AS question
                    FROM messages AS a
                    WHERE a.role = 'assistant' AND a.status = 'complete'
                )
                SELECT min(question COLLATE "C"), count(*), max(created_at), count(*) FILTER (WHERE no_passage)
                FROM unanswered
                WHERE question IS NOT NULL AND (no_passage OR (model IS NOT NULL AND content !~ '\\[[0-9]'))
                GROUP BY lower(trim(question))
                ORDER BY count(*) DESC, max(created_at) DESC
                LIMIT $1
                """, max(0, limit)).map { row in
                UnansweredQuestion(question: row[0].string ?? "", asked: row[1].int ?? 0, lastAsked: row[2].int64 ?? 0,
                                   noPassage: row[3].int ?? 0)
            }
        }
    }
}
extension PostgresStore: AdminStorage {}
