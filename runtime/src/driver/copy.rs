//! Rows in PostgreSQL's binary `COPY` format, the fastest bulk path there.

/// Rows in PostgreSQL's binary `COPY` format, written value by value with
/// the same encoders binding uses (a bound value and a `COPY` field are
/// the same bytes behind the same length prefix).
#[derive(Debug)]
pub struct CopyRows {
    pub(super) data: Vec<u8>,
    #[cfg(feature = "postgres")]
    pub(super) scratch: ::sqlx::postgres::PgArgumentBuffer,
    row_start: usize,
    pub(super) fields: i16,
    /// Values written, for resetting the scratch buffer now and then.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) values: u32,
}

impl Default for CopyRows {
    fn default() -> Self {
        let mut data = Vec::with_capacity(1 << 16);
        data.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        data.extend_from_slice(&0i32.to_be_bytes()); // flags
        data.extend_from_slice(&0i32.to_be_bytes()); // header extension
        CopyRows {
            data,
            #[cfg(feature = "postgres")]
            scratch: Default::default(),
            row_start: 0,
            fields: 0,
            values: 0,
        }
    }
}

impl CopyRows {
    /// Starts a row.
    pub fn begin_row(&mut self) {
        self.row_start = self.data.len();
        self.fields = 0;
        self.data.extend_from_slice(&0i16.to_be_bytes());
    }

    /// Ends the row begun last: writes its field count.
    pub fn end_row(&mut self) {
        let count = self.fields.to_be_bytes();
        if let Some(slot) = self.data.get_mut(self.row_start..self.row_start + 2) {
            slot.copy_from_slice(&count);
        }
    }

    /// The whole stream, trailer included.
    pub fn finish(mut self) -> Vec<u8> {
        self.data.extend_from_slice(&(-1i16).to_be_bytes());
        self.data
    }
}
