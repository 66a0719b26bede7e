//! The repository operations, written once for every backend.

use std::future::Future;

use sqlx::AssertSqlSafe;
use validator::Validate;

use super::filters::{WhereWriter, order_by};
use super::{Model, OnEveryBackend, Persist};
use crate::backend::driver::{Args, Backend};
use crate::dto::Page;
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};

fn context<E: Model>(operation: &'static str) -> Context {
    Context {
        entity: E::table().entity,
        operation,
    }
}

fn bind_error(context: Context, error: sqlx::error::BoxDynError) -> Error {
    Error::Database {
        context,
        source: sqlx::Error::Encode(error),
    }
}

/// The operations of every entity with a [`Model`]: `User::create(&db, …)`,
/// `User::get(&mut tx, id)`. The first argument says where to run: `&db`
/// or `&mut tx`.
///
/// Every operation validates its input before any SQL, runs all its
/// statements on one connection, and reports typed errors
/// ([`Error::UniqueViolation`], [`Error::NotFound`], …) naming the entity
/// and operation.
pub trait Repo: Model + OnEveryBackend {
    /// Validates `input` and inserts it; returns the stored row (generated
    /// key and defaults included).
    fn create<'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
    ) -> impl Future<Output = Result<Self>> + Send + 'a;

    /// The row with `key`, if any.
    fn get<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<Option<Self>>> + Send + 'a;

    /// Validates `patch` and writes its set fields to the row with `key`;
    /// returns the row as stored. An empty patch writes nothing. A missing
    /// row is [`Error::NotFound`].
    fn update<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
        patch: Self::Update,
    ) -> impl Future<Output = Result<Self>> + Send + 'a;

    /// Deletes the row with `key`; `false` when there was none.
    fn delete<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<bool>> + Send + 'a;

    /// One page of the rows matching `search`, with the total count.
    fn search<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<Page<Self>>> + Send + 'a;

    /// Every row matching `search`'s filters, in its sort order (its page is
    /// ignored).
    fn find<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a;

    /// How many rows match `search`'s filters.
    fn count<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<u64>> + Send + 'a;

    /// Whether any row matches `search`'s filters.
    fn exists<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<bool>> + Send + 'a;
}

/// `SELECT … WHERE <conditions>` text and its arguments.
fn select_where<E: Persist<B>, B: Backend>(
    search: &E::Search,
    base: &str,
    context: Context,
) -> Result<(String, Args<B>, usize)> {
    let mut args = Args::<B>::default();
    let mut writer = WhereWriter::<B>::new(&mut args, 0);
    E::write_search(search, &mut writer);
    let (conditions, bound) = writer.finish().map_err(|e| bind_error(context, e))?;
    Ok((format!("{base} WHERE {conditions}"), args, bound))
}

impl<E: Model + OnEveryBackend> Repo for E {
    fn create<'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("create");
            input
                .validate()
                .map_err(|errors| Error::Validation { context, errors })?;
            let table = E::table();
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let mut args = Args::<B>::default();
                let (columns, known_key) =
                    <E as Persist<B>>::bind_create(&input, &mut args).map_err(|e| bind_error(context, e))?;
                let sql = E::sql().insert(B::DIALECT, table, columns);
                if B::DIALECT.has_returning() {
                    let row = sqlx::query_with(AssertSqlSafe(sql), args).fetch_one(&mut *conn).await.map_err(classify)?;
                    <E as Persist<B>>::decode(&row).map_err(classify)
                } else {
                    let result = sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *conn).await.map_err(classify)?;
                    let key = known_key
                        .or_else(|| B::last_insert_id(&result).and_then(E::key_from_insert_id))
                        .ok_or_else(|| Error::Database {
                            context,
                            source: sqlx::Error::Protocol("the database reported no key for the new row".into()),
                        })?;
                    let mut args = Args::<B>::default();
                    <E as Persist<B>>::bind_key(&key, &mut args).map_err(|e| bind_error(context, e))?;
                    let sql = E::sql().fixed(B::DIALECT, table).select_by_key.clone();
                    let row = sqlx::query_with(AssertSqlSafe(sql), args).fetch_one(&mut *conn).await.map_err(classify)?;
                    <E as Persist<B>>::decode(&row).map_err(classify)
                }
            })
        }
    }

    fn get<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<Option<Self>>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("get");
            let table = E::table();
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let mut args = Args::<B>::default();
                <E as Persist<B>>::bind_key(&key, &mut args).map_err(|e| bind_error(context, e))?;
                let sql = E::sql().fixed(B::DIALECT, table).select_by_key.clone();
                let row = sqlx::query_with(AssertSqlSafe(sql), args).fetch_optional(&mut *conn).await.map_err(classify)?;
                row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()
            })
        }
    }

    fn update<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
        patch: Self::Update,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("update");
            patch
                .validate()
                .map_err(|errors| Error::Validation { context, errors })?;
            let table = E::table();
            let not_found = || Error::NotFound {
                context,
                key: format!("{key:?}"),
            };
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let fetch = E::sql().fixed(B::DIALECT, table).select_by_key.clone();
                let mut key_args = Args::<B>::default();
                <E as Persist<B>>::bind_key(&key, &mut key_args).map_err(|e| bind_error(context, e))?;
                if E::update_is_empty(&patch) {
                    // Nothing to write: touch nothing, report the row as it is.
                    let row = sqlx::query_with(AssertSqlSafe(fetch), key_args).fetch_optional(&mut *conn).await.map_err(classify)?;
                    return row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()?.ok_or_else(not_found);
                }
                let mut args = Args::<B>::default();
                let columns = <E as Persist<B>>::bind_update(&patch, &mut args).map_err(|e| bind_error(context, e))?;
                <E as Persist<B>>::bind_key(&key, &mut args).map_err(|e| bind_error(context, e))?;
                let sql = E::sql().update(B::DIALECT, table, columns);
                let row = if B::DIALECT.has_returning() {
                    sqlx::query_with(AssertSqlSafe(sql), args).fetch_optional(&mut *conn).await.map_err(classify)?
                } else {
                    sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *conn).await.map_err(classify)?;
                    sqlx::query_with(AssertSqlSafe(fetch), key_args).fetch_optional(&mut *conn).await.map_err(classify)?
                };
                row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()?.ok_or_else(not_found)
            })
        }
    }

    fn delete<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("delete");
            let table = E::table();
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let mut args = Args::<B>::default();
                <E as Persist<B>>::bind_key(&key, &mut args).map_err(|e| bind_error(context, e))?;
                let sql = E::sql().fixed(B::DIALECT, table).delete_by_key.clone();
                let result = sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *conn).await.map_err(classify)?;
                Ok(result.rows_affected() > 0)
            })
        }
    }

    fn search<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<Page<Self>>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("search");
            let table = E::table();
            let page = E::search_page(search);
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let fixed = E::sql().fixed(B::DIALECT, table);
                let (count_sql, count_args, _) = select_where::<E, B>(search, &fixed.count, context)?;
                let row = sqlx::query_with(AssertSqlSafe(count_sql), count_args).fetch_one(&mut *conn).await.map_err(classify)?;
                let total: i64 = B::get(&row, 0).map_err(classify)?;
                let (mut sql, mut args, bound) = select_where::<E, B>(search, &fixed.select, context)?;
                order_by(B::DIALECT, E::search_sort(search), table.primary_key, &mut sql);
                sql.push_str(" LIMIT ");
                B::DIALECT.placeholder(&mut sql, bound + 1);
                sql.push_str(" OFFSET ");
                B::DIALECT.placeholder(&mut sql, bound + 2);
                let limit = i64::from(page.page_size);
                let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
                sqlx::Arguments::add(&mut args, limit).map_err(|e| bind_error(context, e))?;
                sqlx::Arguments::add(&mut args, offset).map_err(|e| bind_error(context, e))?;
                let rows = sqlx::query_with(AssertSqlSafe(sql), args).fetch_all(&mut *conn).await.map_err(classify)?;
                let items = rows.iter().map(|row| <E as Persist<B>>::decode(row).map_err(classify)).collect::<Result<Vec<_>>>()?;
                Ok(Page::new(items, u64::try_from(total).unwrap_or(0), page.page, page.page_size))
            })
        }
    }

    fn find<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("find");
            let table = E::table();
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let fixed = E::sql().fixed(B::DIALECT, table);
                let (mut sql, args, _) = select_where::<E, B>(search, &fixed.select, context)?;
                order_by(B::DIALECT, E::search_sort(search), table.primary_key, &mut sql);
                let rows = sqlx::query_with(AssertSqlSafe(sql), args).fetch_all(&mut *conn).await.map_err(classify)?;
                rows.iter().map(|row| <E as Persist<B>>::decode(row).map_err(classify)).collect()
            })
        }
    }

    fn count<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        let exec = exec.into();
        async move {
            let context = context::<E>("count");
            let table = E::table();
            with_conn!(exec, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let fixed = E::sql().fixed(B::DIALECT, table);
                let (sql, args, _) = select_where::<E, B>(search, &fixed.count, context)?;
                let row = sqlx::query_with(AssertSqlSafe(sql), args).fetch_one(&mut *conn).await.map_err(classify)?;
                let total: i64 = B::get(&row, 0).map_err(classify)?;
                Ok(u64::try_from(total).unwrap_or(0))
            })
        }
    }

    fn exists<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        let exec = exec.into();
        async move { Ok(E::count(exec, search).await? > 0) }
    }
}
