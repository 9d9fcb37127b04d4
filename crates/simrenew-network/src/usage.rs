//! Usage records: the data a line used, as the network reports it.
//!
//! ## The CSV format
//!
//! UTF-8, comma-separated, a header line naming the five columns (in any order), then one
//! record per line:
//!
//! | column | what | example |
//! |---|---|---|
//! | `record_id` | the network's id of the record, unique for ever: a record counts once, however often it is sent; 1 to 64 of `A-Z a-z 0-9 . _ : -` | `cdr-2027-03-01-000001` |
//! | `msisdn` | the line's number, E.164 (`+32470123456`; spaces allowed) | `+32470100000` |
//! | `start` | when the usage began, RFC 3339 with an offset | `2027-03-01T10:00:00Z` |
//! | `end` | when it ended, not before `start` | `2027-03-01T10:15:00+01:00` |
//! | `bytes` | bytes used, a whole number ≥ 0 | `1048576` |
//!
//! ```text
//! record_id,msisdn,start,end,bytes
//! cdr-000001,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1048576
//! ```
//!
//! Blank lines are skipped; spaces around a value are ignored. [`UsageReader`] streams a file
//! (nothing is held but the current record): each line gives a [`UsageRecord`] or a
//! [`UsageReject`] naming the line, the field and the reason, so that a bad line never stops
//! the good ones and is never silently dropped. On a stream (NATS) a message is one record:
//! the five values in the order above, without a header ([`parse_record`]).

use std::io::Read;

use jiff::Timestamp;
use simrenew_domain::identifiers::Msisdn;

/// The columns, in the order a stream message carries them.
pub const COLUMNS: [&str; 5] = ["record_id", "msisdn", "start", "end", "bytes"];

/// The network's id of a usage record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("is empty".to_owned());
        }
        if s.len() > 64 {
            return Err(format!("is {} characters long, at most 64", s.len()));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
        {
            return Err(format!(
                "contains {c:?}; only A-Z a-z 0-9 . _ : - are allowed"
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// One usage record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub record_id: RecordId,
    pub msisdn: Msisdn,
    pub start: Timestamp,
    pub end: Timestamp,
    pub bytes: u64,
}

/// A record that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field}: {reason}")]
pub struct UsageReject {
    /// 1-based, counting the header.
    pub line: u64,
    /// The record's id when it could be read, so that the network can be told which.
    pub record_id: Option<String>,
    /// The column at fault, or `record` for the line as a whole.
    pub field: &'static str,
    pub reason: String,
    /// The line as it came, for the rejects file or subject.
    pub raw: String,
}

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum UsageFileError {
    #[error("the header must name the columns record_id,msisdn,start,end,bytes; {0}")]
    Header(String),
    #[error("line {line}: {source}")]
    Read { line: u64, source: csv::Error },
}

/// One line of a usage file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageLine {
    Record(UsageRecord),
    Reject(UsageReject),
}

/// Streams a usage CSV file.
pub struct UsageReader<R: Read> {
    reader: csv::Reader<R>,
    /// Where each column is, in [`COLUMNS`] order.
    positions: [usize; 5],
    record: csv::StringRecord,
    numbers: NumberCache,
    /// Lines read and not yet counted in the metrics, accepted and malformed: counted a
    /// thousand at a time, and when the reader is dropped.
    uncounted: [u64; 2],
}

impl<R: Read> UsageReader<R> {
    /// Reads and checks the header.
    pub fn new(input: R) -> Result<Self, UsageFileError> {
        // Values are trimmed as they are taken, rather than each record rebuilt trimmed.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| UsageFileError::Header(e.to_string()))?
            .clone();
        let mut positions = [0; 5];
        for (i, column) in COLUMNS.iter().enumerate() {
            let found: Vec<usize> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| {
                    h.trim_start_matches('\u{feff}')
                        .trim()
                        .eq_ignore_ascii_case(column)
                })
                .map(|(p, _)| p)
                .collect();
            match found.as_slice() {
                [p] => positions[i] = *p,
                [] => return Err(UsageFileError::Header(format!("{column} is missing"))),
                _ => return Err(UsageFileError::Header(format!("{column} is there twice"))),
            }
        }
        if let Some(extra) = headers.iter().find(|h| {
            !COLUMNS.iter().any(|c| {
                h.trim_start_matches('\u{feff}')
                    .trim()
                    .eq_ignore_ascii_case(c)
            })
        }) {
            return Err(UsageFileError::Header(format!(
                "{extra:?} is not one of them"
            )));
        }
        Ok(Self {
            reader,
            positions,
            record: csv::StringRecord::new(),
            numbers: NumberCache::default(),
            uncounted: [0; 2],
        })
    }
}

impl<R: Read> UsageReader<R> {
    /// The line the last record read began on (1-based, counting the header).
    pub fn last_line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// Bytes of the input read so far, the header included.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The last record read, as it came (its values joined by commas), added to `text`.
    pub fn push_last_raw(&self, text: &mut String) {
        for (i, value) in self.record.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(value.trim());
        }
    }

    fn count(&mut self) {
        for (n, result) in self.uncounted.iter_mut().zip(["accepted", "malformed"]) {
            if *n > 0 {
                metrics::counter!("simrenew_usage_records_total", "source" => "file", "result" => result)
                    .increment(std::mem::take(n));
            }
        }
    }
}

impl<R: Read> Drop for UsageReader<R> {
    fn drop(&mut self) {
        self.count();
    }
}

fn raw_of(record: &csv::StringRecord) -> String {
    record.iter().map(str::trim).collect::<Vec<_>>().join(",")
}

impl<R: Read> Iterator for UsageReader<R> {
    type Item = Result<UsageLine, UsageFileError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                let r = &self.record;
                let [a, b, c, d, e] = self.positions;
                let parsed = match (r.get(a), r.get(b), r.get(c), r.get(d), r.get(e)) {
                    (Some(a), Some(b), Some(c), Some(d), Some(e)) if r.len() == COLUMNS.len() => {
                        let f = [a.trim(), b.trim(), c.trim(), d.trim(), e.trim()];
                        from_fields(f, line, || raw_of(r), &mut self.numbers)
                    }
                    _ => Err(UsageReject {
                        line,
                        record_id: r.get(self.positions[0]).map(|id| id.trim().to_owned()),
                        field: "record",
                        reason: format!("has {} values, 5 expected", r.len()),
                        raw: raw_of(r),
                    }),
                };
                self.uncounted[usize::from(parsed.is_err())] += 1;
                if self.uncounted.iter().sum::<u64>() >= 1_000 {
                    self.count();
                }
                Some(Ok(match parsed {
                    Ok(r) => UsageLine::Record(r),
                    Err(e) => UsageLine::Reject(e),
                }))
            }
            Err(source) => {
                let line = source.position().map_or(0, |p| p.line());
                Some(Err(UsageFileError::Read { line, source }))
            }
        }
    }
}

/// The numbers met so far, parsed: checking a number against libphonenumber's metadata costs
/// far more than the rest of a record, and a usage file or stream names the same lines again
/// and again. Only what parsed is kept, so a cached number is as checked as a fresh one.
#[derive(Debug, Default)]
pub struct NumberCache(std::collections::HashMap<String, Msisdn>);

impl NumberCache {
    /// Numbers kept at most; past that the cache starts again.
    const MAX: usize = 100_000;

    fn parse(&mut self, s: &str) -> Result<Msisdn, simrenew_domain::ParseError> {
        if let Some(m) = self.0.get(s) {
            return Ok(m.clone());
        }
        let m = Msisdn::parse(s)?;
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        self.0.insert(s.to_owned(), m.clone());
        Ok(m)
    }
}

/// Reads one record carried alone (a stream message): the five values in [`COLUMNS`] order,
/// comma-separated, without a header.
pub fn parse_record(payload: &[u8]) -> Result<UsageRecord, UsageReject> {
    parse_record_with(payload, &mut NumberCache::default())
}

/// [`parse_record`], with the numbers met before.
pub fn parse_record_with(
    payload: &[u8],
    numbers: &mut NumberCache,
) -> Result<UsageRecord, UsageReject> {
    let raw = String::from_utf8_lossy(payload).trim().to_owned();
    let reject = |field, reason: String, record_id| UsageReject {
        line: 1,
        record_id,
        field,
        reason,
        raw: raw.clone(),
    };
    if std::str::from_utf8(payload).is_err() {
        return Err(reject("record", "is not UTF-8".to_owned(), None));
    }
    // Without quotes or line breaks a CSV line is its commas: no reader needed.
    if !raw.is_empty() && !raw.contains(['"', '\n', '\r']) {
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        if let [a, b, c, d, e] = fields.as_slice() {
            return from_fields([a, b, c, d, e], 1, || raw.clone(), numbers);
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(raw.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(reject("record", "is empty".to_owned(), None)),
        Err(e) => return Err(reject("record", e.to_string(), None)),
    }
    if record.len() != COLUMNS.len() {
        return Err(reject(
            "record",
            format!(
                "has {} values, 5 expected ({})",
                record.len(),
                COLUMNS.join(",")
            ),
            record.get(0).map(str::to_owned),
        ));
    }
    let mut more = csv::StringRecord::new();
    if matches!(reader.read_record(&mut more), Ok(true)) {
        return Err(reject(
            "record",
            "holds more than one record".to_owned(),
            record.get(0).map(str::to_owned),
        ));
    }
    from_fields(
        [&record[0], &record[1], &record[2], &record[3], &record[4]],
        1,
        || raw.clone(),
        numbers,
    )
}

/// The record of the five values in [`COLUMNS`] order, or why not; `raw` gives the line as it
/// came, only for a reject.
fn from_fields(
    f: [&str; 5],
    line: u64,
    raw: impl Fn() -> String,
    numbers: &mut NumberCache,
) -> Result<UsageRecord, UsageReject> {
    let reject = |field, reason: String| UsageReject {
        line,
        record_id: Some(f[0].to_owned()).filter(|s| !s.is_empty()),
        field,
        reason,
        raw: raw(),
    };
    let record_id = RecordId::parse(f[0]).map_err(|r| reject("record_id", r))?;
    let msisdn = numbers
        .parse(f[1])
        .map_err(|e| reject("msisdn", e.reason))?;
    let time = |field, s: &str| -> Result<Timestamp, UsageReject> {
        s.parse::<Timestamp>().map_err(|_| {
            reject(
                field,
                format!("{s:?} is not an RFC 3339 time with an offset (2027-03-01T10:00:00Z)"),
            )
        })
    };
    let start = time("start", f[2])?;
    let end = time("end", f[3])?;
    if end < start {
        return Err(reject("end", format!("{end} is before the start {start}")));
    }
    if f[4].is_empty() || !f[4].bytes().all(|b| b.is_ascii_digit()) {
        return Err(reject(
            "bytes",
            format!("{:?} is not a whole number of bytes", f[4]),
        ));
    }
    let bytes = f[4]
        .parse::<u64>()
        .map_err(|_| reject("bytes", format!("{} is too large", f[4])))?;
    Ok(UsageRecord {
        record_id,
        msisdn,
        start,
        end,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<UsageLine> {
        UsageReader::new(text.as_bytes())
            .unwrap()
            .map(|l| l.unwrap())
            .collect()
    }

    #[test]
    fn good_records_are_typed() {
        let lines = read(
            "record_id,msisdn,start,end,bytes\n\
             cdr-1,+32 470 10 00 00,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1048576\n\
             \n\
             cdr-2,+32470100001,2027-03-01T11:00:00+01:00,2027-03-01T10:00:00Z,0\n",
        );
        assert_eq!(lines.len(), 2);
        let UsageLine::Record(r) = &lines[0] else {
            panic!("{:?}", lines[0])
        };
        assert_eq!(r.record_id.as_str(), "cdr-1");
        assert_eq!(r.msisdn.as_str(), "+32470100000");
        assert_eq!(r.bytes, 1_048_576);
        assert_eq!(r.end.as_second() - r.start.as_second(), 900);
        let UsageLine::Record(r) = &lines[1] else {
            panic!("{:?}", lines[1])
        };
        assert_eq!(r.start, r.end);
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let lines = read(
            "bytes,end,start,msisdn,record_id\n\
             5,2027-03-01T10:15:00Z,2027-03-01T10:00:00Z,+32470100000,x\n",
        );
        let UsageLine::Record(r) = &lines[0] else {
            panic!()
        };
        assert_eq!((r.record_id.as_str(), r.bytes), ("x", 5));
    }

    #[test]
    fn bad_lines_are_rejected_with_line_and_reason() {
        let lines = read(
            "record_id,msisdn,start,end,bytes\n\
             ,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1\n\
             r2,+32 0,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1\n\
             r3,+32470100000,yesterday,2027-03-01T10:15:00Z,1\n\
             r4,+32470100000,2027-03-01T10:00:00Z,2027-03-01T09:15:00Z,1\n\
             r5,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,-1\n\
             r6,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1.5\n\
             r7,+32470100000,2027-03-01T10:00:00Z\n\
             r 8,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1\n\
             r9,+32470100000,2027-03-01T10:00:00,2027-03-01T10:15:00Z,1\n\
             r10,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,99999999999999999999\n\
             ok,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:15:00Z,1\n",
        );
        let expected = [
            (2, "record_id"),
            (3, "msisdn"),
            (4, "start"),
            (5, "end"),
            (6, "bytes"),
            (7, "bytes"),
            (8, "record"),
            (9, "record_id"),
            (10, "start"),
            (11, "bytes"),
        ];
        assert_eq!(lines.len(), expected.len() + 1);
        for (l, (line, field)) in lines.iter().zip(expected) {
            let UsageLine::Reject(r) = l else {
                panic!("line {line} was accepted: {l:?}")
            };
            assert_eq!((r.line, r.field), (line, field), "{r}");
            assert!(!r.raw.is_empty());
        }
        assert!(matches!(lines.last(), Some(UsageLine::Record(_))));
    }

    #[test]
    fn a_bad_header_stops_the_file() {
        for header in [
            "record_id,msisdn,start,end\n",
            "record_id,msisdn,start,end,bytes,extra\n",
            "record_id,msisdn,start,end,bytes,bytes\n",
            "",
        ] {
            assert!(
                matches!(
                    UsageReader::new(header.as_bytes()),
                    Err(UsageFileError::Header(_))
                ),
                "{header:?}"
            );
        }
    }

    #[test]
    fn stream_records_are_one_line_without_header() {
        let r = parse_record(b"cdr-9,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,42\n")
            .unwrap();
        assert_eq!((r.record_id.as_str(), r.bytes), ("cdr-9", 42));
        let quoted = parse_record(
            b"\"cdr-9\",\"+32 470 10 00 00\",2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,42",
        )
        .unwrap();
        assert_eq!(quoted, r);
        for (payload, field) in [
            (&b""[..], "record"),
            (b"a,b", "record"),
            (b"\xff\xfe", "record"),
            (b"cdr-9,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,42\ncdr-10,+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,42", "record"),
            (b"cdr-9,nope,2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,42", "msisdn"),
        ] {
            assert_eq!(parse_record(payload).unwrap_err().field, field, "{payload:?}");
        }
    }
}
