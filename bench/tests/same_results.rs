//! Every contender returns the same results for every workload on every
//! backend of the run, so the benchmark compares equal work.
//!
//! Backends: `ENTABLE_BENCH_BACKENDS` (default `postgres,sqlite`); a
//! backend named there whose server does not answer fails the test.

use entable_bench::Result;
use entable_bench::contender::{Bulk, Contender};
use entable_bench::contenders::{Diesel, Entable, RawSqlx, SeaOrm, SqlxCopy};
use entable_bench::durability;
use entable_bench::fixture::{COMMENTS_PER_POST, Fixture, KEYED_USERS, POSTS_PER_USER};
use entable_bench::model::{self, Joined, Loaded, Page};
use entable_bench::target::{Backend, Target, selected_backends};
use entable_bench::workload::{self, HAIR_COLOR, Workload};

/// What one contender produced for one workload, in comparable form.
#[derive(Debug, PartialEq)]
enum Outcome {
    Users(Vec<model::User>),
    ByKey(Vec<Option<model::User>>),
    Joined(Joined),
    Loaded(Loaded),
    /// The returned rows of writes, then the table afterwards.
    Written(Vec<model::User>, Vec<model::User>),
    Page(Page),
    Unsupported,
}

/// Rows the bulk insert writes here: enough to need two statements on
/// SQLite (16,383 rows each), fewer than the benchmark's 100,000 to keep
/// the debug build quick.
const BULK_ROWS: usize = 20_000;

/// Runs `workload` at `size` on `contender`, after seeding its data.
async fn outcome<C: Contender>(
    contender: &C,
    fixture: &Fixture,
    workload: Workload,
    size: usize,
) -> Result<Outcome> {
    fixture.prepare(workload, size).await?;
    Ok(match workload {
        Workload::Trivial => Outcome::Users(into_users(contender.all_users().await?)),
        Workload::ByKey => {
            let mut found = Vec::new();
            // Two seeded keys, the cycle's wrap-around, and a missing key.
            for key in [workload::key(0), workload::key(41), workload::key(100), 0] {
                found.push(contender.user_by_id(key).await?.map(Into::into));
            }
            Outcome::ByKey(found)
        }
        Workload::Medium => Outcome::Joined(contender.users_with_posts(HAIR_COLOR).await?.into()),
        Workload::Associations => Outcome::Loaded(contender.users_posts_comments().await?.into()),
        Workload::Insert => {
            contender
                .insert_users(&workload::users_to_insert(size))
                .await?;
            Outcome::Written(Vec::new(), fixture.users().await?)
        }
        Workload::BulkInsert => match C::BULK {
            Bulk::Supported => {
                contender
                    .bulk_insert_users(&workload::users_to_insert(BULK_ROWS))
                    .await?;
                Outcome::Written(Vec::new(), fixture.users().await?)
            }
            Bulk::Unsupported(_) => Outcome::Unsupported,
        },
        Workload::Update => {
            let mut returned = Vec::new();
            for (i, key) in [workload::key(6), workload::key(57)]
                .into_iter()
                .enumerate()
            {
                let name = format!("renamed {i}");
                returned.push(contender.update_user(key, &name).await?.into());
            }
            Outcome::Written(returned, fixture.users().await?)
        }
        Workload::Search => Outcome::Page(
            contender
                .search_users(&workload::search_params())
                .await?
                .into(),
        ),
    })
}

fn into_users<U: Into<model::User>>(users: Vec<U>) -> Vec<model::User> {
    users.into_iter().map(Into::into).collect()
}

/// Facts the baseline must show, so that "all equal" cannot mean "all
/// equally empty".
fn check_baseline(at: &str, workload: Workload, size: usize, outcome: &Outcome) -> Result<()> {
    let fine = match outcome {
        Outcome::Users(users) => users.len() == size,
        Outcome::ByKey(found) => found.iter().flatten().count() == 3 && found[3].is_none(),
        Outcome::Joined(Joined(rows)) => {
            // Half the users are black-haired; nobody has posts here.
            rows.len() == size.div_ceil(2)
                && rows
                    .iter()
                    .all(|(u, p)| u.hair_color.as_deref() == Some(HAIR_COLOR) && p.is_none())
        }
        Outcome::Loaded(Loaded(users)) => {
            users.len() == size
                && users.iter().all(|(_, posts)| {
                    posts.len() == POSTS_PER_USER
                        && posts.iter().all(|(_, c)| c.len() == COMMENTS_PER_POST)
                })
        }
        Outcome::Written(returned, table) => {
            let rows = match workload {
                Workload::Insert => size,
                Workload::BulkInsert => BULK_ROWS,
                _ => KEYED_USERS,
            };
            table.len() == rows && returned.iter().all(|u| u.name.starts_with("renamed"))
        }
        Outcome::Page(page) => page.total == 55 && page.items.len() == 20,
        Outcome::Unsupported => false,
    };
    if fine {
        Ok(())
    } else {
        Err(format!(
            "{at}: unexpected baseline {}",
            excerpt(&format!("{outcome:?}"), 0)
        )
        .into())
    }
}

/// `Ok` when `got` equals `expected`; otherwise an error showing where
/// their debug forms first differ (whole outcomes can be 10,000 rows).
fn same(at: &str, who: &str, got: &Outcome, expected: &Outcome) -> Result<()> {
    if got == expected {
        return Ok(());
    }
    let (got, expected) = (format!("{got:?}"), format!("{expected:?}"));
    let at_char = got
        .chars()
        .zip(expected.chars())
        .take_while(|(a, b)| a == b)
        .count();
    Err(format!(
        "{at}: {who} differs from sqlx\n  {who}: …{}…\n  sqlx: …{}…",
        excerpt(&got, at_char),
        excerpt(&expected, at_char)
    )
    .into())
}

fn excerpt(text: &str, around: usize) -> String {
    text.chars()
        .skip(around.saturating_sub(150))
        .take(400)
        .collect()
}

async fn check_backend(backend: Backend) -> Result<()> {
    let target = Target::create(backend).await?;
    let result = check_target(&target).await;
    target.drop_database().await?;
    result
}

/// Runs every workload on every contender; connections are closed on
/// every path so the database can be dropped.
async fn check_target(target: &Target) -> Result<()> {
    let fixture = Fixture::create(target).await?;
    let sqlx = RawSqlx::connect(target).await?.ok_or("sqlx connects")?;
    let entable = Entable::connect(target).await?.ok_or("entable connects")?;
    let sea_orm = SeaOrm::connect(target).await?.ok_or("SeaORM connects")?;
    let diesel = Diesel::connect(target).await?;
    if diesel.is_none() {
        eprintln!("{}: Diesel not built for this backend", target.backend);
    }
    let copy = SqlxCopy::connect(target).await?;
    let contenders = Contenders {
        sqlx: &sqlx,
        copy: copy.as_ref(),
        entable: &entable,
        sea_orm: &sea_orm,
        diesel: diesel.as_ref(),
    };
    let result = compare(&fixture, &contenders).await;
    sqlx.close().await;
    if let Some(copy) = copy {
        copy.close().await;
    }
    entable.close().await;
    sea_orm.close().await;
    if let Some(diesel) = diesel {
        diesel.close().await;
    }
    fixture.close().await;
    result
}

/// Everything connected to one target.
struct Contenders<'a> {
    sqlx: &'a RawSqlx,
    /// The hand-written `COPY` (PostgreSQL only; bulk insert only).
    copy: Option<&'a SqlxCopy>,
    entable: &'a Entable,
    sea_orm: &'a SeaOrm,
    diesel: Option<&'a Diesel>,
}

async fn compare(fixture: &Fixture, contenders: &Contenders<'_>) -> Result<()> {
    let Contenders {
        sqlx,
        copy,
        entable,
        sea_orm,
        diesel,
    } = *contenders;
    if fixture.backend() == Backend::Postgres && copy.is_none() {
        return Err("the COPY baseline must connect on PostgreSQL".into());
    }
    same_durability(fixture.backend(), contenders).await?;
    for workload in Workload::ALL {
        for &size in workload.sizes() {
            let at = format!("{} {} N={size}", fixture.backend(), workload.id());
            let baseline = outcome(sqlx, fixture, workload, size).await?;
            check_baseline(&at, workload, size, &baseline)?;
            if let (Workload::BulkInsert, Some(copy)) = (workload, copy) {
                fixture.prepare(workload, size).await?;
                copy.bulk_insert_users(&workload::users_to_insert(BULK_ROWS))
                    .await?;
                let got = Outcome::Written(Vec::new(), fixture.users().await?);
                same(&at, "sqlx COPY", &got, &baseline)?;
            }
            let got = outcome(entable, fixture, workload, size).await?;
            same(&at, "entable", &got, &baseline)?;
            let got = outcome(sea_orm, fixture, workload, size).await?;
            same(&at, "SeaORM", &got, &baseline)?;
            if let Some(diesel) = diesel {
                let got = outcome(diesel, fixture, workload, size).await?;
                same(&at, "Diesel", &got, &baseline)?;
            }
        }
    }
    Ok(())
}

/// Every contender's connection commits with the same durability: the
/// settings the benchmark sets (SQLite, PostgreSQL), or at least the same
/// ones (MySQL's are the server's).
async fn same_durability(backend: Backend, contenders: &Contenders<'_>) -> Result<()> {
    let mut seen = vec![
        ("sqlx", contenders.sqlx.durability().await?),
        ("entable", contenders.entable.durability().await?),
        ("SeaORM", contenders.sea_orm.durability().await?),
    ];
    if let Some(copy) = contenders.copy {
        seen.push(("sqlx COPY", copy.durability().await?));
    }
    if let Some(diesel) = contenders.diesel {
        seen.push(("Diesel", diesel.durability().await?));
    }
    let expected = durability::expected(backend).unwrap_or_else(|| seen[0].1.clone());
    if expected.is_empty() {
        return Err(format!("{backend}: no durability setting read").into());
    }
    for (who, got) in &seen {
        if *got != expected {
            return Err(
                format!("{backend}: {who}'s durability is {got:?}, not {expected:?}").into(),
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_contenders_return_the_same_results() {
    let backends = selected_backends().expect("ENTABLE_BENCH_BACKENDS");
    assert!(!backends.is_empty(), "no backend selected");
    for backend in backends {
        if let Err(error) = check_backend(backend).await {
            panic!("{backend}: {error}");
        }
        eprintln!("{backend}: all contenders agree on every workload");
    }
}
