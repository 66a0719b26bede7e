//! The fastest raw load PostgreSQL has, written by hand with sqlx: one
//! binary `COPY … FROM STDIN` in one transaction. It is a baseline for the
//! bulk-insert line only (workload 5, 100,000 rows), on PostgreSQL only, so
//! it is not a [`crate::contender::Contender`]: the benchmark and the test
//! call [`SqlxCopy::bulk_insert_users`] directly.

use sqlx::PgPool;

use crate::Result;
use crate::contenders::sqlx_raw::pool_options;
use crate::model::NewUser;
use crate::target::{Backend, Target};

/// The statement: the two written columns; the key takes its default.
const COPY_USERS: &str = "COPY users (name, hair_color) FROM STDIN (FORMAT binary)";

/// Binary `COPY` through a sqlx pool configured as the sqlx contender's.
pub struct SqlxCopy {
    pool: PgPool,
}

impl SqlxCopy {
    /// The benchmark id's contender part and the report's name for it.
    pub const NAME: &'static str = "sqlx-copy";

    /// Connects when the target is PostgreSQL; `None` elsewhere.
    pub async fn connect(target: &Target) -> Result<Option<Self>> {
        if target.backend != Backend::Postgres {
            return Ok(None);
        }
        Ok(Some(SqlxCopy {
            pool: pool_options().connect(&target.url).await?,
        }))
    }

    /// Closes the pool.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The durability settings of one connection of its pool.
    pub async fn durability(&self) -> Result<crate::durability::Durability> {
        let mut conn = self.pool.acquire().await?;
        crate::durability::of_sqlx::<sqlx::Postgres>(&mut conn, Backend::Postgres).await
    }

    /// Inserts `users` with one binary `COPY`, in one transaction (as the
    /// other contenders' bulk inserts are).
    pub async fn bulk_insert_users(&self, users: &[NewUser]) -> Result<()> {
        let data = binary_copy(users)?;
        let mut tx = self.pool.begin().await?;
        let mut copy = tx.copy_in_raw(COPY_USERS).await?;
        copy.send(data).await?;
        let rows = copy.finish().await?;
        tx.commit().await?;
        if rows != users.len() as u64 {
            return Err(format!("COPY wrote {rows} of {} rows", users.len()).into());
        }
        Ok(())
    }
}

/// `users` in PostgreSQL's binary `COPY` format: the signature
/// `PGCOPY\n\xff\r\n\0`, flags and header-extension length (both 0); per
/// row the field count (i16), then per field its length (i32, -1 for NULL)
/// and its bytes (a text value's binary form is its UTF-8); the trailer -1
/// (i16). Every integer is big-endian.
pub fn binary_copy(users: &[NewUser]) -> Result<Vec<u8>> {
    // Per row: 2 (count) + 2 × 4 (lengths) + the text.
    let size = 19
        + 2
        + users
            .iter()
            .map(|u| 10 + u.name.len() + u.hair_color.as_ref().map_or(0, String::len))
            .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    for user in users {
        out.extend_from_slice(&2i16.to_be_bytes());
        field(&mut out, Some(&user.name))?;
        field(&mut out, user.hair_color.as_deref())?;
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    Ok(out)
}

fn field(out: &mut Vec<u8>, value: Option<&str>) -> Result<()> {
    match value {
        Some(text) => {
            out.extend_from_slice(&i32::try_from(text.len())?.to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_copy_layout() {
        let users = [
            NewUser {
                name: "Al".to_owned(),
                hair_color: None,
            },
            NewUser {
                name: "B".to_owned(),
                hair_color: Some("red".to_owned()),
            },
        ];
        let data = binary_copy(&users).unwrap();
        let mut expected = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
        expected.extend_from_slice(b"\0\x02\0\0\0\x02Al\xff\xff\xff\xff");
        expected.extend_from_slice(b"\0\x02\0\0\0\x01B\0\0\0\x03red");
        expected.extend_from_slice(b"\xff\xff");
        assert_eq!(data, expected);
    }
}
