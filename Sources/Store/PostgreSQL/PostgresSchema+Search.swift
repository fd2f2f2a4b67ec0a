// Full-text search of chunks on PostgreSQL (migration 2): the words of each chunk, stemmed as the index stems them,
// in a table of postings from which BM25 is computed exactly as SQLite's FTS5 computes it (see
// PostgresStore+Search.swift for the ranking, docs/postgres.md for the measurements).
//
// How text becomes terms, as close to FTS5's `porter unicode61 remove_diacritics 2` as PostgreSQL allows without an
// extension:
// - `quarry_words(text)` turns every run of punctuation, symbols, spaces and controls into a space, as unicode61
//   cuts words, with a regular expression of their code point ranges (not `[[:punct:]]`, which follows the
//   database's locale: under the C locale PostgreSQL takes every non-ASCII character for a letter, and "don’t" or
//   "foo—bar" would be one word). So PostgreSQL's parser sees only words and numbers, never its hosts, file paths,
//   versions or e-mail addresses: `os.path.join` is three words, as in FTS5. It then folds Latin letters with
//   diacritics to their base letter and drops combining accents (U+0300–U+036F) with a plain `translate`: no
//   `unaccent` extension, since CREATE EXTENSION needs the database's CREATE right (unaccent is trusted) or a
//   superuser, which a hosted PostgreSQL's application role often lacks, and the folding would then depend on it.
// - The configuration `quarry_english` is PostgreSQL's `english` with its stemmer replaced by Snowball's `porter`
//   (Porter's original algorithm, FTS5's; `english` is his later one, which stems "ones" to "one" where FTS5 says
//   "on") and no stop words: FTS5 indexes every word, and so must this, for the same lengths and frequencies.
// - `quarry_terms(title, headings, body)` is the weighted tsvector: title 'A', headings 'B', body 'D'.
//
// `chunk_terms` holds one row per chunk and term, with how often the term stands in each column and the chunk's
// length in tokens (all columns, BM25's |D|, also in `chunks.token_count`); `knowledge_base` keeps the number of
// chunks and the sum of their lengths.

extension PostgresSchema {
    /// Migration 2: functions, text search configuration and the postings table for searching chunks.
    static let searchMigration = PostgresMigration("full-text search of chunks: terms, postings and lengths for BM25", sql: """
        CREATE FUNCTION quarry_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$
            SELECT translate(
                regexp_replace($1,
                    -- Punctuation, symbols, spaces and controls: what FTS5's unicode61 tokenizer separates words by
                    -- (Unicode categories P, S, Z, Cc, Cf, from Unicode 14).
                    '[' || '\\u0001-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u00A9\\u00AB-\\u00B1\\u00B4\\u00B6-\\u00B8\\u00BB\\u00BF'
                    || '\\u00D7\\u00F7\\u02C2-\\u02C5\\u02D2-\\u02DF\\u02E5-\\u02EB\\u02ED\\u02EF-\\u02FF\\u0375\\u037E\\u0384-\\u0385'
                    || '\\u0387\\u03F6\\u0482\\u055A-\\u055F\\u0589-\\u058A\\u058D-\\u058F\\u05BE\\u05C0\\u05C3\\u05C6\\u05F3-\\u05F4'
                    || '\\u0600-\\u060F\\u061B-\\u061F\\u066A-\\u066D\\u06D4\\u06DD-\\u06DE\\u06E9\\u06FD-\\u06FE\\u0700-\\u070D\\u070F'
                    || '\\u07F6-\\u07F9\\u07FE-\\u07FF\\u0830-\\u083E\\u085E\\u0888\\u0890-\\u0891\\u08E2\\u0964-\\u0965\\u0970'
                    || '\\u09F2-\\u09F3\\u09FA-\\u09FB\\u09FD\\u0A76\\u0AF0-\\u0AF1\\u0B70\\u0BF3-\\u0BFA\\u0C77\\u0C7F\\u0C84\\u0D4F\\u0D79'
                    || '\\u0DF4\\u0E3F\\u0E4F\\u0E5A-\\u0E5B\\u0F01-\\u0F17\\u0F1A-\\u0F1F\\u0F34\\u0F36\\u0F38\\u0F3A-\\u0F3D\\u0F85'
                    || '\\u0FBE-\\u0FC5\\u0FC7-\\u0FCC\\u0FCE-\\u0FDA\\u104A-\\u104F\\u109E-\\u109F\\u10FB\\u1360-\\u1368\\u1390-\\u1399'
                    || '\\u1400\\u166D-\\u166E\\u1680\\u169B-\\u169C\\u16EB-\\u16ED\\u1735-\\u1736\\u17D4-\\u17D6\\u17D8-\\u17DB'
                    || '\\u1800-\\u180A\\u180E\\u1940\\u1944-\\u1945\\u19DE-\\u19FF\\u1A1E-\\u1A1F\\u1AA0-\\u1AA6\\u1AA8-\\u1AAD'
                    || '\\u1B5A-\\u1B6A\\u1B74-\\u1B7E\\u1BFC-\\u1BFF\\u1C3B-\\u1C3F\\u1C7E-\\u1C7F\\u1CC0-\\u1CC7\\u1CD3\\u1FBD'
                    || '\\u1FBF-\\u1FC1\\u1FCD-\\u1FCF\\u1FDD-\\u1FDF\\u1FED-\\u1FEF\\u1FFD-\\u1FFE\\u2000-\\u2064\\u2066-\\u206F'
                    || '\\u207A-\\u207E\\u208A-\\u208E\\u20A0-\\u20C0\\u2100-\\u2101\\u2103-\\u2106\\u2108-\\u2109\\u2114\\u2116-\\u2118'
                    || '\\u211E-\\u2123\\u2125\\u2127\\u2129\\u212E\\u213A-\\u213B\\u2140-\\u2144\\u214A-\\u214D\\u214F\\u218A-\\u218B'
                    || '\\u2190-\\u2426\\u2440-\\u244A\\u249C-\\u24E9\\u2500-\\u2775\\u2794-\\u2B73\\u2B76-\\u2B95\\u2B97-\\u2BFF'
                    || '\\u2CE5-\\u2CEA\\u2CF9-\\u2CFC\\u2CFE-\\u2CFF\\u2D70\\u2E00-\\u2E2E\\u2E30-\\u2E5D\\u2E80-\\u2E99\\u2E9B-\\u2EF3'
                    || '\\u2F00-\\u2FD5\\u2FF0-\\u2FFB\\u3000-\\u3004\\u3008-\\u3020\\u3030\\u3036-\\u3037\\u303D-\\u303F\\u309B-\\u309C'
                    || '\\u30A0\\u30FB\\u3190-\\u3191\\u3196-\\u319F\\u31C0-\\u31E3\\u3200-\\u321E\\u322A-\\u3247\\u3250\\u3260-\\u327F'
                    || '\\u328A-\\u32B0\\u32C0-\\u33FF\\u4DC0-\\u4DFF\\uA490-\\uA4C6\\uA4FE-\\uA4FF\\uA60D-\\uA60F\\uA673\\uA67E'
                    || '\\uA6F2-\\uA6F7\\uA700-\\uA716\\uA720-\\uA721\\uA789-\\uA78A\\uA828-\\uA82B\\uA836-\\uA839\\uA874-\\uA877'
                    || '\\uA8CE-\\uA8CF\\uA8F8-\\uA8FA\\uA8FC\\uA92E-\\uA92F\\uA95F\\uA9C1-\\uA9CD\\uA9DE-\\uA9DF\\uAA5C-\\uAA5F'
                    || '\\uAA77-\\uAA79\\uAADE-\\uAADF\\uAAF0-\\uAAF1\\uAB5B\\uAB6A-\\uAB6B\\uABEB\\uFB29\\uFBB2-\\uFBC2\\uFD3E-\\uFD4F'
                    || '\\uFDCF\\uFDFC-\\uFDFF\\uFE10-\\uFE19\\uFE30-\\uFE52\\uFE54-\\uFE66\\uFE68-\\uFE6B\\uFEFF\\uFF01-\\uFF0F'
                    || '\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65\\uFFE0-\\uFFE6\\uFFE8-\\uFFEE\\uFFF9-\\uFFFD\\U00010100-\\U00010102'
                    || '\\U00010137-\\U0001013F\\U00010179-\\U00010189\\U0001018C-\\U0001018E\\U00010190-\\U0001019C\\U000101A0'
                    || '\\U000101D0-\\U000101FC\\U0001039F\\U000103D0\\U0001056F\\U00010857\\U00010877-\\U00010878\\U0001091F'
                    || '\\U0001093F\\U00010A50-\\U00010A58\\U00010A7F\\U00010AC8\\U00010AF0-\\U00010AF6\\U00010B39-\\U00010B3F'
                    || '\\U00010B99-\\U00010B9C\\U00010EAD\\U00010F55-\\U00010F59\\U00010F86-\\U00010F89\\U00011047-\\U0001104D'
                    || '\\U000110BB-\\U000110C1\\U000110CD\\U00011140-\\U00011143\\U00011174-\\U00011175\\U000111C5-\\U000111C8'
                    || '\\U000111CD\\U000111DB\\U000111DD-\\U000111DF\\U00011238-\\U0001123D\\U000112A9\\U0001144B-\\U0001144F'
                    || '\\U0001145A-\\U0001145B\\U0001145D\\U000114C6\\U000115C1-\\U000115D7\\U00011641-\\U00011643'
                    || '\\U00011660-\\U0001166C\\U000116B9\\U0001173C-\\U0001173F\\U0001183B\\U00011944-\\U00011946\\U000119E2'
                    || '\\U00011A3F-\\U00011A46\\U00011A9A-\\U00011A9C\\U00011A9E-\\U00011AA2\\U00011C41-\\U00011C45'
                    || '\\U00011C70-\\U00011C71\\U00011EF7-\\U00011EF8\\U00011FD5-\\U00011FF1\\U00011FFF\\U00012470-\\U00012474'
                    || '\\U00012FF1-\\U00012FF2\\U00013430-\\U00013438\\U00016A6E-\\U00016A6F\\U00016AF5\\U00016B37-\\U00016B3F'
                    || '\\U00016B44-\\U00016B45\\U00016E97-\\U00016E9A\\U00016FE2\\U0001BC9C\\U0001BC9F-\\U0001BCA3'
                    || '\\U0001CF50-\\U0001CFC3\\U0001D000-\\U0001D0F5\\U0001D100-\\U0001D126\\U0001D129-\\U0001D164'
                    || '\\U0001D16A-\\U0001D16C\\U0001D173-\\U0001D17A\\U0001D183-\\U0001D184\\U0001D18C-\\U0001D1A9'
                    || '\\U0001D1AE-\\U0001D1EA\\U0001D200-\\U0001D241\\U0001D245\\U0001D300-\\U0001D356\\U0001D6C1\\U0001D6DB'
                    || '\\U0001D6FB\\U0001D715\\U0001D735\\U0001D74F\\U0001D76F\\U0001D789\\U0001D7A9\\U0001D7C3'
                    || '\\U0001D800-\\U0001D9FF\\U0001DA37-\\U0001DA3A\\U0001DA6D-\\U0001DA74\\U0001DA76-\\U0001DA83'
                    || '\\U0001DA85-\\U0001DA8B\\U0001E14F\\U0001E2FF\\U0001E95E-\\U0001E95F\\U0001ECAC\\U0001ECB0\\U0001ED2E'
                    || '\\U0001EEF0-\\U0001EEF1\\U0001F000-\\U0001F02B\\U0001F030-\\U0001F093\\U0001F0A0-\\U0001F0AE'
                    || '\\U0001F0B1-\\U0001F0BF\\U0001F0C1-\\U0001F0CF\\U0001F0D1-\\U0001F0F5\\U0001F10D-\\U0001F1AD'
                    || '\\U0001F1E6-\\U0001F202\\U0001F210-\\U0001F23B\\U0001F240-\\U0001F248\\U0001F250-\\U0001F251'
                    || '\\U0001F260-\\U0001F265\\U0001F300-\\U0001F6D7\\U0001F6DD-\\U0001F6EC\\U0001F6F0-\\U0001F6FC'
                    || '\\U0001F700-\\U0001F773\\U0001F780-\\U0001F7D8\\U0001F7E0-\\U0001F7EB\\U0001F7F0\\U0001F800-\\U0001F80B'
                    || '\\U0001F810-\\U0001F847\\U0001F850-\\U0001F859\\U0001F860-\\U0001F887\\U0001F890-\\U0001F8AD'
                    || '\\U0001F8B0-\\U0001F8B1\\U0001F900-\\U0001FA53\\U0001FA60-\\U0001FA6D\\U0001FA70-\\U0001FA74'
                    || '\\U0001FA78-\\U0001FA7C\\U0001FA80-\\U0001FA86\\U0001FA90-\\U0001FAAC\\U0001FAB0-\\U0001FABA'
                    || '\\U0001FAC0-\\U0001FAC5\\U0001FAD0-\\U0001FAD9\\U0001FAE0-\\U0001FAE7\\U0001FAF0-\\U0001FAF6'
                    || '\\U0001FB00-\\U0001FB92\\U0001FB94-\\U0001FBCA\\U000E0001\\U000E0020-\\U000E007F'
                    || ']+', ' ', 'g'),
                'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉ'
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
                'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCc'
                || 'CcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZz'
                || 'ZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyAaBbBbBbCcD'
                || 'dDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsT'
                || 'tTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoO'
                || 'oOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy')
        $body$;
        CREATE TEXT SEARCH DICTIONARY quarry_porter (TEMPLATE = snowball, LANGUAGE = porter);
        CREATE TEXT SEARCH CONFIGURATION quarry_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION quarry_english ALTER MAPPING REPLACE english_stem WITH quarry_porter;
        CREATE FUNCTION quarry_terms(title text, headings text, body text) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
            SELECT setweight(to_tsvector('quarry_english', quarry_words(coalesce(title, ''))), 'A')
                || setweight(to_tsvector('quarry_english', quarry_words(coalesce(headings, ''))), 'B')
                || to_tsvector('quarry_english', quarry_words(coalesce(body, '')))
        $body$;
        ALTER TABLE chunks ADD COLUMN token_count integer NOT NULL DEFAULT 0;
        -- BM25's N and the sum of the chunks' lengths (avgdl is their quotient), kept by every change to chunks.
        ALTER TABLE knowledge_base ADD COLUMN chunk_count bigint NOT NULL DEFAULT 0;
        ALTER TABLE knowledge_base ADD COLUMN token_total bigint NOT NULL DEFAULT 0;
        -- One row per chunk and term: how often the term stands in the title, the headings and the body (at most
        -- 256 each: a tsvector keeps no more positions), and the chunk's length, so that scoring reads the index alone.
        CREATE TABLE chunk_terms (
            term text COLLATE "C" NOT NULL,
            chunk_id bigint NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
            title smallint NOT NULL,
            headings smallint NOT NULL,
            body smallint NOT NULL,
            length integer NOT NULL,
            PRIMARY KEY (term, chunk_id) INCLUDE (title, headings, body, length)
        );
        CREATE INDEX chunk_terms_by_chunk ON chunk_terms (chunk_id);
        -- Chunks stored before this migration (none, unless a later Quarry's data was copied in): index them.
        UPDATE chunks c SET token_count = (
            SELECT coalesce(sum(cardinality(t.positions)), 0)
            FROM documents d, unnest(quarry_terms(d.title, c.heading_path, c.text)) t WHERE d.id = c.document_id);
        INSERT INTO chunk_terms (term, chunk_id, title, headings, body, length)
            SELECT t.lexeme, c.id, cardinality(array_positions(t.weights, 'A')),
                   cardinality(array_positions(t.weights, 'B')), cardinality(array_positions(t.weights, 'D')),
                   c.token_count
            FROM chunks c JOIN documents d ON d.id = c.document_id,
                 unnest(quarry_terms(d.title, c.heading_path, c.text)) t;
        UPDATE knowledge_base SET chunk_count = (SELECT count(*) FROM chunks),
                                  token_total = (SELECT coalesce(sum(token_count), 0) FROM chunks);
        """)
}
