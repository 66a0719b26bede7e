#![allow(dead_code)] // fields are only described, not read, until repositories exist

//! The example application's entities: a small blog. The committed
//! migrations in `migrations/<dialect>/` are generated from these by
//! `cargo run --example schema -- write-migrations`.

use entable::prelude::*;
use entable::schema::TableMeta;

#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostStatus {
    Draft,
    Published,
    Archived,
}

#[derive(Entity, Debug)]
#[entity(table = "authors")]
pub struct Author {
    #[entity(primary_key, uuid_v4)]
    pub id: Uuid,
    #[entity(unique, max_length = 255)]
    pub email: String,
    #[entity(max_length = 100)]
    pub name: String,
    pub bio: Option<String>,
    #[entity(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
}

#[derive(Entity, Debug)]
#[entity(table = "posts", index(author_id, published_at))]
pub struct Post {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Author, on_delete = "cascade")]
    pub author_id: Uuid,
    #[entity(max_length = 200)]
    pub title: String,
    #[entity(unique, max_length = 200)]
    pub slug: String,
    pub body: String,
    #[entity(default = "draft", index)]
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub metadata: Option<serde_json::Value>,
}

#[derive(Entity, Debug)]
#[entity(table = "comments")]
pub struct Comment {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Post, on_delete = "cascade", index)]
    pub post_id: i64,
    /// Replies form a thread.
    #[entity(references = Self, on_delete = "cascade", index)]
    pub reply_to: Option<i64>,
    #[entity(references = Author, on_delete = "set null", index)]
    pub author_id: Option<Uuid>,
    pub body: String,
    #[entity(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
}

#[derive(Entity, Debug)]
#[entity(table = "tags")]
pub struct Tag {
    #[entity(primary_key, auto_increment)]
    pub id: i32,
    #[entity(unique, max_length = 50)]
    pub name: String,
}

#[derive(Entity, Debug)]
#[entity(table = "post_tags")]
pub struct PostTag {
    #[entity(primary_key, references = Post, on_delete = "cascade")]
    pub post_id: i64,
    #[entity(primary_key, references = Tag, on_delete = "cascade", index)]
    pub tag_id: i32,
}

/// The blog's tables.
pub fn tables() -> Vec<&'static TableMeta> {
    vec![
        Author::table(),
        Post::table(),
        Comment::table(),
        Tag::table(),
        PostTag::table(),
    ]
}
