//! Which SQL dialect: the identity of a dialect. What differs between
//! dialects is [`crate::backend`].

use std::fmt;

/// A SQL dialect entable can render for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// PostgreSQL 12 or later.
    Postgres,
    /// MySQL 8 or MariaDB 10.5 or later.
    MySql,
    /// SQLite 3.35 or later.
    Sqlite,
}

impl Dialect {
    /// Every dialect, in a fixed order.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

    /// The lower-case name used in file names and on the command line:
    /// `postgres`, `mysql` or `sqlite`.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The database system's name as OpenTelemetry's database conventions
    /// spell it (`db.system.name`): `postgresql`, `mysql` or `sqlite`.
    pub const fn system_name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgresql",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// Parses a dialect name as printed by [`Dialect::name`]; `postgresql`,
    /// `pg` and `mariadb` are accepted as well.
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::MySql),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    /// The dialect a connection URL speaks, from its scheme.
    ///
    /// ```
    /// use entable::backend::Dialect;
    /// assert_eq!(Dialect::from_url("postgres://localhost/app"), Some(Dialect::Postgres));
    /// assert_eq!(Dialect::from_url("mariadb://root@localhost/app"), Some(Dialect::MySql));
    /// assert_eq!(Dialect::from_url("sqlite::memory:"), Some(Dialect::Sqlite));
    /// assert_eq!(Dialect::from_url("oracle://x"), None);
    /// ```
    pub fn from_url(url: &str) -> Option<Dialect> {
        let scheme = url.split(':').next()?;
        Dialect::from_name(scheme)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
