//! `bulk_insert` from an iterator: an entity without validation rules
//! streams its rows into statements (no collected copy); one with rules
//! collects and validates them first. Both are all-or-nothing.

use entable::Error;
use entable::dto::Patch;
use entable::prelude::*;

use crate::support::{TestDb, on_every_backend};

/// No validation rules: streamed.
#[derive(Entity, Debug, Clone)]
pub struct Plain {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique)]
    pub code: String,
    #[entity(default = 7)]
    pub level: i32,
    pub note: Option<String>,
}

/// A rule on a Create field: collected and validated first.
#[derive(Entity, Debug, Clone)]
pub struct Ruled {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[validate(range(min = 0))]
    pub n: i32,
}

/// Row `i`: runs of 1,000 rows alternate between giving `level` and
/// leaving it to its default, so statements change columns mid-stream.
fn plain(i: usize) -> PlainCreate {
    PlainCreate {
        code: format!("c{i}"),
        level: if (i / 1_000).is_multiple_of(2) {
            Patch::Set((i % 5) as i32)
        } else {
            Patch::Absent
        },
        note: i.is_multiple_of(3).then(|| format!("n{i}")),
    }
}

#[tokio::test]
async fn bulk_insert_streams_an_iterator() {
    on_every_backend("bulk_insert_streams_an_iterator", |t: TestDb| async move {
        let db = &t.db;
        Schema::of(vec![Plain::table(), Ruled::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        const N: usize = 40_000;
        // A duplicate code in row 25,001: nothing stays.
        let failed = Plain::bulk_insert(
            db,
            (0..N).map(|i| if i == 25_000 { plain(3) } else { plain(i) }),
        )
        .await;
        assert!(
            matches!(failed, Err(Error::UniqueViolation { .. })),
            "{failed:?}"
        );
        assert_eq!(Plain::count(db, Expr::all()).await.expect("count"), 0);

        let inserted = Plain::bulk_insert(db, (0..N).map(plain))
            .await
            .expect("streamed");
        assert_eq!(inserted, N as u64);
        let rows = Plain::query().all(db).await.expect("read");
        assert_eq!(rows.len(), N);
        let mut expected_level: i64 = 0;
        for i in 0..N {
            expected_level += if (i / 1_000).is_multiple_of(2) {
                (i % 5) as i64
            } else {
                7
            };
        }
        assert_eq!(
            rows.iter().map(|r| i64::from(r.level)).sum::<i64>(),
            expected_level
        );
        assert_eq!(
            rows.iter().filter(|r| r.note.is_some()).count(),
            N.div_ceil(3)
        );
        let mut codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), N);
        assert_eq!(
            Plain::bulk_insert(db, std::iter::empty())
                .await
                .expect("empty"),
            0
        );

        // With rules: every row is validated before any SQL, even from an
        // iterator; the error names the row.
        let invalid = Ruled::bulk_insert(
            db,
            (0..100).map(|n| RuledCreate {
                n: if n == 60 { -1 } else { n },
            }),
        )
        .await;
        assert!(
            matches!(invalid, Err(Error::InvalidRow { row: 60, .. })),
            "{invalid:?}"
        );
        assert_eq!(Ruled::count(db, Expr::all()).await.expect("count"), 0);
        assert_eq!(
            Ruled::bulk_insert(db, (0..100).map(|n| RuledCreate { n }))
                .await
                .expect("valid"),
            100
        );
        t
    })
    .await;
}
