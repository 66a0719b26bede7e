//! Hooks: before-hooks change or refuse the input, after-hooks see the
//! stored row and run statements in the change's transaction; an error from
//! either aborts the change (and the caller's transaction) — on every
//! backend.

use entable::Error;
use entable::dto::Patch;
use entable::prelude::*;

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
#[entity(hooks)]
pub struct Person {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[validate(email)]
    pub email: String,
    pub name: String,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What the hooks saw, written by them in the change's transaction.
#[derive(Entity, Debug, Clone)]
pub struct HookTrace {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub event: String,
}

async fn trace(exec: Exec<'_>, event: String) -> entable::Result<()> {
    HookTrace::create(exec, HookTraceCreate { event }).await?;
    Ok(())
}

impl Hooks for Person {
    async fn before_create(_exec: Exec<'_>, input: &mut PersonCreate) -> entable::Result<()> {
        if input.name == "forbidden" {
            return Err(Error::rejected("that name is not allowed"));
        }
        input.email = input.email.trim().to_lowercase();
        Ok(())
    }

    async fn after_create(exec: Exec<'_>, row: &Person) -> entable::Result<()> {
        if row.name == "undo" {
            return Err(Error::rejected("undone after insert"));
        }
        trace(exec, format!("created {}", row.email)).await
    }

    async fn before_update(
        _exec: Exec<'_>,
        _key: &i64,
        patch: &mut PersonUpdate,
    ) -> entable::Result<()> {
        if let Patch::Set(name) = &mut patch.name {
            *name = name.to_uppercase();
        }
        Ok(())
    }

    async fn after_update(exec: Exec<'_>, row: &Person) -> entable::Result<()> {
        if row.name == "BOOM" {
            return Err(Error::rejected("no booms"));
        }
        trace(exec, format!("updated {}", row.name)).await
    }

    async fn before_delete(_exec: Exec<'_>, key: &i64) -> entable::Result<()> {
        if *key == 1 {
            return Err(Error::rejected("the first person stays"));
        }
        Ok(())
    }

    async fn after_delete(exec: Exec<'_>, key: &i64) -> entable::Result<()> {
        trace(exec, format!("deleted {key}")).await
    }
}

async fn events(db: &Db) -> Vec<String> {
    HookTrace::query()
        .all(db)
        .await
        .expect("trace")
        .into_iter()
        .map(|t| t.event)
        .collect()
}

fn person(email: &str, name: &str) -> PersonCreate {
    PersonCreate {
        email: email.into(),
        name: name.into(),
    }
}

#[tokio::test]
async fn hooks_run_inside_the_change() {
    on_every_backend("hooks_run_inside_the_change", |t: TestDb| async move {
        let db = &t.db;
        Schema::of(vec![Person::table(), HookTrace::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");

        let first = Person::create(db, person(" Ada@Example.COM ", "Ada"))
            .await
            .expect("create");
        assert_eq!(first.id, 1);
        assert_eq!(
            first.email, "ada@example.com",
            "before_create normalised it"
        );
        assert_eq!(events(db).await, ["created ada@example.com"]);

        // A before-hook refusal: nothing written, the error names the call.
        let refused = Person::create(db, person("x@y.io", "forbidden")).await;
        match refused {
            Err(Error::Rejected { context, reason }) => {
                assert_eq!((context.entity, context.operation), ("Person", "create"));
                assert_eq!(reason, "that name is not allowed");
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
        // An after-hook refusal undoes the insert.
        let undone = Person::create(db, person("u@y.io", "undo")).await;
        assert!(matches!(undone, Err(Error::Rejected { .. })), "{undone:?}");
        assert_eq!(Person::count(db, Expr::all()).await.expect("count"), 1);

        // Validation runs on what the before-hook left.
        let invalid = Person::create(db, person("not an email", "x")).await;
        assert!(
            matches!(invalid, Err(Error::Validation { .. })),
            "{invalid:?}"
        );

        let patch = PersonUpdate {
            name: Patch::Set("ada lovelace".into()),
            ..Default::default()
        };
        let updated = Person::update(db, first.id, patch).await.expect("update");
        assert_eq!(updated.name, "ADA LOVELACE");
        let boom = PersonUpdate {
            name: Patch::Set("boom".into()),
            ..Default::default()
        };
        assert!(matches!(
            Person::update(db, first.id, boom).await,
            Err(Error::Rejected { .. })
        ));
        let kept = Person::get(db, first.id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(kept.name, "ADA LOVELACE", "the failed update was undone");

        assert!(matches!(
            Person::delete(db, first.id).await,
            Err(Error::Rejected { .. })
        ));
        assert!(Person::get(db, first.id).await.expect("get").is_some());
        let second = Person::create(db, person("b@y.io", "Bea"))
            .await
            .expect("create");
        assert!(Person::delete(db, second.id).await.expect("delete"));
        assert!(!Person::delete(db, second.id).await.expect("again"));

        // A hook error returned from a transaction's closure rolls back the
        // whole transaction, work done before the hook included.
        let failed: Result<(), Error> = db
            .transaction(|tx: Tx| async move {
                Person::create(&tx, person("c@y.io", "Cy")).await?;
                Person::create(&tx, person("d@y.io", "forbidden")).await?;
                Ok(())
            })
            .await;
        assert!(matches!(failed, Err(Error::Rejected { .. })));
        assert!(
            Person::find(db, Person::EMAIL.eq("c@y.io".to_string()))
                .await
                .expect("find")
                .is_empty()
        );
        assert_eq!(
            events(db).await,
            [
                "created ada@example.com",
                "updated ADA LOVELACE",
                "created b@y.io",
                &format!("deleted {}", second.id),
            ],
            "hook statements commit and roll back with their change"
        );
        t
    })
    .await;
}
