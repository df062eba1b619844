//! The `database` setting: a URL that names the engine.

use std::path::PathBuf;

use serde::Deserialize;

use super::ConfigError;

/// Where the hub keeps its data: a SQLite file (one hub) or a PostgreSQL database (one or
/// more hubs). Written as a URL — `sqlite:///var/lib/parley/parley.db`,
/// `postgres://user:password@host/database` — or, for SQLite, a bare path.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// Reads a database URL or a bare SQLite path.
    ///
    /// # Errors
    /// [`ConfigError::Database`] for an empty value or a scheme the hub does not speak.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text);
        if path.is_empty() {
            return Err(ConfigError::Database(format!(
                "{text:?} names no database file"
            )));
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(ConfigError::Database(format!(
                "{scheme}:// is not a database the hub uses (sqlite:// or postgres://)"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// Whether several hubs can share this database.
    #[must_use]
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// The URL without its password, for logs.
impl std::fmt::Display for Database {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(formatter, "sqlite://{}", path.display()),
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    // A URL with a password always has a host, so this cannot fail.
                    if parsed.set_password(Some("redacted")).is_err() {
                        return formatter.write_str("postgres://<redacted>");
                    }
                    write!(formatter, "{parsed}")
                }
                Ok(_) => formatter.write_str(url),
                Err(_) => formatter.write_str("postgres://<unparsable>"),
            },
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{self}")
    }
}

impl<'de> Deserialize<'de> for Database {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_a_url_or_a_bare_path() {
        let parse = |text: &str| Database::parse(text).expect(text);
        assert_eq!(
            parse("sqlite:///var/lib/parley/parley.db"),
            Database::Sqlite(PathBuf::from("/var/lib/parley/parley.db")),
            "three slashes: an absolute path"
        );
        assert_eq!(
            parse("sqlite://data/parley.db"),
            Database::Sqlite(PathBuf::from("data/parley.db"))
        );
        assert_eq!(
            parse("data/parley.db"),
            Database::Sqlite(PathBuf::from("data/parley.db")),
            "a bare path keeps working"
        );
        let postgres = parse("postgres://parley:s3cret@db.example.com:5432/parley");
        assert!(postgres.is_shared());
        assert_eq!(
            postgres.to_string(),
            "postgres://parley:redacted@db.example.com:5432/parley",
            "the password never reaches a log"
        );
        assert!(parse("postgresql://db/parley").is_shared());
        for wrong in ["", "sqlite://", "mysql://db/parley"] {
            let error = Database::parse(wrong).expect_err(wrong);
            assert!(error.to_string().starts_with("database: "), "{error}");
        }
    }
}
