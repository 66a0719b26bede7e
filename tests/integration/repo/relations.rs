//! Eager loading one and two levels deep, many-to-many, has-one,
//! belongs-to, a self-reference, relation filters, and the exact number of
//! statements a load sends.

use std::sync::atomic::Ordering;

use entable::backend::Dialect;
use entable::dto::Patch;
use entable::prelude::*;
use entable::query::Expr;
use entable::relation::Load;

use super::blog::*;
use crate::support::statements::StatementCounter;
use crate::support::{TestDb, on_every_backend};

async fn seed(db: &Db, authors: usize, posts_each: usize, comments_each: usize) -> Vec<Author> {
    let mut out = Vec::new();
    for a in 0..authors {
        let author = Author::create(
            db,
            AuthorCreate {
                name: format!("author {a}"),
                hair_color: None,
            },
        )
        .await
        .expect("author");
        for p in 0..posts_each {
            let input = PostCreate {
                author_id: author.id,
                editor_id: None,
                title: format!("post {a}.{p}"),
                body: None,
                likes: Patch::Set(i32::try_from(p).expect("small")),
            };
            let post = Post::create(db, input).await.expect("post");
            for c in 0..comments_each {
                Comment::create(
                    db,
                    CommentCreate {
                        post_id: post.id,
                        text: format!("comment {a}.{p}.{c}"),
                    },
                )
                .await
                .expect("comment");
            }
        }
        out.push(author);
    }
    out
}

#[tokio::test]
async fn eager_loading_two_levels() {
    on_every_backend("eager_loading_two_levels", |t: TestDb| async move {
        schema(&t.db).await;
        let db = &t.db;
        seed(db, 3, 2, 2).await;
        let authors = Author::query()
            .with(Author::POSTS.with(Post::COMMENTS))
            .all(db)
            .await
            .expect("loaded");
        assert_eq!(authors.len(), 3);
        for (a, author) in authors.iter().enumerate() {
            let titles: Vec<&str> = author.posts.iter().map(|p| p.title.as_str()).collect();
            assert_eq!(titles, [format!("post {a}.0"), format!("post {a}.1")]);
            for (p, post) in author.posts.iter().enumerate() {
                let texts: Vec<&str> = post.comments.iter().map(|c| c.text.as_str()).collect();
                assert_eq!(
                    texts,
                    [format!("comment {a}.{p}.0"), format!("comment {a}.{p}.1")]
                );
            }
            assert!(author.edited.is_empty(), "not asked for");
        }

        // belongs-to, with the parent shared by several children.
        let mut posts = Post::query()
            .order_by(Post::ID.asc())
            .all(db)
            .await
            .expect("posts");
        Post::AUTHOR
            .load_into(db, &mut posts)
            .await
            .expect("authors");
        assert!(
            posts
                .iter()
                .all(|p| p.author.as_ref().map(|a| a.id) == Some(p.author_id))
        );

        // has_many through the second key to the same table (`via`).
        let editor = &authors[2];
        Post::update(
            db,
            posts[0].id,
            PostUpdate {
                editor_id: Patch::Set(Some(editor.id)),
                ..Default::default()
            },
        )
        .await
        .expect("edit");
        let mut again = Author::find(db, Author::ID.eq(editor.id))
            .await
            .expect("editor");
        Author::EDITED
            .load_into(db, &mut again)
            .await
            .expect("edited");
        assert_eq!(
            again[0].edited.iter().map(|p| p.id).collect::<Vec<_>>(),
            [posts[0].id]
        );

        // has_one.
        Profile::create(
            db,
            ProfileCreate {
                author_id: authors[1].id,
                bio: "hi".into(),
            },
        )
        .await
        .expect("profile");
        let with_profiles = Author::query()
            .with(Author::PROFILE)
            .all(db)
            .await
            .expect("profiles");
        let bios: Vec<Option<&str>> = with_profiles
            .iter()
            .map(|a| a.profile.as_ref().map(|p| p.bio.as_str()))
            .collect();
        assert_eq!(bios, [None, Some("hi"), None]);

        // Inside a transaction too.
        let mut tx = db.begin().await.expect("begin");
        let in_tx = Author::query()
            .with(Author::POSTS)
            .all(&mut tx)
            .await
            .expect("in tx");
        assert_eq!(in_tx.iter().map(|a| a.posts.len()).sum::<usize>(), 6);
        tx.rollback().await.expect("rollback");
        t
    })
    .await;
}

#[tokio::test]
async fn many_to_many_self_reference_and_filters() {
    on_every_backend(
        "many_to_many_self_reference_and_filters",
        |t: TestDb| async move {
            schema(&t.db).await;
            let db = &t.db;
            let authors = seed(db, 2, 2, 1).await;
            let posts = Post::query()
                .order_by(Post::ID.asc())
                .all(db)
                .await
                .expect("posts");
            let rust = Tag::create(
                db,
                TagCreate {
                    name: "rust".into(),
                    uses: Patch::Absent,
                },
            )
            .await
            .expect("tag");
            let sql = Tag::create(
                db,
                TagCreate {
                    name: "sql".into(),
                    uses: Patch::Absent,
                },
            )
            .await
            .expect("tag");
            for (post, tag) in [(&posts[0], &rust), (&posts[0], &sql), (&posts[3], &sql)] {
                PostTag::create(
                    db,
                    PostTagCreate {
                        post_id: post.id,
                        tag_id: tag.id,
                    },
                )
                .await
                .expect("link");
            }
            let loaded = Post::query()
                .with(Post::TAGS)
                .order_by(Post::ID.asc())
                .all(db)
                .await
                .expect("tags");
            let tags: Vec<Vec<&str>> = loaded
                .iter()
                .map(|p| {
                    let mut names: Vec<&str> = p.tags.iter().map(|t| t.name.as_str()).collect();
                    names.sort_unstable();
                    names
                })
                .collect();
            assert_eq!(tags, [vec!["rust", "sql"], vec![], vec![], vec!["sql"]]);

            // The other way, one level further: the post both tags share
            // comes with its comment under each of them.
            let tagged = Tag::query()
                .with(Tag::POSTS.with(Post::COMMENTS))
                .order_by(Tag::NAME.asc())
                .all(db)
                .await
                .expect("tags with posts");
            let shape: Vec<Vec<(i64, usize)>> = tagged
                .iter()
                .map(|tag| {
                    let mut posts: Vec<(i64, usize)> =
                        tag.posts.iter().map(|p| (p.id, p.comments.len())).collect();
                    posts.sort_unstable();
                    posts
                })
                .collect();
            assert_eq!(
                shape,
                [
                    vec![(posts[0].id, 1)],
                    vec![(posts[0].id, 1), (posts[3].id, 1)]
                ]
            );
            // The same row twice in a list: both copies are filled.
            let mut twice = vec![posts[0].clone(), posts[0].clone()];
            Post::COMMENTS
                .load_into(db, &mut twice)
                .await
                .expect("comments");
            assert!(twice.iter().all(|p| p.comments.len() == 1));

            // Filters through relations: EXISTS, never a join that repeats rows.
            let with_sql = Post::find(db, Post::TAGS.any(Tag::NAME.eq("sql")))
                .await
                .expect("m2m filter");
            assert_eq!(
                with_sql.iter().map(|p| p.id).collect::<Vec<_>>(),
                [posts[0].id, posts[3].id]
            );
            let commented = Author::find(
                db,
                Author::POSTS.any(Post::COMMENTS.any(Comment::TEXT.ends_with("1.1.0"))),
            )
            .await
            .expect("two levels");
            assert_eq!(
                commented.iter().map(|a| a.id).collect::<Vec<_>>(),
                [authors[1].id]
            );
            let by_author = Post::count(db, Post::AUTHOR.is(Author::NAME.eq("author 0")))
                .await
                .expect("belongs-to filter");
            assert_eq!(by_author, 2);
            let none = Author::count(db, !Author::POSTS.any(Expr::all()))
                .await
                .expect("no posts");
            assert_eq!(none, 0);

            // A tree: the subquery's alias keeps parent and child apart.
            let root = Folder::create(
                db,
                FolderCreate {
                    name: "root".into(),
                    parent_id: None,
                },
            )
            .await
            .expect("root");
            let docs = Folder::create(
                db,
                FolderCreate {
                    name: "docs".into(),
                    parent_id: Some(root.id),
                },
            )
            .await
            .expect("docs");
            Folder::create(
                db,
                FolderCreate {
                    name: "img".into(),
                    parent_id: Some(docs.id),
                },
            )
            .await
            .expect("img");
            let parents = Folder::find(db, Folder::CHILDREN.any(Folder::NAME.eq("img")))
                .await
                .expect("self filter");
            assert_eq!(
                parents.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
                ["docs"]
            );
            let tree = Folder::query()
                .filter(Folder::PARENT_ID.is_null())
                .with(Folder::CHILDREN.with(Folder::CHILDREN))
                .all(db)
                .await
                .expect("tree");
            assert_eq!(tree[0].children[0].children[0].name, "img");
            t
        },
    )
    .await;
}

#[tokio::test]
async fn eager_loading_sends_one_statement_per_level() {
    use tracing::Instrument;
    let counter = StatementCounter::global();
    on_every_backend(
        "eager_loading_sends_one_statement_per_level",
        move |t: TestDb| async move {
            schema(&t.db).await;
            let db = &t.db;
            seed(db, 100, 10, 1).await;

            // In a transaction, so no pool connection is opened (and set up with
            // statements of its own) while counting.
            let mut tx = db.begin().await.expect("begin");
            let (span, count) = counter.span();
            let authors = Author::query()
                .with(Author::POSTS.with(Post::COMMENTS))
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("loaded");
            assert_eq!(authors.len(), 100);
            assert_eq!(authors.iter().map(|a| a.posts.len()).sum::<usize>(), 1000);
            assert!(
                authors
                    .iter()
                    .flat_map(|a| &a.posts)
                    .all(|p| p.comments.len() == 1)
            );
            assert_eq!(
                count.load(Ordering::SeqCst),
                3,
                "authors, posts, comments: one statement each on {}",
                t.dialect
            );

            let (span, count) = counter.span();
            let mut posts = Post::query().all(&mut tx).await.expect("posts");
            Post::AUTHOR
                .load_into(&mut tx, &mut posts)
                .instrument(span)
                .await
                .expect("authors");
            assert_eq!(
                count.load(Ordering::SeqCst),
                1,
                "1000 posts, one statement for their authors on {}",
                t.dialect
            );
            assert!(posts.iter().all(|p| p.author.is_some()));
            tx.rollback().await.expect("rollback");

            // On a held connection, outside any transaction: the same.
            let mut conn = db.acquire().await.expect("acquire");
            let (span, count) = counter.span();
            let authors = Author::query()
                .with(Author::POSTS.with(Post::COMMENTS))
                .all(&mut conn)
                .instrument(span)
                .await
                .expect("loaded");
            assert_eq!(authors.iter().map(|a| a.posts.len()).sum::<usize>(), 1000);
            assert_eq!(count.load(Ordering::SeqCst), 3, "on {}", t.dialect);
            drop(conn);
            t
        },
    )
    .await;
}

/// More parents than one statement may bind: the key list is split at the
/// dialect's limit, and every parent still gets exactly its children.
#[tokio::test]
async fn eager_loading_past_the_bind_limit() {
    use tracing::Instrument;
    const AUTHORS: usize = 70_000;
    let counter = StatementCounter::global();
    on_every_backend("eager_loading_past_the_bind_limit", move |t: TestDb| async move {
        schema(&t.db).await;
        let db = &t.db;
        // Seeded set-wise: 105,000 single creates would take minutes.
        let numbers = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {AUTHORS})"
        );
        let authors = match t.dialect {
            Dialect::Postgres => format!(
                r#"INSERT INTO "author" ("name") SELECT 'author ' || i FROM generate_series(1, {AUTHORS}) AS i"#
            ),
            Dialect::MySql => format!(
                "INSERT INTO `author` (`name`) {numbers} SELECT CONCAT('author ', i) FROM n"
            ),
            Dialect::Sqlite => {
                format!(r#"{numbers} INSERT INTO "author" ("name") SELECT 'author ' || i FROM n"#)
            }
        };
        let posts = crate::support::dialect_sql(
            t.dialect,
            r#"INSERT INTO "post" ("author_id", "title") SELECT "id", 'p' FROM "author" WHERE "id" % 2 = 0"#,
        );
        let mut seed = vec![authors, posts];
        if t.dialect == Dialect::MySql {
            // MariaDB stops recursion at 1,000 rows by default.
            seed.insert(0, "SET SESSION max_recursive_iterations = 1000000".into());
        }
        db.execute_ddl(&seed).await.expect("seeded");

        let mut tx = db.begin().await.expect("begin");
        let limit = t.dialect.bind_limit();
        let (span, count) = counter.span();
        let authors = Author::query()
            .with(Author::POSTS)
            .all(&mut tx)
            .instrument(span)
            .await
            .expect("loaded");
        assert_eq!(authors.len(), AUTHORS);
        assert!(
            authors
                .iter()
                .all(|a| a.posts.len() == usize::from(a.id % 2 == 0)
                    && a.posts.iter().all(|p| p.author_id == a.id)),
            "each author holds exactly its own posts"
        );
        assert_eq!(
            count.load(Ordering::SeqCst),
            1 + AUTHORS.div_ceil(limit),
            "authors, then posts in chunks of {limit} keys on {}",
            t.dialect
        );

        let (span, count) = counter.span();
        let mut posts = Post::query().all(&mut tx).await.expect("posts");
        Post::AUTHOR
            .load_into(&mut tx, &mut posts)
            .instrument(span)
            .await
            .expect("authors");
        assert_eq!(posts.len(), AUTHORS / 2);
        assert!(
            posts
                .iter()
                .all(|p| p.author.as_ref().map(|a| a.id) == Some(p.author_id))
        );
        assert_eq!(count.load(Ordering::SeqCst), (AUTHORS / 2).div_ceil(limit));
        tx.rollback().await.expect("rollback");
        t
    })
    .await;
}
