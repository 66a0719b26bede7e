//! SeaORM 2.0 as its documentation teaches it: `DeriveEntityModel`
//! entities with their relations, `find`/`find_by_id`, `find_also_related`
//! for the join, `LoaderTrait::load_many` for eager loading, `insert_many`,
//! `ActiveModel::update` and a `Paginator`. The connection is SeaORM's pool
//! with the ping before each checkout turned off, as entable's is.

use std::time::Duration;

use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, LoaderTrait,
    PaginatorTrait, QueryOrder, Statement, TransactionTrait,
};

use crate::Result;
use crate::contender::Contender;
use crate::durability::{self, Answer, Durability, Kind};
use crate::model::{self, NewUser, SearchParams};
use crate::target::{Backend, Target};

pub mod users {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::posts::Entity")]
        Posts,
    }

    impl Related<super::posts::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Posts.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod posts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "posts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub user_id: i32,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::users::Entity",
            from = "Column::UserId",
            to = "super::users::Column::Id"
        )]
        User,
        #[sea_orm(has_many = "super::comments::Entity")]
        Comments,
    }

    impl Related<super::users::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl Related<super::comments::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Comments.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comments {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub post_id: i32,
        pub text: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::posts::Entity",
            from = "Column::PostId",
            to = "super::posts::Column::Id"
        )]
        Post,
    }

    impl Related<super::posts::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Users with their posts with their comments.
pub type Tree = model::Tree<users::Model, posts::Model, comments::Model>;

/// The SeaORM contender.
pub struct SeaOrm {
    db: DatabaseConnection,
    backend: Backend,
    bind_limit: usize,
}

impl Contender for SeaOrm {
    const NAME: &'static str = "sea-orm";
    type User = users::Model;
    type Joined = Vec<(users::Model, Option<posts::Model>)>;
    type Loaded = Tree;
    type Page = (Vec<users::Model>, u64);

    async fn connect(target: &Target) -> Result<Option<Self>> {
        let mut options = ConnectOptions::new(target.url.clone());
        options
            .max_connections(10)
            .min_connections(0)
            .test_before_acquire(false)
            .idle_timeout(Duration::from_secs(600))
            .max_lifetime(Duration::from_secs(1800))
            // The benchmark's journal mode and `synchronous` on SQLite
            // (`crate::durability`); used only when the URL is SQLite's.
            .map_sqlx_sqlite_opts(durability::with_sqlite_durability);
        Ok(Some(SeaOrm {
            db: Database::connect(options).await?,
            backend: target.backend,
            bind_limit: target.backend.bind_limit(),
        }))
    }

    async fn close(self) {
        let _ = self.db.close().await;
    }

    async fn durability(&self) -> Result<Durability> {
        let backend = self.db.get_database_backend();
        let mut out = Vec::new();
        for probe in durability::probes(self.backend) {
            let row = self
                .db
                .query_one_raw(Statement::from_string(backend, probe.sql))
                .await?
                .ok_or_else(|| format!("SeaORM: `{}` returned no row", probe.sql))?;
            let answer = match probe.kind {
                Kind::Text => Answer::Text(row.try_get_by_index(0)?),
                Kind::Int => Answer::Int(row.try_get_by_index(0)?),
            };
            out.push(durability::entry(probe, answer));
        }
        Ok(out)
    }

    async fn all_users(&self) -> Result<Vec<users::Model>> {
        Ok(users::Entity::find()
            .order_by_asc(users::Column::Id)
            .all(&self.db)
            .await?)
    }

    async fn user_by_id(&self, id: i32) -> Result<Option<users::Model>> {
        Ok(users::Entity::find_by_id(id).one(&self.db).await?)
    }

    async fn users_with_posts(
        &self,
        hair_color: &str,
    ) -> Result<Vec<(users::Model, Option<posts::Model>)>> {
        Ok(users::Entity::find()
            .find_also_related(posts::Entity)
            .filter(users::Column::HairColor.eq(hair_color))
            .order_by_asc(users::Column::Id)
            .order_by_asc(posts::Column::Id)
            .all(&self.db)
            .await?)
    }

    async fn users_posts_comments(&self) -> Result<Tree> {
        let users = users::Entity::find()
            .order_by_asc(users::Column::Id)
            .all(&self.db)
            .await?;
        let posts = users
            .load_many(
                posts::Entity::find().order_by_asc(posts::Column::Id),
                &self.db,
            )
            .await?;
        // `load_many` answers per parent; the next level needs the posts
        // as one list, so flatten them and remember each user's share.
        let counts: Vec<usize> = posts.iter().map(Vec::len).collect();
        let posts: Vec<posts::Model> = posts.into_iter().flatten().collect();
        let comments = posts
            .load_many(
                comments::Entity::find().order_by_asc(comments::Column::Id),
                &self.db,
            )
            .await?;
        let mut posts = posts.into_iter().zip(comments);
        Ok(users
            .into_iter()
            .zip(counts)
            .map(|(user, n)| (user, posts.by_ref().take(n).collect()))
            .collect())
    }

    async fn insert_users(&self, users: &[NewUser]) -> Result<()> {
        if let [user] = users {
            users::Entity::insert(active(user)).exec(&self.db).await?;
        } else {
            users::Entity::insert_many(users.iter().map(active))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    async fn bulk_insert_users(&self, users: &[NewUser]) -> Result<()> {
        let txn = self.db.begin().await?;
        for chunk in users.chunks(self.bind_limit / 2) {
            users::Entity::insert_many(chunk.iter().map(active))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    async fn update_user(&self, id: i32, name: &str) -> Result<users::Model> {
        let user = users::ActiveModel {
            id: ActiveValue::Unchanged(id),
            name: ActiveValue::Set(name.to_owned()),
            ..Default::default()
        };
        Ok(user.update(&self.db).await?)
    }

    async fn search_users(&self, params: &SearchParams) -> Result<(Vec<users::Model>, u64)> {
        let paginator = users::Entity::find()
            .filter(users::Column::HairColor.eq(params.hair_color.as_str()))
            .filter(users::Column::Name.starts_with(params.name_prefix.as_str()))
            .order_by_desc(users::Column::Name)
            .order_by_asc(users::Column::Id)
            .paginate(&self.db, u64::from(params.page_size));
        let total = paginator.num_items().await?;
        let items = paginator
            .fetch_page(u64::from(params.page.saturating_sub(1)))
            .await?;
        Ok((items, total))
    }
}

fn active(user: &NewUser) -> users::ActiveModel {
    users::ActiveModel {
        name: ActiveValue::Set(user.name.clone()),
        hair_color: ActiveValue::Set(user.hair_color.clone()),
        ..Default::default()
    }
}

impl From<users::Model> for model::User {
    fn from(user: users::Model) -> Self {
        model::User {
            id: user.id,
            name: user.name,
            hair_color: user.hair_color,
        }
    }
}

impl From<posts::Model> for model::Post {
    fn from(post: posts::Model) -> Self {
        model::Post {
            id: post.id,
            user_id: post.user_id,
            title: post.title,
            body: post.body,
        }
    }
}

impl From<comments::Model> for model::Comment {
    fn from(comment: comments::Model) -> Self {
        model::Comment {
            id: comment.id,
            post_id: comment.post_id,
            text: comment.text,
        }
    }
}

impl From<Vec<(users::Model, Option<posts::Model>)>> for model::Joined {
    fn from(rows: Vec<(users::Model, Option<posts::Model>)>) -> Self {
        model::Joined(
            rows.into_iter()
                .map(|(user, post)| (user.into(), post.map(Into::into)))
                .collect(),
        )
    }
}

impl From<Tree> for model::Loaded {
    fn from(tree: Tree) -> Self {
        model::Loaded(
            tree.into_iter()
                .map(|(user, posts)| {
                    let posts = posts
                        .into_iter()
                        .map(|(post, comments)| {
                            (post.into(), comments.into_iter().map(Into::into).collect())
                        })
                        .collect();
                    (user.into(), posts)
                })
                .collect(),
        )
    }
}

impl From<(Vec<users::Model>, u64)> for model::Page {
    fn from((items, total): (Vec<users::Model>, u64)) -> Self {
        model::Page {
            items: items.into_iter().map(Into::into).collect(),
            total,
        }
    }
}
