//! The blog schema of the DSL and relation tests: authors, their posts
//! (author and optional editor: two keys to one table), comments, tags
//! through a join entity, a one-to-one profile and a self-referencing tree.

use entable::prelude::*;
use entable::schema::TableMeta;

#[derive(Entity, Debug, Clone)]
pub struct Author {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 100)]
    pub name: String,
    pub hair_color: Option<String>,
    #[entity(has_many(via = author_id))]
    pub posts: Vec<Post>,
    #[entity(has_many(via = editor_id))]
    pub edited: Vec<Post>,
    #[entity(has_one)]
    pub profile: Option<Profile>,
}

#[derive(Entity, Debug, Clone)]
pub struct Profile {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Author, on_delete = "cascade", unique)]
    pub author_id: i64,
    pub bio: String,
}

#[derive(Entity, Debug, Clone)]
pub struct Post {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Author, on_delete = "cascade", index)]
    pub author_id: i64,
    #[entity(references = Author, on_delete = "set null")]
    pub editor_id: Option<i64>,
    pub title: String,
    pub body: Option<String>,
    #[entity(default = 0)]
    pub likes: i32,
    #[entity(belongs_to = author_id)]
    pub author: Option<Author>,
    #[entity(has_many)]
    pub comments: Vec<Comment>,
    #[entity(many_to_many(through = PostTag))]
    pub tags: Vec<Tag>,
}

#[derive(Entity, Debug, Clone)]
pub struct Comment {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Post, on_delete = "cascade", index)]
    pub post_id: i64,
    pub text: String,
}

#[derive(Entity, Debug, Clone)]
pub struct Tag {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 40)]
    pub name: String,
    #[entity(default = 0)]
    pub uses: i32,
    #[entity(many_to_many(through = PostTag))]
    pub posts: Vec<Post>,
}

#[derive(Entity, Debug, Clone)]
pub struct PostTag {
    #[entity(primary_key, references = Post, on_delete = "cascade")]
    pub post_id: i64,
    #[entity(primary_key, references = Tag, on_delete = "cascade")]
    pub tag_id: i64,
}

/// A tree: `has_many` on the same table, found through its only foreign key.
#[derive(Entity, Debug, Clone)]
pub struct Folder {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
    #[entity(references = Self, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    #[entity(has_many)]
    pub children: Vec<Folder>,
}

pub fn tables() -> Vec<&'static TableMeta> {
    vec![
        Author::table(),
        Profile::table(),
        Post::table(),
        Comment::table(),
        Tag::table(),
        PostTag::table(),
        Folder::table(),
    ]
}

pub async fn schema(db: &Db) {
    Schema::of(tables())
        .expect("valid blog schema")
        .create_all(db)
        .await
        .expect("blog schema created");
}
