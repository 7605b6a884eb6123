//! HTML escaping, for every stage that writes HTML by hand and for the
//! templates. A leaf.

/// `text` with `& < > "` escaped, for element text and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

/// tera's autoescaping, byte for byte (`& < > " '`), but writing the runs
/// between those characters whole: tera's own writes each byte by itself
/// through a `dyn Write`, which was a tenth of rendering.
pub fn write_escaped(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let entity: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_teras_byte_for_byte() {
        for text in ["", "plain", "<script>alert('x')</script>", "a & b \"c\" > d", "é'ü<&>", "&&&", "end<"]
        {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            write_escaped(text, &mut ours).unwrap();
            tera::escape_html(text, &mut teras).unwrap();
            assert_eq!(ours, teras, "{text}");
        }
    }
}
