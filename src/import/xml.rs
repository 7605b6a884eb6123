//! A streaming XML reader for exports: start and end tags with their
//! qualified names and attributes, and text (with CDATA and entity
//! references folded in). Memory stays flat whatever the file's size.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::ImportError;

pub(super) enum Node {
    Start { name: String, attrs: Vec<(String, String)> },
    End { name: String },
    Text(String),
}

pub(super) struct XmlStream {
    path: std::path::PathBuf,
    reader: Reader<BufReader<File>>,
    buf: Vec<u8>,
    /// An `<empty/>` element gives a Start now and its End next time.
    pending_end: Option<String>,
}

impl XmlStream {
    pub(super) fn open(path: &Path) -> Result<XmlStream, ImportError> {
        let file = File::open(path)
            .map_err(|e| ImportError::Io(anyhow::anyhow!("cannot read `{}`: {e}", path.display())))?;
        let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, file));
        reader.config_mut().trim_text(false);
        Ok(XmlStream { path: path.to_path_buf(), reader, buf: Vec::with_capacity(8192), pending_end: None })
    }

    /// The next node; a malformed export is an error naming its line and
    /// column.
    pub(super) fn next(&mut self) -> Option<Result<Node, ImportError>> {
        if let Some(name) = self.pending_end.take() {
            return Some(Ok(Node::End { name }));
        }
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let (line, col) = line_col(&self.path, self.reader.error_position());
                    let path = self.path.clone();
                    return Some(Err(ImportError::Malformed { path, line, col, message: e.to_string() }));
                }
            };
            let node = match event {
                Event::Start(e) => Node::Start { name: name(e.name().as_ref()), attrs: attrs(&e) },
                Event::Empty(e) => {
                    let n = name(e.name().as_ref());
                    self.pending_end = Some(n.clone());
                    Node::Start { name: n, attrs: attrs(&e) }
                }
                Event::End(e) => Node::End { name: name(e.name().as_ref()) },
                Event::Text(t) => Node::Text(t.xml10_content().into_owned()),
                Event::CData(c) => Node::Text(c.into_inner().into_owned()),
                Event::GeneralRef(r) => {
                    let text = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten().map(String::from).unwrap_or_default()
                    } else {
                        match r.xml10_content().as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            // Undeclared (HTML) entities: kept as written.
                            other => format!("&{other};"),
                        }
                    };
                    Node::Text(text)
                }
                Event::Eof => return None,
                _ => continue,
            };
            return Some(Ok(node));
        }
    }
}

fn name(raw: &str) -> String {
    raw.to_string()
}

fn attrs(e: &quick_xml::events::BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .map(|a| {
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.clone().into_owned());
            (name(a.key.as_ref()), value)
        })
        .collect()
}

/// The line and column of byte `offset` in the file (read again, only when
/// reporting an error).
fn line_col(path: &Path, offset: u64) -> (usize, usize) {
    let Ok(bytes) = std::fs::read(path) else { return (1, 1) };
    let end = (offset as usize).min(bytes.len());
    let before = &bytes[..end];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}
