//! create / get / update / delete / search, and the typed errors each
//! raises, on every backend.

use entable::dto::{Filter, Patch, Sort, SortList};
use entable::query::Expr;
use entable::repo::Model;
use entable::{Error, Repo};

use entable::backend::Dialect;

use crate::entities::shop::{Order, OrderCreate};
use crate::entities::{
    self, Group, GroupCreate, GroupSearch, GroupSort, GroupUpdate, Role, User, UserCreate,
};
use crate::support::{TestDb, on_every_backend};

async fn schema(t: &TestDb) {
    entable::schema::Schema::of(entities::tables())
        .expect("valid schema")
        .create_all(&t.db)
        .await
        .expect("schema created");
}

fn user(email: &str) -> UserCreate {
    UserCreate {
        email: email.into(),
        display_name: None,
        group_id: None,
        role: Patch::Absent,
        active: Patch::Absent,
        created_at: Patch::Absent,
    }
}

fn group(name: &str) -> GroupCreate {
    GroupCreate {
        name: name.into(),
        position: Patch::Absent,
    }
}

#[tokio::test]
async fn create_get_update_delete() {
    on_every_backend("create_get_update_delete", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let created = Group::create(db, group("admins")).await.expect("created");
        assert!(created.id > 0, "generated key read back");
        assert_eq!(created.name, "admins");
        assert_eq!(created.position, 0, "default applied by the database");

        let got = Group::get(db, created.id)
            .await
            .expect("get")
            .expect("exists");
        assert_eq!(
            (got.id, got.name.as_str(), got.position),
            (created.id, "admins", 0)
        );
        assert!(
            Group::get(db, created.id + 1000)
                .await
                .expect("get")
                .is_none()
        );

        let patch = GroupUpdate {
            position: Patch::Set(7),
            ..Default::default()
        };
        let updated = Group::update(db, created.id, patch).await.expect("updated");
        assert_eq!(
            (updated.name.as_str(), updated.position),
            ("admins", 7),
            "absent fields untouched"
        );

        let unchanged = Group::update(db, created.id, GroupUpdate::default())
            .await
            .expect("empty patch");
        assert_eq!(unchanged.position, 7);

        assert!(Group::delete(db, created.id).await.expect("deleted"));
        assert!(!Group::delete(db, created.id).await.expect("second delete"));
        assert!(Group::get(db, created.id).await.expect("get").is_none());
        t
    })
    .await;
}

#[tokio::test]
async fn uuid_keys_defaults_and_nulls() {
    on_every_backend("uuid_keys_defaults_and_nulls", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let g = Group::create(db, group("g")).await.expect("group");
        let input = UserCreate {
            email: "a@example.com".into(),
            display_name: None,
            group_id: Some(g.id),
            role: Patch::Set(Role::ReadOnly),
            active: Patch::Absent,
            created_at: Patch::Absent,
        };
        let user = User::create(db, input).await.expect("user");
        assert_eq!(user.role, Role::ReadOnly);
        assert!(user.active, "column default");
        assert_eq!(user.group_id, Some(g.id));
        assert!(user.display_name.is_none());
        let age = chrono::Utc::now() - user.created_at;
        assert!(
            age.num_seconds().abs() < 120,
            "CURRENT_TIMESTAMP default: {}",
            user.created_at
        );

        let got = User::get(db, user.id).await.expect("get").expect("by uuid");
        assert_eq!(got.email, "a@example.com");

        let patch = entities::UserUpdate {
            display_name: Patch::Set(Some("Ann".into())),
            group_id: Patch::Set(None),
            ..Default::default()
        };
        let updated = User::update(db, user.id, patch).await.expect("update");
        assert_eq!(updated.display_name.as_deref(), Some("Ann"));
        assert_eq!(updated.group_id, None, "Set(None) writes NULL");
        t
    })
    .await;
}

#[tokio::test]
async fn create_key_returns_only_the_key() {
    on_every_backend("create_key_returns_only_the_key", |t| async move {
        schema(&t).await;
        let db = &t.db;
        // A database-generated key (auto-increment) and one entable
        // generates (UUID): both come back, and name the stored row.
        let first = Group::create_key(db, group("first")).await.expect("key");
        let second = Group::create_key(db, group("second")).await.expect("key");
        assert!(second > first, "keys of two inserts: {first} then {second}");
        let got = Group::get(db, second).await.expect("get").expect("stored");
        assert_eq!(got.name, "second");
        let user = User::create_key(db, user("k@example.com"))
            .await
            .expect("uuid key");
        let stored = User::get(db, user).await.expect("get").expect("stored");
        assert_eq!(stored.email, "k@example.com");
        // Validation and constraint errors as for `create`.
        let again = Group::create_key(db, group("first")).await;
        assert!(
            matches!(again, Err(Error::UniqueViolation { .. })),
            "{again:?}"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn typed_errors() {
    on_every_backend("typed_errors", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let g = Group::create(db, group("dup")).await.expect("group");

        let error = Group::create(db, group("dup"))
            .await
            .expect_err("duplicate name");
        match &error {
            Error::UniqueViolation {
                constraint,
                context,
                ..
            } => {
                assert_eq!(constraint.as_deref(), Some("uq_group_name"), "{error}");
                assert_eq!((context.entity, context.operation), ("Group", "create"));
            }
            other => panic!("expected UniqueViolation, got {other:?}"),
        }
        assert!(error.to_string().starts_with("Group::create: "), "{error}");

        let input = UserCreate {
            email: "b@example.com".into(),
            display_name: None,
            group_id: Some(g.id + 999),
            role: Patch::Absent,
            active: Patch::Absent,
            created_at: Patch::Absent,
        };
        let error = User::create(db, input).await.expect_err("missing group");
        match &error {
            Error::ForeignKeyViolation {
                context,
                constraint,
                ..
            } => {
                assert_eq!(context.operation, "create");
                assert_eq!(
                    constraint.as_deref(),
                    Some("fk_user_group_group_id"),
                    "{error}"
                );
            }
            other => panic!("expected ForeignKeyViolation, got {other:?}"),
        }

        // Deleting a row another table still refers to (`restrict`).
        let owner = User::create(db, user("owner@example.com"))
            .await
            .expect("owner");
        let order = OrderCreate {
            user_id: owner.id,
            code: "o-1".into(),
        };
        Order::create(db, order).await.expect("order");
        let error = User::delete(db, owner.id)
            .await
            .expect_err("an order refers to the user");
        match &error {
            Error::ForeignKeyViolation {
                context,
                constraint,
                ..
            } => {
                assert_eq!(context.operation, "delete");
                // SQLite's message names no constraint, and a deleted row
                // can break any table's key.
                let expected = (t.dialect != Dialect::Sqlite).then_some("fk_order_user_user_id");
                assert_eq!(constraint.as_deref(), expected, "{error}");
            }
            other => panic!("expected ForeignKeyViolation, got {other:?}"),
        }
        assert!(User::get(db, owner.id).await.expect("get").is_some());

        let error = Group::update(
            db,
            g.id + 1000,
            GroupUpdate {
                position: Patch::Set(1),
                ..Default::default()
            },
        )
        .await
        .expect_err("no such row");
        assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
        assert!(
            error.to_string().contains(&format!("{}", g.id + 1000)),
            "{error}"
        );

        let error = Group::create(db, group(&"x".repeat(81)))
            .await
            .expect_err("too long");
        assert!(matches!(error, Error::Validation { .. }), "{error:?}");
        assert_eq!(
            Group::count(db, Expr::all()).await.expect("count"),
            1,
            "nothing written"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn search_filters_sort_and_pages() {
    on_every_backend("search_filters_sort_and_pages", |t| async move {
        schema(&t).await;
        let db = &t.db;
        for (i, name) in [
            "alpha", "beta", "gamma", "delta", "epsilon", "50%_off", "a_b", "Alpha2",
        ]
        .iter()
        .enumerate()
        {
            let input = GroupCreate {
                name: (*name).into(),
                position: Patch::Set(i32::try_from(i).expect("small")),
            };
            Group::create(db, input).await.expect("created");
        }
        let names = |page: &entable::dto::Page<Group>| {
            page.items
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
        };

        let search = GroupSearch {
            position: Some(Filter::new().gte(1).lt(5)),
            sort: SortList(vec![Sort::desc(GroupSort::Position)]),
            page_size: Some(2),
            page: Some(2),
            ..Default::default()
        };
        let page = Group::search(db, &search).await.expect("search");
        assert_eq!(page.total, 4);
        assert_eq!(names(&page), ["gamma", "beta"]);

        // `%` and `_` are literal in contains.
        let literal = GroupSearch {
            name: Some(Filter::new().contains("%_")),
            ..Default::default()
        };
        assert_eq!(
            names(&Group::search(db, &literal).await.expect("search")),
            ["50%_off"]
        );
        let underscore = GroupSearch {
            name: Some(Filter::new().contains("_")),
            ..Default::default()
        };
        assert_eq!(
            Group::count(db, Group::search_filter(&underscore))
                .await
                .expect("count"),
            2
        );

        let sensitive = GroupSearch {
            name: Some(Filter::new().starts_with("Alpha")),
            ..Default::default()
        };
        assert_eq!(
            names(&Group::search(db, &sensitive).await.expect("search")),
            ["Alpha2"]
        );
        let insensitive = GroupSearch {
            name: Some(Filter::new().istarts_with("ALPHA")),
            sort: SortList(vec![Sort::asc(GroupSort::Name)]),
            ..Default::default()
        };
        assert_eq!(
            names(&Group::search(db, &insensitive).await.expect("search")),
            ["Alpha2", "alpha"]
        );

        let any: GroupSearch = serde_json::from_value(serde_json::json!({
            "any_of": [{"name": {"eq": "beta"}}, {"name": {"ends_with": "ta"}}],
            "sort": ["name"],
        }))
        .expect("parses");
        assert_eq!(
            names(&Group::search(db, &any).await.expect("search")),
            ["beta", "delta"]
        );
        assert!(
            Group::exists(db, Group::search_filter(&any))
                .await
                .expect("exists")
        );
        t
    })
    .await;
}
