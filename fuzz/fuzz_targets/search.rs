//! The search query builder on anything an agent might type. Never a panic; the FTS5 query
//! is always one SQLite accepts (run against a real FTS5 table with the hub's tokenizer),
//! and finds the text it was typed from; the PostgreSQL `tsquery` is well formed: quoted
//! word terms, the last of each a prefix, joined by `<->` and `&`.

#![no_main]

use std::ffi::{CStr, CString, c_int};
use std::ptr;

use libfuzzer_sys::fuzz_target;
use libsqlite3_sys as ffi;
use parley_proto::search::{fts5_query, like_pattern, phone_digits, tsquery, tsvector, words};

/// What SQLite said when it refused a statement.
#[derive(Debug)]
struct SqliteError(String);

impl std::fmt::Display for SqliteError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// An in-memory database with the hub's FTS5 table, made once.
struct Index {
    db: *mut ffi::sqlite3,
}

// SAFETY: the fuzzer calls the target from one thread at a time; SQLite is built
// serialized (its default) in any case.
unsafe impl Send for Index {}
unsafe impl Sync for Index {}

impl Index {
    fn open() -> Self {
        let mut db = ptr::null_mut();
        // SAFETY: a valid C string and an out pointer.
        let opened = unsafe { ffi::sqlite3_open(c":memory:".as_ptr(), &mut db) };
        assert_eq!(opened, ffi::SQLITE_OK);
        let index = Self { db };
        index.exec(
            c"CREATE VIRTUAL TABLE messages_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2')",
        );
        index.exec(
            c"CREATE VIRTUAL TABLE messages_words USING fts5vocab (messages_fts, 'instance')",
        );
        index
    }

    fn exec(&self, sql: &CStr) {
        // SAFETY: an open database and a valid C string.
        let done = unsafe {
            ffi::sqlite3_exec(
                self.db,
                sql.as_ptr(),
                None,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        assert_eq!(done, ffi::SQLITE_OK, "{sql:?}");
    }

    /// Stores `body` as row 1 (alone), then runs `query`: whether it matched (`None` when
    /// SQLite reads no word in the body, so nothing could), or SQLite's error.
    fn matches(&self, body: &str, query: &str) -> Result<Option<bool>, SqliteError> {
        self.exec(c"DELETE FROM messages_fts");
        self.run(
            c"INSERT INTO messages_fts (rowid, body) VALUES (1, ?)",
            body,
        )?;
        let found = self.run(
            c"SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?",
            query,
        )?;
        let has_words = self.run(
            c"SELECT term FROM messages_words WHERE doc = 1 AND term != ?",
            "",
        )?;
        Ok(has_words.then_some(found))
    }

    /// Prepares `sql`, binds `text` to its one parameter and steps once: whether a row came.
    fn run(&self, sql: &CStr, text: &str) -> Result<bool, SqliteError> {
        let text = CString::new(text).map_err(|_| SqliteError("a NUL in the text".to_owned()))?;
        let mut statement = ptr::null_mut();
        // SAFETY: an open database, a valid C string, out pointers; the statement is
        // finalized below on every path.
        unsafe {
            let prepared =
                ffi::sqlite3_prepare_v2(self.db, sql.as_ptr(), -1, &mut statement, ptr::null_mut());
            if prepared != ffi::SQLITE_OK {
                return Err(self.error());
            }
            ffi::sqlite3_bind_text(statement, 1, text.as_ptr(), -1, ffi::SQLITE_TRANSIENT());
            let stepped: c_int = ffi::sqlite3_step(statement);
            let outcome = match stepped {
                ffi::SQLITE_ROW => Ok(true),
                ffi::SQLITE_DONE => Ok(false),
                _ => Err(self.error()),
            };
            ffi::sqlite3_finalize(statement);
            outcome
        }
    }

    fn error(&self) -> SqliteError {
        // SAFETY: an open database; SQLite owns the message.
        SqliteError(
            unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
                .to_string_lossy()
                .into_owned(),
        )
    }
}

static INDEX: std::sync::LazyLock<Index> = std::sync::LazyLock::new(Index::open);

fuzz_target!(|typed: &str| {
    let _ = like_pattern(typed);
    let _ = phone_digits(typed);
    let _ = tsvector(typed);
    let Some(query) = fts5_query(typed) else {
        assert!(
            tsquery(typed).is_none(),
            "both engines see no word in {typed:?}"
        );
        return;
    };
    if typed.contains('\0') {
        return;
    }
    match INDEX.matches(typed, &query) {
        Ok(Some(found)) => assert!(found, "{typed:?} does not find itself with {query:?}"),
        // Words only this crate's newer Unicode tables know: nothing to find in SQLite.
        Ok(None) => {}
        Err(error) => {
            panic!("{typed:?} made the FTS5 query {query:?}, which SQLite refused: {error}")
        }
    }
    if let Some(tsquery) = tsquery(typed) {
        for term in tsquery.split(" & ") {
            let inner = term
                .strip_prefix('(')
                .and_then(|term| term.strip_suffix(')'))
                .unwrap_or_else(|| panic!("{term:?} is not a group"));
            let parts: Vec<&str> = inner.split(" <-> ").collect();
            for (index, part) in parts.iter().enumerate() {
                let word = if index + 1 == parts.len() {
                    part.strip_prefix('\'')
                        .and_then(|part| part.strip_suffix("':*"))
                } else {
                    part.strip_prefix('\'')
                        .and_then(|part| part.strip_suffix('\''))
                };
                let word = word.unwrap_or_else(|| panic!("{part:?} in {tsquery:?}"));
                assert!(!word.is_empty());
                assert!(
                    !word.contains(['\'', '\\', ' ', ':', '&', '|', '!', '(', ')', '<', '>']),
                    "{word:?} would break {tsquery:?}"
                );
            }
        }
    }
    for word in words(typed) {
        assert!(!word.is_empty());
    }
});
