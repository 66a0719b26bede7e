//! Join loading (`Query::join`): the same rows as the separate load of
//! `with`, in one statement where a join can serve, and the fallbacks
//! (paged to-many queries, a second join, search) still load everything.

use std::sync::atomic::Ordering;

use entable::dto::Patch;
use entable::prelude::*;
use entable::relation::Load;
use tracing::Instrument;

use super::blog::*;
use crate::support::statements::StatementCounter;
use crate::support::{TestDb, on_every_backend};

/// Authors with 0, 1, 3, 0 and 2 posts (hair colour "red" on authors 1
/// to 3), post `p` of each with `p` likes and `p` comments, one profile on
/// the first author.
async fn seed(db: &Db) -> Vec<Author> {
    let mut authors = Vec::new();
    for (a, posts) in [0usize, 1, 3, 0, 2].into_iter().enumerate() {
        let author = Author::create(
            db,
            AuthorCreate {
                name: format!("author {a}"),
                hair_color: (1..=3).contains(&a).then(|| "red".to_string()),
            },
        )
        .await
        .expect("author");
        for p in 0..posts {
            let post = Post::create(
                db,
                PostCreate {
                    author_id: author.id,
                    editor_id: None,
                    title: format!("post {a}.{p}"),
                    body: None,
                    likes: Patch::Set(i32::try_from(p).expect("small")),
                },
            )
            .await
            .expect("post");
            for c in 0..p {
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
        authors.push(author);
    }
    Profile::create(
        db,
        ProfileCreate {
            author_id: authors[0].id,
            bio: "first".into(),
        },
    )
    .await
    .expect("profile");
    authors
}

/// A post's title and its comments' texts.
type PostShape = (String, Vec<String>);

/// Each author's name and its posts' titles with their comments' texts.
fn shape(authors: &[Author]) -> Vec<(String, Vec<PostShape>)> {
    authors
        .iter()
        .map(|a| {
            let posts = a
                .posts
                .iter()
                .map(|p| {
                    let comments = p.comments.iter().map(|c| c.text.clone()).collect();
                    (p.title.clone(), comments)
                })
                .collect();
            (a.name.clone(), posts)
        })
        .collect()
}

#[tokio::test]
async fn has_many_joined_matches_the_separate_load_in_one_statement() {
    let counter = StatementCounter::global();
    on_every_backend(
        "has_many_joined_matches_the_separate_load_in_one_statement",
        move |t: TestDb| async move {
            schema(&t.db).await;
            let db = &t.db;
            seed(db).await;
            // Counted in a transaction: no pool connection is opened (and set
            // up with statements of its own) while counting.
            let mut tx = db.begin().await.expect("begin");

            let query = || Author::query().order_by(Author::NAME.desc());
            let separate = query()
                .with(Author::POSTS)
                .all(&mut tx)
                .await
                .expect("with");
            let (span, count) = counter.span();
            let joined = query()
                .join(Author::POSTS)
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("join");
            assert_eq!(shape(&joined), shape(&separate), "on {}", t.dialect);
            assert_eq!(
                joined.iter().map(|a| a.posts.len()).collect::<Vec<_>>(),
                [2, 0, 3, 1, 0],
                "authors without posts come back once, with none, on {}",
                t.dialect
            );
            assert_eq!(
                count.load(Ordering::SeqCst),
                1,
                "one statement on {}",
                t.dialect
            );

            // Filtered, with a relation filter of its own (an EXISTS over
            // the joined table), and a nested level: two statements.
            let filter = Author::HAIR_COLOR
                .eq("red".to_string())
                .and(Author::POSTS.any(Post::LIKES.gte(1)));
            let separate = Author::query()
                .filter(filter.clone())
                .with(Author::POSTS.with(Post::COMMENTS))
                .all(&mut tx)
                .await
                .expect("with");
            let (span, count) = counter.span();
            let joined = Author::query()
                .filter(filter)
                .join(Author::POSTS.with(Post::COMMENTS))
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("join");
            assert_eq!(shape(&joined), shape(&separate), "on {}", t.dialect);
            let names: Vec<&str> = joined.iter().map(|a| a.name.as_str()).collect();
            assert_eq!(names, ["author 2"], "on {}", t.dialect);
            let comments: Vec<usize> = joined[0].posts.iter().map(|p| p.comments.len()).collect();
            assert_eq!(comments, [0, 1, 2], "on {}", t.dialect);
            assert_eq!(
                count.load(Ordering::SeqCst),
                2,
                "join, then comments, on {}",
                t.dialect
            );
            tx.rollback().await.expect("rollback");
            t
        },
    )
    .await;
}

#[tokio::test]
async fn belongs_to_and_has_one_joined_and_paged() {
    let counter = StatementCounter::global();
    on_every_backend(
        "belongs_to_and_has_one_joined_and_paged",
        move |t: TestDb| async move {
            schema(&t.db).await;
            let db = &t.db;
            let authors = seed(db).await;
            let mut tx = db.begin().await.expect("begin");

            // belongs_to: a parent shared by several rows, and paged (a
            // join to one row keeps the page's rows).
            let query = || {
                Post::query()
                    .order_by(Post::TITLE.desc())
                    .limit(4)
                    .offset(1)
            };
            let mut separate = query().all(&mut tx).await.expect("posts");
            Post::AUTHOR
                .load_into(&mut tx, &mut separate)
                .await
                .expect("authors");
            let (span, count) = counter.span();
            let joined = query()
                .join(Post::AUTHOR)
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("join");
            let pairs = |posts: &[Post]| -> Vec<(String, Option<String>)> {
                posts
                    .iter()
                    .map(|p| (p.title.clone(), p.author.as_ref().map(|a| a.name.clone())))
                    .collect()
            };
            assert_eq!(pairs(&joined), pairs(&separate), "on {}", t.dialect);
            assert_eq!(
                pairs(&joined),
                [
                    ("post 4.0".to_string(), Some("author 4".to_string())),
                    ("post 2.2".to_string(), Some("author 2".to_string())),
                    ("post 2.1".to_string(), Some("author 2".to_string())),
                    ("post 2.0".to_string(), Some("author 2".to_string())),
                ],
                "on {}",
                t.dialect
            );
            assert_eq!(count.load(Ordering::SeqCst), 1, "on {}", t.dialect);

            // A nullable key that points nowhere: no parent, the row kept.
            let edited = Post::query()
                .join(Post::AUTHOR)
                .filter(Post::EDITOR_ID.is_null())
                .all(&mut tx)
                .await
                .expect("join");
            assert_eq!(edited.len(), 6);
            assert!(edited.iter().all(|p| p.author.is_some()));

            // has_one: present on the first author only.
            let (span, count) = counter.span();
            let with_profiles = Author::query()
                .join(Author::PROFILE)
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("join");
            let bios: Vec<Option<&str>> = with_profiles
                .iter()
                .map(|a| a.profile.as_ref().map(|p| p.bio.as_str()))
                .collect();
            assert_eq!(
                bios,
                [Some("first"), None, None, None, None],
                "on {}",
                t.dialect
            );
            assert_eq!(count.load(Ordering::SeqCst), 1, "on {}", t.dialect);

            // A paged query loads a to-many relation by a second statement:
            // the page counts authors, not joined rows.
            let (span, count) = counter.span();
            let page = Author::query()
                .order_by(Author::NAME.desc())
                .limit(2)
                .join(Author::POSTS)
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("paged");
            let posts: Vec<usize> = page.iter().map(|a| a.posts.len()).collect();
            assert_eq!(posts, [2, 0], "on {}", t.dialect);
            assert_eq!(count.load(Ordering::SeqCst), 2, "on {}", t.dialect);
            let one = Author::query()
                .join(Author::POSTS)
                .get(&mut tx, authors[2].id)
                .await
                .expect("get")
                .expect("there");
            assert_eq!(one.posts.len(), 3);

            // A second join loads as `with` does; both are filled.
            let (span, count) = counter.span();
            let both = Author::query()
                .join(Author::POSTS)
                .join(Author::PROFILE)
                .all(&mut tx)
                .instrument(span)
                .await
                .expect("two joins");
            assert_eq!(
                both[0].profile.as_ref().map(|p| p.bio.as_str()),
                Some("first")
            );
            assert_eq!(both[2].posts.len(), 3);
            assert_eq!(count.load(Ordering::SeqCst), 2, "on {}", t.dialect);

            // Search pages by itself and loads the joined relation after.
            let page = Author::query()
                .join(Author::POSTS)
                .search(&mut tx, &AuthorSearch::default())
                .await
                .expect("search");
            let posts: Vec<usize> = page.items.iter().map(|a| a.posts.len()).collect();
            assert_eq!(posts, [0, 1, 3, 0, 2], "on {}", t.dialect);
            tx.rollback().await.expect("rollback");
            t
        },
    )
    .await;
}

#[tokio::test]
async fn a_self_reference_joins_through_an_alias() {
    on_every_backend(
        "a_self_reference_joins_through_an_alias",
        |t: TestDb| async move {
            schema(&t.db).await;
            let db = &t.db;
            let folder = |name: &str, parent_id: Option<i64>| FolderCreate {
                name: name.into(),
                parent_id,
            };
            let root = Folder::create(db, folder("root", None))
                .await
                .expect("root");
            let a = Folder::create(db, folder("a", Some(root.id)))
                .await
                .expect("a");
            Folder::create(db, folder("b", Some(root.id)))
                .await
                .expect("b");
            Folder::create(db, folder("a1", Some(a.id)))
                .await
                .expect("a1");

            let tree = Folder::query()
                .filter(
                    Folder::NAME
                        .eq("root".to_string())
                        .or(Folder::NAME.eq("a".to_string())),
                )
                .join(Folder::CHILDREN.with(Folder::CHILDREN))
                .all(db)
                .await
                .expect("tree");
            let names = |folders: &[Folder]| -> Vec<String> {
                folders.iter().map(|f| f.name.clone()).collect()
            };
            assert_eq!(names(&tree), ["root", "a"], "on {}", t.dialect);
            assert_eq!(names(&tree[0].children), ["a", "b"], "on {}", t.dialect);
            assert_eq!(
                names(&tree[0].children[0].children),
                ["a1"],
                "on {}",
                t.dialect
            );
            assert_eq!(names(&tree[1].children), ["a1"], "on {}", t.dialect);
            t
        },
    )
    .await;
}
