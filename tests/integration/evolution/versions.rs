//! One schema through six versions. Each module is the whole set of
//! entities at that version; together they exercise every kind of change
//! a migration makes (see the table in `mod.rs`).

#![allow(dead_code)]

macro_rules! tables {
    ($($entity:ty),*) => {
        pub fn tables() -> Vec<&'static entable::schema::TableMeta> {
            use entable::Entity as _;
            vec![$(<$entity>::table()),*]
        }
    };
}

/// Authors, posts (no foreign key yet) and a scratch table.
pub mod v1 {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "authors")]
    pub struct Author {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 50)]
        pub name: String,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "posts")]
    pub struct Post {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 200)]
        pub title: String,
        pub author_id: i64,
        pub summary: String,
        pub legacy_flag: bool,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "scratch")]
    pub struct Scratch {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub note: Option<String>,
    }

    tables!(Author, Post, Scratch);
}

/// Adds authors.bio, an index on posts.title, a foreign key on
/// posts.author_id (a SQLite rebuild of posts) and table tags.
pub mod v2 {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "authors")]
    pub struct Author {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 50)]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "posts")]
    pub struct Post {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 200, index)]
        pub title: String,
        #[entity(references = Author, on_delete = "cascade")]
        pub author_id: i64,
        pub summary: String,
        pub legacy_flag: bool,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tags")]
    pub struct Tag {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 40)]
        pub name: String,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "scratch")]
    pub struct Scratch {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub note: Option<String>,
    }

    tables!(Author, Post, Tag, Scratch);
}

/// Widens authors.name (a type change: a SQLite rebuild of a table others
/// refer to), makes posts.summary nullable, adds posts.views with a
/// default and a unique index on tags.name.
pub mod v3 {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "authors")]
    pub struct Author {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 120)]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "posts")]
    pub struct Post {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 200, index)]
        pub title: String,
        #[entity(references = Author, on_delete = "cascade")]
        pub author_id: i64,
        pub summary: Option<String>,
        pub legacy_flag: bool,
        #[entity(default = 0)]
        pub views: i64,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tags")]
    pub struct Tag {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 40, unique)]
        pub name: String,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "scratch")]
    pub struct Scratch {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub note: Option<String>,
    }

    tables!(Author, Post, Tag, Scratch);
}

/// Renames authors to writers (the foreign key follows), drops
/// posts.legacy_flag, changes the default of posts.views from 0 to 1.
pub mod v4 {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "writers", renamed_from = "authors")]
    pub struct Writer {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 120)]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "posts")]
    pub struct Post {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 200, index)]
        pub title: String,
        #[entity(references = Writer, on_delete = "cascade")]
        pub author_id: i64,
        pub summary: Option<String>,
        #[entity(default = 1)]
        pub views: i64,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tags")]
    pub struct Tag {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 40, unique)]
        pub name: String,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "scratch")]
    pub struct Scratch {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub note: Option<String>,
    }

    tables!(Writer, Post, Tag, Scratch);
}

/// Renames posts.title to headline (its index goes), drops table scratch.
pub mod v5 {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "writers")]
    pub struct Writer {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 120)]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "posts")]
    pub struct Post {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 200, renamed_from = "title")]
        pub headline: String,
        #[entity(references = Writer, on_delete = "cascade")]
        pub author_id: i64,
        pub summary: Option<String>,
        #[entity(default = 1)]
        pub views: i64,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tags")]
    pub struct Tag {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 40, unique)]
        pub name: String,
    }

    tables!(Writer, Post, Tag);
}

/// Drops the foreign key of posts.author_id (a plain index instead), makes
/// posts.summary NOT NULL again, adds tags.color.
pub mod v6 {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "writers")]
    pub struct Writer {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 120)]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "posts")]
    pub struct Post {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 200)]
        pub headline: String,
        #[entity(index)]
        pub author_id: i64,
        pub summary: String,
        #[entity(default = 1)]
        pub views: i64,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tags")]
    pub struct Tag {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 40, unique)]
        pub name: String,
        #[entity(max_length = 20)]
        pub color: Option<String>,
    }

    tables!(Writer, Post, Tag);
}
