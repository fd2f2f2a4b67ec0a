// Full-text search of chunks on PostgreSQL (migration 2): the words of each chunk, stemmed as the index stems them,
// in a table of postings from which BM25 is computed exactly as SQLite's FTS5 computes it (see
// PostgresStore+Search.swift for the ranking, docs/postgres.md for the measurements).
//
// How text becomes terms, as close to FTS5's `porter unicode61 remove_diacritics 2` as PostgreSQL allows without an
// extension:
// - `quarry_words(text)` turns ASCII punctuation into spaces (so PostgreSQL's parser sees only words and numbers,
//   never its hosts, file paths, versions or e-mail addresses: `os.path.join` is three words, as in FTS5), folds
//   Latin letters with diacritics to their base letter, and drops combining accents (U+0300–U+036F). It is a plain
//   `translate`, so it needs no `unaccent` extension: CREATE EXTENSION needs the database's CREATE right (unaccent
//   is trusted) or a superuser, which a hosted PostgreSQL's application role often lacks.
// - The configuration `quarry_english` is PostgreSQL's `english` with its Snowball stemmer replaced by one without
//   stop words: FTS5 indexes every word, and so must this, for the same document lengths and frequencies.
//   (Snowball's English stemmer is Porter's later version; FTS5's is the original, and a few words stem apart.)
// - `quarry_terms(title, headings, body)` is the weighted tsvector: title 'A', headings 'B', body 'D'.
//
// `chunk_terms` holds one row per chunk and term, with how often the term stands in each column; `chunks.token_count`
// is the chunk's length in tokens (all columns), BM25's |D|.

extension PostgresSchema {
    /// Migration 2: functions, text search configuration and the postings table for searching chunks.
    static let searchMigration = PostgresMigration("full-text search of chunks: terms, postings and lengths for BM25", sql: """
        CREATE FUNCTION quarry_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$
            SELECT translate($1,
                '!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~›ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉ'
                || 'ĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻż'
                || 'ŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊ'
                || 'ḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪ'
                || 'ṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐ'
                || 'ốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ'
                -- combining accents (U+0300–U+036F), deleted: no letter stands for them
                || '\u{300}\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}\u{309}\u{30A}\u{30B}\u{30C}\u{30D}'
                || '\u{30E}\u{30F}\u{310}\u{311}\u{312}\u{313}\u{314}\u{315}\u{316}\u{317}\u{318}\u{319}\u{31A}\u{31B}'
                || '\u{31C}\u{31D}\u{31E}\u{31F}\u{320}\u{321}\u{322}\u{323}\u{324}\u{325}\u{326}\u{327}\u{328}\u{329}'
                || '\u{32A}\u{32B}\u{32C}\u{32D}\u{32E}\u{32F}\u{330}\u{331}\u{332}\u{333}\u{334}\u{335}\u{336}\u{337}'
                || '\u{338}\u{339}\u{33A}\u{33B}\u{33C}\u{33D}\u{33E}\u{33F}\u{340}\u{341}\u{342}\u{343}\u{344}\u{345}'
                || '\u{346}\u{347}\u{348}\u{349}\u{34A}\u{34B}\u{34C}\u{34D}\u{34E}\u{34F}\u{350}\u{351}\u{352}\u{353}'
                || '\u{354}\u{355}\u{356}\u{357}\u{358}\u{359}\u{35A}\u{35B}\u{35C}\u{35D}\u{35E}\u{35F}\u{360}\u{361}'
                || '\u{362}\u{363}\u{364}\u{365}\u{366}\u{367}\u{368}\u{369}\u{36A}\u{36B}\u{36C}\u{36D}\u{36E}\u{36F}',
                '                                 AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCc'
                || 'CcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZz'
                || 'ZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyAaBbBbBbCcD'
                || 'dDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsT'
                || 'tTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoO'
                || 'oOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy')
        $body$;
        CREATE TEXT SEARCH DICTIONARY quarry_english_stem (TEMPLATE = snowball, LANGUAGE = english);
        CREATE TEXT SEARCH CONFIGURATION quarry_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION quarry_english ALTER MAPPING REPLACE english_stem WITH quarry_english_stem;
        CREATE FUNCTION quarry_terms(title text, headings text, body text) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
            SELECT setweight(to_tsvector('quarry_english', quarry_words(coalesce(title, ''))), 'A')
                || setweight(to_tsvector('quarry_english', quarry_words(coalesce(headings, ''))), 'B')
                || to_tsvector('quarry_english', quarry_words(coalesce(body, '')))
        $body$;
        ALTER TABLE chunks ADD COLUMN token_count integer NOT NULL DEFAULT 0;
        CREATE TABLE chunk_terms (
            term text COLLATE "C" NOT NULL,
            chunk_id bigint NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
            title integer NOT NULL,
            headings integer NOT NULL,
            body integer NOT NULL,
            PRIMARY KEY (term, chunk_id) INCLUDE (title, headings, body)
        );
        CREATE INDEX chunk_terms_by_chunk ON chunk_terms (chunk_id);
        -- Chunks stored before this migration (none, unless a later Quarry's data was copied in): index them.
        INSERT INTO chunk_terms (term, chunk_id, title, headings, body)
            SELECT t.lexeme, c.id, cardinality(array_positions(t.weights, 'A')),
                   cardinality(array_positions(t.weights, 'B')), cardinality(array_positions(t.weights, 'D'))
            FROM chunks c JOIN documents d ON d.id = c.document_id,
                 unnest(quarry_terms(d.title, c.heading_path, c.text)) t;
        UPDATE chunks c SET token_count = (
            SELECT coalesce(sum(cardinality(t.positions)), 0)
            FROM documents d, unnest(quarry_terms(d.title, c.heading_path, c.text)) t WHERE d.id = c.document_id);
        """)
}
