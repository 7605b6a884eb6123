//! Front matter dates: RFC 3339 (`2011-06-10T12:00:00Z`, `...+02:00`), or
//! `YYYY-MM-DD` with an optional `HH:MM` (read as UTC).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// An instant and the UTC offset it was written with, which is how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PostDate {
    pub timestamp: Timestamp,
    pub offset: Offset,
    /// False for a bare `YYYY-MM-DD`: pages then show no time of day.
    pub has_time: bool,
}

impl PartialOrd for PostDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PostDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.timestamp.cmp(&other.timestamp)
    }
}

impl PostDate {
    pub fn parse(text: &str) -> Result<PostDate, String> {
        let text = text.trim();
        let fail = || {
            format!(
                "`{text}` is not a date: use RFC 3339 (`2011-06-10T12:00:00Z`) or `YYYY-MM-DD` with an optional `HH:MM`"
            )
        };
        if let Ok(date) = text.parse::<Date>()
            && text.len() == 10
        {
            let ts = Offset::UTC
                .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
                .map_err(|_| fail())?;
            return Ok(PostDate { timestamp: ts, offset: Offset::UTC, has_time: false });
        }
        if let Some(offset) = trailing_offset(text) {
            let ts: Timestamp = text.parse().map_err(|_| fail())?;
            return Ok(PostDate { timestamp: ts, offset, has_time: true });
        }
        let dt: DateTime = text.replacen(' ', "T", 1).parse().map_err(|_| fail())?;
        let ts = Offset::UTC.to_timestamp(dt).map_err(|_| fail())?;
        Ok(PostDate { timestamp: ts, offset: Offset::UTC, has_time: true })
    }

    /// The wall-clock date and time where it was written.
    fn zoned(&self) -> DateTime {
        self.offset.to_datetime(self.timestamp)
    }

    /// RFC 3339 with the offset it was written with.
    pub fn rfc3339(&self) -> String {
        format!("{}{}", self.zoned().strftime("%Y-%m-%dT%H:%M:%S"), offset_text(self.offset))
    }

    /// RFC 822 (as RSS wants it): `Tue, 10 Jun 2003 04:00:00 +0000`.
    pub fn rfc822(&self) -> String {
        let o = self.offset.seconds();
        let sign = if o < 0 { '-' } else { '+' };
        format!(
            "{}{sign}{:02}{:02}",
            self.zoned().strftime("%a, %d %b %Y %H:%M:%S "),
            o.abs() / 3600,
            o.abs() % 3600 / 60
        )
    }

    /// `November 22, 2009`
    pub fn long_date(&self) -> String {
        self.zoned().strftime("%B %-d, %Y").to_string()
    }

    /// `3:08 pm`
    pub fn time_of_day(&self) -> String {
        self.zoned().strftime("%-I:%M %P").to_string()
    }

    pub fn year(&self) -> i16 {
        self.zoned().year()
    }
    pub fn month(&self) -> i8 {
        self.zoned().month()
    }
    pub fn day(&self) -> i8 {
        self.zoned().day()
    }

    /// `YYYY-MM-DD`, for sitemaps.
    pub fn ymd(&self) -> String {
        self.zoned().strftime("%Y-%m-%d").to_string()
    }
}

/// `+00:00`, `-05:00`.
fn offset_text(offset: Offset) -> String {
    let s = offset.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", s.abs() / 3600, s.abs() % 3600 / 60)
}

/// The UTC offset at the end of an RFC 3339 date-time, if it has one.
fn trailing_offset(text: &str) -> Option<Offset> {
    if text.ends_with(['Z', 'z']) {
        return Some(Offset::UTC);
    }
    let at = text.len().checked_sub(6)?;
    // Not a character boundary: the last six bytes are no offset anyway.
    let (head, tail) = text.split_at_checked(at)?;
    if !head.contains('T') && !head.contains(' ') {
        return None;
    }
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = tail[1..].split_once(':')?;
    let seconds = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    Offset::from_seconds(seconds).ok()
}

/// A date as front matter writes it: a YAML string, or a TOML datetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateInput(pub String);

impl<'de> serde::Deserialize<'de> for DateInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DateInput;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date such as 2011-06-10T12:00:00Z or 2011-06-10")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateInput, E> {
                Ok(DateInput(v.to_string()))
            }
            // TOML datetimes arrive as a one-entry map holding their text.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateInput, A::Error> {
                let mut text = None;
                while let Some((_, v)) = map.next_entry::<String, String>()? {
                    text = Some(v);
                }
                text.map(DateInput).ok_or_else(|| de::Error::custom("empty date"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_across_the_offset_position_is_an_error_not_a_panic() {
        // Found by the `comment_file` fuzz target.
        assert!(PostDate::parse("2024-05-01T10-0)-\u{30d}ove?d").is_err());
        assert!(PostDate::parse("2024-05-01T10:00:00+0\u{e9}:00").is_err());
    }

    #[test]
    fn accepts_the_documented_forms() {
        let d = PostDate::parse("2011-06-10T12:00:00Z").unwrap();
        assert_eq!(d.rfc3339(), "2011-06-10T12:00:00+00:00");
        let d = PostDate::parse("2009-11-22T15:08:00-05:00").unwrap();
        assert_eq!(d.long_date(), "November 22, 2009");
        assert_eq!(d.time_of_day(), "3:08 pm");
        let d = PostDate::parse("2012-03-04").unwrap();
        assert!(!d.has_time);
        assert_eq!((d.year(), d.month(), d.day()), (2012, 3, 4));
        let d = PostDate::parse("2012-03-04 09:30").unwrap();
        assert_eq!(d.time_of_day(), "9:30 am");
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["yesterday", "2012-13-01", "2012-02-30", "12/03/2012", ""] {
            assert!(PostDate::parse(bad).is_err(), "{bad}");
        }
    }
}
