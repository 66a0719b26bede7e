//! The README's quick start: two entities, their DDL, the tables created on
//! an in-memory SQLite database, then create → search → update → a
//! transaction rolled back → a soft delete and restore → the audit trail
//! those changes left.
//!
//! Run it with `cargo run --example quickstart`.

// The fields are only described here, not read: no warnings for that.
#![allow(dead_code)]

use entable::audit::AuditLog;
use entable::dto::Patch;
use entable::prelude::*;

#[derive(Entity, Debug, Clone)]
#[entity(table = "teams")]
pub struct Team {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 100)]
    pub name: String,
    #[entity(has_many)]
    pub members: Vec<User>,
}

/// Audited (every change is logged) and soft-deleted (`delete` only sets
/// `deleted_at`); an email is unique among users not deleted.
#[derive(Entity, Debug, Clone)]
#[entity(table = "users", audit)]
pub struct User {
    #[entity(primary_key, uuid_v4)]
    pub id: Uuid,
    #[entity(unique_live, max_length = 255)]
    #[validate(email)]
    pub email: String,
    pub name: String,
    #[entity(references = Team, on_delete = "set null", index)]
    pub team_id: Option<i64>,
    #[entity(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> entable::Result<()> {
    // `RUST_LOG=entable=debug` prints every statement (text, rows,
    // duration); entable itself installs no subscriber.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let schema = Schema::from_registry()?;
    for dialect in Dialect::ALL {
        println!("-- {dialect}\n{}", schema.to_sql(dialect));
    }

    let db = Db::connect("sqlite::memory:").await?;
    schema.create_all(&db).await?;
    // Hand-written SQL runs on every driver, values bound.
    let tables: Vec<String> = entable::RawSql::new(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE ? ORDER BY name",
    )
    .bind("sqlite_%".to_owned())
    .fetch_column(&db)
    .await?;
    println!("created on SQLite: {tables:?}");

    let team = Team::create(
        &db,
        TeamCreate {
            name: "core".into(),
        },
    )
    .await?;
    for (email, name) in [("ada@example.org", "Ada"), ("alan@example.org", "Alan")] {
        let input = UserCreate {
            email: email.into(),
            name: name.into(),
            team_id: Some(team.id),
            created_at: Patch::Absent,
        };
        let user = User::create(&db, input).await?;
        println!("created {} ({})", user.name, user.id);
    }
    let bad = UserCreate {
        email: "not an email".into(),
        name: "x".into(),
        team_id: None,
        created_at: Patch::Absent,
    };
    if let Err(error) = User::create(&db, bad).await {
        println!("refused: {error}");
    }

    let search = UserSearch::from_query_str(
        "email.ends_with=@example.org&name.starts_with=A&sort=-name&page_size=10",
    )?;
    let page = User::search(&db, &search).await?;
    println!(
        "search: {} of {} -> {:?}",
        page.items.len(),
        page.total,
        page.items.iter().map(|u| &u.name).collect::<Vec<_>>()
    );

    let ada = User::first(&db, User::EMAIL.eq("ada@example.org"))
        .await?
        .ok_or_else(|| entable::Error::Usage {
            context: Default::default(),
            reason: "ada was just created".into(),
        })?;
    // Changes made inside this scope are logged as admin's.
    let patch = UserUpdate {
        name: Patch::Set("Ada Lovelace".into()),
        ..Default::default()
    };
    let renamed = AuditContext::new()
        .actor("admin@example.org")
        .scope(User::update(&db, ada.id, patch))
        .await?;
    println!("updated: {}", renamed.name);

    let teams = Team::query().with(Team::MEMBERS).all(&db).await?;
    println!(
        "team {} has {} members",
        teams[0].name,
        teams[0].members.len()
    );

    // A transaction: both users or neither. The second insert repeats an
    // email, so the closure returns Err and the first is rolled back too.
    let outcome = db
        .transaction(|tx: entable::Tx| async move {
            for email in ["grace@example.org", "alan@example.org"] {
                let input = UserCreate {
                    email: email.into(),
                    name: "New".into(),
                    team_id: None,
                    created_at: Patch::Absent,
                };
                User::create(&tx, input).await?;
            }
            Ok::<_, entable::Error>(())
        })
        .await;
    println!(
        "transaction: {} -> grace exists: {}",
        outcome.err().map_or("committed".into(), |e| e.to_string()),
        User::exists(&db, User::EMAIL.eq("grace@example.org")).await?
    );

    // A soft delete: the row stays, reads no longer see it.
    println!("deleted: {}", User::delete(&db, ada.id).await?);
    println!(
        "left: {} (with the deleted: {})",
        User::count(&db, Expr::all()).await?,
        User::with_deleted().count(&db).await?
    );
    println!("restored: {}", User::restore(&db, ada.id).await?);

    // The audit trail: every committed change, none of the rolled-back ones.
    for record in AuditLog::query().resource::<User>().all(&db).await? {
        println!(
            "audit #{} {:?} by {}: {} -> {}",
            record.id,
            record.action,
            record.actor_id.as_deref().unwrap_or("-"),
            record.old_values.map_or("-".into(), |v| v.to_string()),
            record.new_values.map_or("-".into(), |v| v.to_string()),
        );
    }
    Ok(())
}
