//! Explicit constraint names and comments (issue 18, items 2 and 4): an
//! entity set naming its primary keys, foreign keys and single and
//! composite unique constraints and indexes, quoted names ("Users-PK")
//! and PostgreSQL's default spellings among them, created on every backend
//! and read back name by name; violations reporting the declared names;
//! doc comments and `comment = "…"` read back where the dialect keeps them.
//!
//! What is read back where: index and foreign key names on all three
//! (SQLite's foreign key names from the table's SQL text); primary key
//! names on PostgreSQL, on SQLite from the table's SQL text when the key
//! is declared as a constraint (an `INTEGER PRIMARY KEY AUTOINCREMENT` is
//! inline and unnamed), while MySQL calls every primary key `PRIMARY`.
//! Comments on PostgreSQL and MySQL; SQLite keeps them in the snapshot.

use entable::Error;
use entable::backend::Dialect;
use entable::prelude::*;
use entable::schema::snapshot::Snapshot;
use entable::schema::{Schema, TableMeta};

use crate::support::introspect;
use crate::support::{TestDb, on_every_backend};

/// People who write: 'quoted', back\slash, ünïcödé ✓.
///
/// A second paragraph,
///   joined line.
#[derive(Entity, Debug, Clone)]
#[entity(
    table = "nm_users",
    primary_key_name = "Users-PK",
    unique(tenant, handle, name = "Users-Tenant-Handle"),
    index(tenant, handle, email, name = "nm_users_lookup_idx")
)]
pub struct NmUser {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    /// The login e-mail.
    #[entity(unique(name = "nm_users_email_key"), max_length = 200)]
    pub email: String,
    #[entity(index(name = "Users-Tenant"))]
    pub tenant: i64,
    /// Replaced by the attribute.
    #[entity(
        max_length = 100,
        comment = "Handle: it's \"unique\" per tenant \\ '' ok"
    )]
    pub handle: String,
    /// Not kept: `comment = ""`.
    #[entity(comment = "")]
    pub note: Option<String>,
}

#[derive(Entity, Debug, Clone)]
#[entity(table = "nm_posts", primary_key_name = "nm_posts_pkey")]
pub struct NmPost {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = NmUser, fk_name = "nm_posts_author_id_fkey")]
    pub author_id: i64,
    #[entity(unique_live(name = "Posts-Live-Slug"), max_length = 100)]
    pub slug: String,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Entity, Debug, Clone)]
#[entity(table = "nm_comments", primary_key_name = "Comments-PK")]
pub struct NmComment {
    #[entity(primary_key)]
    pub id: i64,
    #[entity(
        references = NmPost,
        fk_name = "Comments-Post-FK",
        index(name = "Comments-Post-IX")
    )]
    pub post_id: i64,
    pub body: String,
}

fn tables() -> Vec<&'static TableMeta> {
    vec![NmUser::table(), NmPost::table(), NmComment::table()]
}

async fn schema(t: &TestDb) {
    Schema::of(tables())
        .expect("valid schema")
        .create_all(&t.db)
        .await
        .expect("schema created");
}

#[test]
fn declared_names_in_metadata() {
    let users = NmUser::table();
    assert_eq!(users.primary_key_name, "Users-PK");
    let names: Vec<&str> = users.indexes.iter().map(|i| i.name).collect();
    assert_eq!(
        names,
        [
            "nm_users_email_key",
            "Users-Tenant",
            "Users-Tenant-Handle",
            "nm_users_lookup_idx"
        ]
    );
    assert_eq!(
        NmPost::table().foreign_keys[0].name,
        "nm_posts_author_id_fkey"
    );
    assert_eq!(
        users.comment,
        Some(
            "People who write: 'quoted', back\\slash, ünïcödé ✓.\nA second paragraph, joined line."
        )
    );
    let comment = |c: &str| users.column(c).and_then(|c| c.comment);
    assert_eq!(comment("email"), Some("The login e-mail."));
    assert_eq!(
        comment("handle"),
        Some("Handle: it's \"unique\" per tenant \\ '' ok")
    );
    assert_eq!(comment("note"), None, "`comment = \"\"` keeps none");
    assert_eq!(comment("id"), None);
    // entable's own audit table keeps its rustdoc out of the database.
    let audit = <entable::audit::AuditRecord as entable::Entity>::table();
    assert!(audit.comment.is_none() && audit.columns.iter().all(|c| c.comment.is_none()));
    // Comments are in the snapshot (SQLite keeps them nowhere else).
    let snapshot = Snapshot::of(&Schema::of(tables()).expect("schema"));
    let table = snapshot.table("nm_users").expect("table");
    assert_eq!(table.comment.as_deref(), users.comment);
    assert_eq!(
        table
            .columns
            .iter()
            .find(|c| c.name == "email")
            .and_then(|c| c.comment.as_deref()),
        Some("The login e-mail.")
    );
    // Tables without comments serialize as before: no `comment` key.
    let posts = serde_json::to_string(snapshot.table("nm_posts").expect("posts")).expect("json");
    assert!(!posts.contains("\"comment\""), "{posts}");
    assert!(
        snapshot
            .to_json()
            .contains("\"comment\": \"The login e-mail.\"")
    );
}

#[tokio::test]
async fn explicit_names_read_back() {
    on_every_backend("explicit_names_read_back", |t| async move {
        schema(&t).await;
        let dialect = t.db.dialect();
        for table in tables() {
            let got = introspect::table(&t.db, table).await;
            let want = introspect::expected(dialect, table);
            let index_names = |i: &[introspect::IndexInfo]| {
                i.iter()
                    .map(|i| (i.name.clone(), i.unique))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                index_names(&got.indexes),
                index_names(&want.indexes),
                "{dialect}: indexes of {}",
                table.name
            );
            let fk_names = |f: &[introspect::ForeignKeyInfo]| {
                f.iter()
                    .map(|f| (f.name.clone(), f.columns.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                fk_names(&got.foreign_keys),
                fk_names(&want.foreign_keys),
                "{dialect}: foreign keys of {}",
                table.name
            );
            let pk = introspect::primary_key_name(&t.db, table).await;
            let inline = table.columns.iter().any(|c| c.generated.is_some());
            let want_pk = match dialect {
                Dialect::MySql => Some("PRIMARY".to_owned()),
                Dialect::Sqlite if inline => None,
                _ => Some(table.primary_key_name.to_owned()),
            };
            assert_eq!(pk, want_pk, "{dialect}: primary key of {}", table.name);
        }
        t
    })
    .await;
}

fn constraint(error: &Error) -> Option<&str> {
    match error {
        Error::UniqueViolation { constraint, .. }
        | Error::ForeignKeyViolation { constraint, .. } => constraint.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn violations_report_declared_names() {
    on_every_backend("violations_report_declared_names", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let dialect = db.dialect();
        let user = |email: &str, handle: &str| NmUserCreate {
            email: email.into(),
            tenant: 1,
            handle: handle.into(),
            note: None,
        };
        let ann = NmUser::create(db, user("ann@example.com", "ann"))
            .await
            .expect("user");

        let e = NmUser::create(db, user("ann@example.com", "other"))
            .await
            .expect_err("same email");
        assert!(
            matches!(e, Error::UniqueViolation { .. }),
            "{dialect}: {e:?}"
        );
        assert_eq!(constraint(&e), Some("nm_users_email_key"), "{dialect}: {e}");

        let e = NmUser::create(db, user("bob@example.com", "ann"))
            .await
            .expect_err("same tenant and handle");
        assert_eq!(
            constraint(&e),
            Some("Users-Tenant-Handle"),
            "{dialect}: {e}"
        );

        let post = |slug: &str| NmPostCreate {
            author_id: ann.id,
            slug: slug.into(),
        };
        let first = NmPost::create(db, post("hello")).await.expect("post");
        let e = NmPost::create(db, post("hello"))
            .await
            .expect_err("live slug taken");
        assert_eq!(constraint(&e), Some("Posts-Live-Slug"), "{dialect}: {e}");

        let comment = |id: i64, post_id: i64| NmCommentCreate {
            id,
            post_id,
            body: "hi".into(),
        };
        NmComment::create(db, comment(1, first.id))
            .await
            .expect("comment");
        let e = NmComment::create(db, comment(1, first.id))
            .await
            .expect_err("same key");
        assert!(
            matches!(e, Error::UniqueViolation { .. }),
            "{dialect}: {e:?}"
        );
        assert_eq!(constraint(&e), Some("Comments-PK"), "{dialect}: {e}");

        let e = NmComment::create(db, comment(2, first.id + 1000))
            .await
            .expect_err("no such post");
        assert!(
            matches!(e, Error::ForeignKeyViolation { .. }),
            "{dialect}: {e:?}"
        );
        assert_eq!(constraint(&e), Some("Comments-Post-FK"), "{dialect}: {e}");

        // Deleting a referenced row: PostgreSQL and MySQL name the key of
        // the referring table; SQLite names nothing.
        let e = NmUser::delete(db, ann.id)
            .await
            .expect_err("posts refer to the user");
        assert!(
            matches!(e, Error::ForeignKeyViolation { .. }),
            "{dialect}: {e:?}"
        );
        let want = (dialect != Dialect::Sqlite).then_some("nm_posts_author_id_fkey");
        assert_eq!(constraint(&e), want, "{dialect}: {e}");
        t
    })
    .await;
}

#[tokio::test]
async fn comments_read_back() {
    on_every_backend("comments_read_back", |t| async move {
        schema(&t).await;
        let dialect = t.db.dialect();
        for table in tables() {
            let got = introspect::comments(&t.db, table).await;
            match dialect {
                Dialect::Sqlite => assert!(got.is_none()),
                _ => assert_eq!(
                    got,
                    Some(introspect::expected_comments(table)),
                    "{dialect}: comments of {}",
                    table.name
                ),
            }
        }
        t
    })
    .await;
}
