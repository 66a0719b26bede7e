//! [`Page<T>`]: one page of results with the totals a client needs.

use serde::{Deserialize, Serialize};

/// One page of a result list.
///
/// ```
/// use entable::dto::Page;
///
/// let page = Page::new(vec!["a", "b"], 5, 2, 2);
/// assert_eq!(page.total_pages, 3);
/// assert!(page.has_next() && page.has_previous());
/// let lengths = page.map(str::len);
/// assert_eq!(lengths.items, [1, 1]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching the query, on all pages.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Number of pages (0 when nothing matched).
    pub total_pages: u32,
}

impl<T> Page<T> {
    /// A page; `total_pages` is computed. A `page_size` of 0 counts as 1.
    pub fn new(items: Vec<T>, total: u64, page: u32, page_size: u32) -> Self {
        let size = u64::from(page_size.max(1));
        let total_pages = u32::try_from(total.div_ceil(size)).unwrap_or(u32::MAX);
        Page {
            items,
            total,
            page,
            page_size,
            total_pages,
        }
    }

    /// The same page with each item converted, e.g. from an entity to a
    /// response type.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
            total_pages: self.total_pages,
        }
    }

    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages
    }

    /// Whether an earlier page exists.
    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    /// Whether this page holds no rows.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Which page to read: 1-based page number and page size, clamped to a
/// maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Page number, from 1.
    pub page: u32,
    /// Rows per page, from 1 to the maximum.
    pub page_size: u32,
}

impl PageRequest {
    /// Page size when none is asked for.
    pub const DEFAULT_PAGE_SIZE: u32 = 20;
    /// Largest page size unless an entity sets another.
    pub const DEFAULT_MAX_PAGE_SIZE: u32 = 100;

    /// `page` (default 1, at least 1) and `page_size` (default
    /// [`DEFAULT_PAGE_SIZE`](Self::DEFAULT_PAGE_SIZE), clamped to 1..=`max`).
    pub fn new(page: Option<u32>, page_size: Option<u32>, max: u32) -> Self {
        let max = max.max(1);
        PageRequest {
            page: page.unwrap_or(1).max(1),
            page_size: page_size
                .unwrap_or(Self::DEFAULT_PAGE_SIZE.min(max))
                .clamp(1, max),
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }
}

#[cfg(test)]
mod tests {
    use super::{Page, PageRequest};

    #[test]
    fn totals() {
        assert_eq!(Page::<u8>::new(vec![], 0, 1, 20).total_pages, 0);
        assert_eq!(Page::<u8>::new(vec![], 20, 1, 20).total_pages, 1);
        assert_eq!(Page::<u8>::new(vec![], 21, 1, 20).total_pages, 2);
        assert_eq!(Page::<u8>::new(vec![], 5, 1, 0).total_pages, 5);
        let json = serde_json::to_value(Page::new(vec![1], 1, 1, 10)).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"items": [1], "total": 1, "page": 1, "page_size": 10, "total_pages": 1})
        );
    }

    #[test]
    fn page_requests_are_clamped() {
        assert_eq!(
            PageRequest::new(None, None, 100),
            PageRequest {
                page: 1,
                page_size: 20
            }
        );
        assert_eq!(
            PageRequest::new(Some(0), Some(0), 100),
            PageRequest {
                page: 1,
                page_size: 1
            }
        );
        assert_eq!(
            PageRequest::new(Some(3), Some(1000), 50),
            PageRequest {
                page: 3,
                page_size: 50
            }
        );
        assert_eq!(PageRequest::new(Some(3), Some(10), 50).offset(), 20);
        assert_eq!(
            PageRequest::new(Some(u32::MAX), Some(u32::MAX), u32::MAX).offset(),
            (u64::from(u32::MAX) - 1) * u64::from(u32::MAX)
        );
    }
}
