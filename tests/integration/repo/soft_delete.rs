//! Soft delete: `delete` marks the row, every read path hides it unless
//! asked, `restore` and `force_delete`, `unique_live` constraints, eager
//! loading and relation filters — on every backend, for each kind of
//! marker: a `deleted_at` time stamp, a `deleted_flag` (true = deleted) and
//! a `live_flag` (true = live). The same tests run on each
//! ([`soft_delete_suite!`]).

/// The entities and tests of this file, with the soft-delete marker
/// `#[entity($attr)] $field: $ty` (`$note_ty` on `MemberNote` and `Ticket`);
/// `$deleted` tells from a marker value whether the row is deleted.
macro_rules! soft_delete_suite {
    ($module:ident, $attr:ident, $field:ident: $ty:ty, $note_ty:ty, $deleted:expr) => {
        pub mod $module {
            use entable::Error;
            use entable::dto::{Filter, Patch};
            use entable::prelude::*;
            use futures_util::TryStreamExt;

            use crate::support::{TestDb, on_every_backend};

            fn is_deleted(value: &$ty) -> bool {
                let deleted: fn(&$ty) -> bool = $deleted;
                deleted(value)
            }

            #[derive(Entity, Debug, Clone)]
            pub struct Member {
                #[entity(primary_key, auto_increment)]
                pub id: i64,
                #[entity(unique_live, max_length = 80)]
                pub email: String,
                pub name: String,
                #[entity(updated_at)]
                pub updated_at: DateTime<Utc>,
                #[entity($attr)]
                pub $field: $ty,
                #[entity(has_many)]
                pub notes: Vec<MemberNote>,
                #[entity(many_to_many(through = MemberBadge))]
                pub badges: Vec<Badge>,
            }

            #[derive(Entity, Debug, Clone)]
            pub struct MemberNote {
                #[entity(primary_key, auto_increment)]
                pub id: i64,
                #[entity(references = Member, on_delete = "cascade")]
                pub member_id: i64,
                pub text: String,
                #[entity($attr)]
                pub $field: $note_ty,
                #[entity(belongs_to = member_id)]
                pub member: Option<Member>,
            }

            #[derive(Entity, Debug, Clone)]
            pub struct Badge {
                #[entity(primary_key, auto_increment)]
                pub id: i64,
                pub label: String,
                #[entity($attr)]
                pub $field: $ty,
            }

            #[derive(Entity, Debug, Clone)]
            pub struct MemberBadge {
                #[entity(primary_key, references = Member, on_delete = "cascade")]
                pub member_id: i64,
                #[entity(primary_key, references = Badge, on_delete = "cascade")]
                pub badge_id: i64,
            }

            /// Soft-deleting, versioned, with a live-rows unique pair.
            #[derive(Entity, Debug, Clone)]
            #[entity(unique_live(project, code))]
            pub struct Ticket {
                #[entity(primary_key, auto_increment)]
                pub id: i64,
                #[entity(max_length = 20)]
                pub project: String,
                #[entity(max_length = 20)]
                pub code: String,
                #[entity(version)]
                pub version: i64,
                #[entity($attr)]
                pub $field: $note_ty,
            }

            /// The tables of this marker kind (the drift tests use them too).
            pub fn tables() -> Vec<&'static entable::schema::TableMeta> {
                vec![
                    Member::table(),
                    MemberNote::table(),
                    Badge::table(),
                    MemberBadge::table(),
                    Ticket::table(),
                ]
            }

            async fn schema(db: &Db) {
                Schema::of(tables())
                    .expect("schema")
                    .create_all(db)
                    .await
                    .expect("created");
            }

            async fn member(db: &Db, email: &str) -> Member {
                Member::create(
                    db,
                    MemberCreate {
                        email: email.into(),
                        name: email.to_uppercase(),
                    },
                )
                .await
                .expect("member")
            }

            async fn note(db: &Db, member_id: i64, text: &str) -> MemberNote {
                MemberNote::create(
                    db,
                    MemberNoteCreate {
                        member_id,
                        text: text.into(),
                    },
                )
                .await
                .expect("note")
            }

            fn emails(members: &[Member]) -> Vec<&str> {
                members.iter().map(|m| m.email.as_str()).collect()
            }

            #[tokio::test]
            async fn soft_deleted_rows_are_invisible_to_every_read_path() {
                on_every_backend(
                    concat!(
                        stringify!($module),
                        "::soft_deleted_rows_are_invisible_to_every_read_path"
                    ),
                    |t: TestDb| async move {
                        let db = &t.db;
                        schema(db).await;
                        let a = member(db, "a@x.io").await;
                        let b = member(db, "b@x.io").await;
                        let c = member(db, "c@x.io").await;
                        assert!(!is_deleted(&a.$field));
                        note(db, a.id, "kept").await;
                        let hidden = note(db, a.id, "hidden").await;
                        note(db, b.id, "of b").await;
                        assert!(
                            MemberNote::delete(db, hidden.id)
                                .await
                                .expect("delete note")
                        );

                        assert!(Member::delete(db, b.id).await.expect("delete"));
                        assert!(
                            !Member::delete(db, b.id).await.expect("again"),
                            "already deleted"
                        );

                        // Every read path hides b.
                        assert!(Member::get(db, b.id).await.expect("get").is_none());
                        let many = Member::get_many(db, vec![a.id, b.id, c.id])
                            .await
                            .expect("get_many");
                        assert_eq!(emails(&many), ["a@x.io", "c@x.io"]);
                        let all = Member::find(db, Expr::all()).await.expect("find");
                        assert_eq!(emails(&all), ["a@x.io", "c@x.io"]);
                        let by_email = Member::find(db, Member::EMAIL.eq("b@x.io".to_string()))
                            .await
                            .expect("find");
                        assert!(by_email.is_empty());
                        assert_eq!(Member::count(db, Expr::all()).await.expect("count"), 2);
                        assert!(
                            !Member::exists(db, Member::EMAIL.eq("b@x.io".to_string()))
                                .await
                                .expect("exists")
                        );
                        assert!(
                            Member::first(db, Member::ID.eq(b.id))
                                .await
                                .expect("first")
                                .is_none()
                        );
                        let streamed: Vec<Member> = Member::stream(db, Expr::all())
                            .try_collect()
                            .await
                            .expect("stream");
                        assert_eq!(emails(&streamed), ["a@x.io", "c@x.io"]);
                        let ids: Vec<i64> = Member::query()
                            .select(Member::ID)
                            .all(db)
                            .await
                            .expect("select");
                        assert_eq!(ids, [a.id, c.id]);
                        let search = MemberSearch {
                            email: Some(Filter::new().starts_with("b@")),
                            ..Default::default()
                        };
                        let page = Member::search(db, &search).await.expect("search");
                        assert_eq!(page.total, 0);
                        let everyone = Member::search(db, &MemberSearch::default())
                            .await
                            .expect("search");
                        assert_eq!(everyone.total, 2);
                        // Writes see only live rows too.
                        let patch = MemberUpdate {
                            name: Patch::Set("B2".into()),
                            ..Default::default()
                        };
                        assert!(matches!(
                            Member::update(db, b.id, patch).await,
                            Err(Error::NotFound { .. })
                        ));

                        // Unless asked.
                        let found = Member::with_deleted()
                            .get(db, b.id)
                            .await
                            .expect("get")
                            .expect("there");
                        assert!(is_deleted(&found.$field));
                        assert!(
                            found.updated_at >= b.updated_at,
                            "a soft delete is a change"
                        );
                        assert_eq!(Member::with_deleted().count(db).await.expect("count"), 3);
                        let gone = Member::only_deleted().all(db).await.expect("only");
                        assert_eq!(emails(&gone), ["b@x.io"]);
                        let page = Member::with_deleted()
                            .search(db, &search)
                            .await
                            .expect("search");
                        assert_eq!(page.total, 1);
                        let page = Member::only_deleted()
                            .search(db, &MemberSearch::default())
                            .await
                            .expect("search");
                        assert_eq!(emails(&page.items), ["b@x.io"]);

                        // Eager loads and relation filters skip soft-deleted rows.
                        let loaded = Member::query()
                            .with(Member::NOTES)
                            .all(db)
                            .await
                            .expect("load");
                        let texts: Vec<&str> =
                            loaded[0].notes.iter().map(|n| n.text.as_str()).collect();
                        assert_eq!(texts, ["kept"]);
                        // A search on a query keeps its loads and its order.
                        let page = Member::query()
                            .with(Member::NOTES)
                            .order_by(Member::EMAIL.desc())
                            .search(db, &MemberSearch::default())
                            .await
                            .expect("search with loads");
                        assert_eq!(emails(&page.items), ["c@x.io", "a@x.io"]);
                        assert_eq!(page.items[1].notes.len(), 1);
                        let with_hidden = Member::find(
                            db,
                            Member::NOTES.any(MemberNote::TEXT.eq("hidden".to_string())),
                        )
                        .await
                        .expect("filter");
                        assert!(with_hidden.is_empty(), "a deleted note is no one's note");
                        let notes = MemberNote::query()
                            .with(MemberNote::MEMBER)
                            .order_by(MemberNote::ID.asc())
                            .all(db)
                            .await
                            .expect("notes");
                        let owners: Vec<Option<&str>> = notes
                            .iter()
                            .map(|n| n.member.as_ref().map(|m| m.email.as_str()))
                            .collect();
                        assert_eq!(owners, [Some("a@x.io"), None], "b's note has no live owner");
                        // The same through a join: the joined table's live
                        // condition is part of the join.
                        let joined = MemberNote::query()
                            .join(MemberNote::MEMBER)
                            .order_by(MemberNote::ID.asc())
                            .all(db)
                            .await
                            .expect("joined notes");
                        let joined_owners: Vec<Option<&str>> = joined
                            .iter()
                            .map(|n| n.member.as_ref().map(|m| m.email.as_str()))
                            .collect();
                        assert_eq!(joined_owners, owners);
                        let joined = Member::query()
                            .join(Member::NOTES)
                            .all(db)
                            .await
                            .expect("joined members");
                        let texts: Vec<Vec<&str>> = joined
                            .iter()
                            .map(|m| m.notes.iter().map(|n| n.text.as_str()).collect())
                            .collect();
                        assert_eq!(
                            texts,
                            [vec!["kept"], vec![]],
                            "a deleted note is no one's note"
                        );
                        let of_deleted = MemberNote::find(
                            db,
                            MemberNote::MEMBER.is(Member::EMAIL.eq("b@x.io".to_string())),
                        )
                        .await
                        .expect("filter");
                        assert!(of_deleted.is_empty());

                        // Many-to-many: a deleted badge is not linked.
                        let gold = Badge::create(
                            db,
                            BadgeCreate {
                                label: "gold".into(),
                            },
                        )
                        .await
                        .expect("badge");
                        let old = Badge::create(
                            db,
                            BadgeCreate {
                                label: "old".into(),
                            },
                        )
                        .await
                        .expect("badge");
                        for badge in [&gold, &old] {
                            MemberBadge::create(
                                db,
                                MemberBadgeCreate {
                                    member_id: a.id,
                                    badge_id: badge.id,
                                },
                            )
                            .await
                            .expect("link");
                        }
                        assert!(Badge::delete(db, old.id).await.expect("delete badge"));
                        let loaded = Member::query()
                            .with(Member::BADGES)
                            .filter(Member::ID.eq(a.id))
                            .all(db)
                            .await
                            .expect("load");
                        let labels: Vec<&str> =
                            loaded[0].badges.iter().map(|b| b.label.as_str()).collect();
                        assert_eq!(labels, ["gold"]);
                        assert!(
                            Member::find(
                                db,
                                Member::BADGES.any(Badge::LABEL.eq("old".to_string()))
                            )
                            .await
                            .expect("filter")
                            .is_empty()
                        );

                        // Set-based soft deletes: one statement marking the live rows
                        // it matches.
                        let removed =
                            Member::delete_where(db, Member::EMAIL.eq("c@x.io".to_string()))
                                .await
                                .expect("delete_where");
                        assert_eq!(removed, 1);
                        assert_eq!(Member::only_deleted().count(db).await.expect("count"), 2);
                        let removed = Member::bulk_delete(db, vec![a.id, c.id])
                            .await
                            .expect("bulk_delete");
                        assert_eq!(removed, 1, "c was deleted already");
                        assert_eq!(Member::count(db, Expr::all()).await.expect("count"), 0);
                        assert_eq!(Member::with_deleted().count(db).await.expect("count"), 3);
                        t
                    },
                )
                .await;
            }

            #[tokio::test]
            async fn restore_force_delete_and_live_uniqueness() {
                on_every_backend(
                    concat!(
                        stringify!($module),
                        "::restore_force_delete_and_live_uniqueness"
                    ),
                    |t: TestDb| async move {
                        let db = &t.db;
                        schema(db).await;
                        let a = member(db, "a@x.io").await;
                        let old_b = member(db, "b@x.io").await;
                        assert!(Member::delete(db, old_b.id).await.expect("delete"));

                        // A deleted email can be reused; a live one cannot.
                        let new_b = member(db, "b@x.io").await;
                        assert_ne!(new_b.id, old_b.id);
                        let taken = Member::create(
                            db,
                            MemberCreate {
                                email: "a@x.io".into(),
                                name: "dup".into(),
                            },
                        )
                        .await;
                        assert!(
                            matches!(taken, Err(Error::UniqueViolation { .. })),
                            "{taken:?}"
                        );

                        // Restoring the old b would make two live b's.
                        let clash = Member::restore(db, old_b.id).await;
                        assert!(
                            matches!(clash, Err(Error::UniqueViolation { .. })),
                            "{clash:?}"
                        );
                        assert!(Member::force_delete(db, new_b.id).await.expect("purge"));
                        assert!(
                            Member::with_deleted()
                                .get(db, new_b.id)
                                .await
                                .expect("get")
                                .is_none(),
                            "gone for real"
                        );
                        assert!(Member::restore(db, old_b.id).await.expect("restore"));
                        let back = Member::get(db, old_b.id)
                            .await
                            .expect("get")
                            .expect("live again");
                        assert!(!is_deleted(&back.$field));
                        assert!(
                            !Member::restore(db, old_b.id).await.expect("again"),
                            "not deleted"
                        );
                        assert!(!Member::restore(db, 999_999).await.expect("missing"));

                        // force_delete works on live rows and on soft-deleted ones.
                        assert!(Member::delete(db, a.id).await.expect("soft"));
                        assert!(Member::force_delete(db, a.id).await.expect("purge deleted"));
                        assert!(!Member::force_delete(db, a.id).await.expect("twice"));
                        assert_eq!(Member::with_deleted().count(db).await.expect("count"), 1);

                        // An upsert on a live-unique key: a deleted row does not match,
                        // a live one is overwritten.
                        assert!(Member::delete(db, old_b.id).await.expect("soft"));
                        let input = |name: &str| MemberCreate {
                            email: "b@x.io".into(),
                            name: name.into(),
                        };
                        let inserted = Member::upsert(db, input("fresh"), Member::EMAIL)
                            .await
                            .expect("upsert");
                        assert_ne!(inserted.id, old_b.id, "the deleted row is not reused");
                        let overwritten = Member::upsert(db, input("again"), Member::EMAIL)
                            .await
                            .expect("upsert");
                        assert_eq!(
                            (overwritten.id, overwritten.name.as_str()),
                            (inserted.id, "again")
                        );
                        assert_eq!(Member::with_deleted().count(db).await.expect("count"), 2);

                        // Composite live-unique, and the version on soft delete / restore.
                        let ticket = |code: &str| TicketCreate {
                            project: "core".into(),
                            code: code.into(),
                        };
                        let t1 = Ticket::create(db, ticket("T-1")).await.expect("ticket");
                        assert!(matches!(
                            Ticket::create(db, ticket("T-1")).await,
                            Err(Error::UniqueViolation { .. })
                        ));
                        assert!(matches!(
                            Ticket::delete(db, t1.id).await,
                            Err(Error::Usage { .. })
                        ));
                        assert!(matches!(
                            Ticket::delete_version(db, t1.id, t1.version + 1).await,
                            Err(Error::Conflict { .. })
                        ));
                        assert!(
                            Ticket::delete_version(db, t1.id, t1.version)
                                .await
                                .expect("delete")
                        );
                        let deleted = Ticket::with_deleted()
                            .get(db, t1.id)
                            .await
                            .expect("get")
                            .expect("there");
                        assert_eq!(deleted.version, t1.version + 1, "a soft delete is a write");
                        assert!(
                            !Ticket::delete_version(db, t1.id, deleted.version)
                                .await
                                .expect("twice")
                        );
                        let t2 = Ticket::create(db, ticket("T-1"))
                            .await
                            .expect("code reused");
                        assert!(Ticket::force_delete(db, t2.id).await.expect("purge"));
                        assert!(Ticket::restore(db, t1.id).await.expect("restore"));
                        let live = Ticket::get(db, t1.id).await.expect("get").expect("live");
                        assert_eq!(live.version, t1.version + 2);

                        // restore on an entity without soft delete is refused.
                        let refused = crate::repo::timestamps::Note::restore(db, 1).await;
                        assert!(matches!(refused, Err(Error::Usage { .. })), "{refused:?}");
                        t
                    },
                )
                .await;
            }
        }
    };
}

soft_delete_suite!(timestamp, deleted_at, deleted_at: Option<DateTime<Utc>>, Option<NaiveDateTime>, |v| v.is_some());
soft_delete_suite!(deleted_flag, deleted_flag, is_deleted: bool, bool, |v| *v);
soft_delete_suite!(live_flag, live_flag, active: bool, bool, |v| !*v);
