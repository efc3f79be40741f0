//! Rows of one source for one block of customers, held until the block is
//! done and then written in time order.
//!
//! All fields of all rows live in one `String` with an end offset per
//! field, so a block costs a handful of allocations, not one per field.

use std::fmt::Write;
use std::io;

use crate::source::Source;
use crate::{EntityId, Sink};

/// More columns than any source has.
const MAX_WIDTH: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Row {
    /// Sort key: event time (or CRM id).
    key: i64,
    entity: EntityId,
    /// Index in `ends` of the row's first field.
    first: usize,
}

#[derive(Debug)]
pub(crate) struct Table {
    source: Source,
    width: usize,
    text: String,
    ends: Vec<usize>,
    rows: Vec<Row>,
    /// Record ids handed out so far (for sources whose ids are generated).
    next_id: u64,
}

impl Table {
    pub(crate) fn new(source: Source) -> Self {
        Table {
            source,
            width: source.header().len(),
            text: String::new(),
            ends: Vec::new(),
            rows: Vec::new(),
            next_id: 0,
        }
    }

    /// Starts a row. The caller then writes exactly `width` fields with
    /// [`Table::buf`] + [`Table::end`] or [`Table::push`].
    pub(crate) fn begin(&mut self, key: i64, entity: EntityId) {
        debug_assert_eq!(
            self.ends.len(),
            self.rows.len() * self.width,
            "{}: previous row has the wrong width",
            self.source
        );
        self.rows.push(Row {
            key,
            entity,
            first: self.ends.len(),
        });
    }

    /// The buffer the current field is written into.
    pub(crate) fn buf(&mut self) -> &mut String {
        &mut self.text
    }

    /// Ends the current field.
    pub(crate) fn end(&mut self) {
        self.ends.push(self.text.len());
    }

    /// Writes a whole field.
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.end();
    }

    /// Writes an empty field.
    pub(crate) fn empty(&mut self) {
        self.end();
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Sends the rows to `sink` in key order (ties in insertion order) and
    /// empties the table. Generated ids follow the written order.
    pub(crate) fn flush(&mut self, sink: &mut impl Sink) -> io::Result<()> {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by_key(|&i| (self.rows[i].key, i));
        let mut id = String::new();
        let prefix = self.source.id_prefix();
        for i in order {
            let row = self.rows[i];
            if !prefix.is_empty() {
                self.next_id += 1;
                id.clear();
                let _ = write!(id, "{prefix}{:09}", self.next_id);
            }
            // A stack array, so that no row allocates.
            let mut fields: [&str; MAX_WIDTH] = [""; MAX_WIDTH];
            let mut start = if row.first == 0 {
                0
            } else {
                self.ends[row.first - 1]
            };
            for (f, slot) in fields.iter_mut().enumerate().take(self.width) {
                let end = self.ends[row.first + f];
                *slot = &self.text[start..end];
                start = end;
            }
            if !prefix.is_empty() {
                fields[0] = &id;
            }
            sink.row(self.source, &fields[..self.width], row.entity)?;
        }
        self.text.clear();
        self.ends.clear();
        self.rows.clear();
        Ok(())
    }
}
