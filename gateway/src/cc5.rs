//! The CC5 XML documents of the server API: a root element (`CC5Request` or
//! `CC5Response`) holding text elements and one `Extra` element of text
//! elements. Responses may be declared `ISO-8859-9` or `UTF-8`; both are decoded.
//! Shared by the client and the sandbox so both read the same shape.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1254};
use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;

/// Larger documents are refused before parsing.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Element nesting deeper than this is refused.
const MAX_DEPTH: usize = 16;

/// Why a CC5 document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("document larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("unsupported declared encoding")]
    UnsupportedEncoding,
    #[error("bytes are not valid in the declared encoding")]
    InvalidEncoding,
    #[error("not well-formed XML: {0}")]
    Syntax(String),
    #[error("no root element")]
    NoRoot,
}

/// The character encoding a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlEncoding {
    Utf8,
    /// Turkish Latin, which Payten often declares. Decoded as windows-1254, its
    /// superset (the WHATWG mapping of the label).
    Iso8859_9,
}

/// A flat CC5 document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cc5Document {
    pub root: String,
    /// Text children of the root, in document order (`Extra` excluded).
    pub elements: Vec<(String, String)>,
    /// Text children of `Extra`, in document order.
    pub extra: Vec<(String, String)>,
}

impl Cc5Document {
    pub fn new(root: &str) -> Cc5Document {
        Cc5Document {
            root: root.to_owned(),
            ..Cc5Document::default()
        }
    }

    pub fn element(mut self, name: &str, value: &str) -> Cc5Document {
        self.elements.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn extra_element(mut self, name: &str, value: &str) -> Cc5Document {
        self.extra.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first root child with this name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first `Extra` child with this name.
    pub fn get_extra(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Writes the document with an XML declaration for `encoding`. Element names
    /// are the caller's constants; values are escaped. Characters the encoding
    /// lacks become numeric character references, which XML reads back exactly.
    pub fn to_bytes(&self, encoding: XmlEncoding) -> Vec<u8> {
        let label = match encoding {
            XmlEncoding::Utf8 => "UTF-8",
            XmlEncoding::Iso8859_9 => "ISO-8859-9",
        };
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<{}>",
            self.root
        );
        for (name, value) in &self.elements {
            xml.push_str(&format!("<{name}>{}</{name}>", escape(value.as_str())));
        }
        if !self.extra.is_empty() {
            xml.push_str("<Extra>");
            for (name, value) in &self.extra {
                xml.push_str(&format!("<{name}>{}</{name}>", escape(value.as_str())));
            }
            xml.push_str("</Extra>");
        }
        xml.push_str(&format!("</{}>", self.root));
        match encoding {
            XmlEncoding::Utf8 => xml.into_bytes(),
            XmlEncoding::Iso8859_9 => WINDOWS_1254.encode(&xml).0.into_owned(),
        }
    }

    /// Reads a document, decoding it per its XML declaration (UTF-8 if none).
    pub fn parse(bytes: &[u8]) -> Result<Cc5Document, XmlError> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(XmlError::TooLarge);
        }
        let text = decode(bytes)?;
        parse_text(&text)
    }
}

/// Decodes per the declaration. Only ASCII-compatible encodings are accepted,
/// since the declaration itself was read as ASCII.
fn decode(bytes: &[u8]) -> Result<String, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = match declared_encoding(bytes) {
        None => UTF_8,
        Some(label) => {
            Encoding::for_label(label.as_bytes()).ok_or(XmlError::UnsupportedEncoding)?
        }
    };
    if !encoding.is_ascii_compatible() {
        return Err(XmlError::UnsupportedEncoding);
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
        .ok_or(XmlError::InvalidEncoding)
}

/// The `encoding` pseudo-attribute of a leading `<?xml ...?>` declaration.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let trimmed = bytes.trim_ascii_start();
    let decl = trimmed.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&decl[..end]);
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &after[1..];
    Some(rest[..rest.find(quote)?].to_owned())
}

struct Open {
    name: String,
    text: String,
    has_children: bool,
}

fn parse_text(text: &str) -> Result<Cc5Document, XmlError> {
    // Text is not trimmed per event: entity references split a text node into
    // several events, and trimming each would eat the spaces around them.
    let mut reader = Reader::from_str(text);
    let mut doc: Option<Cc5Document> = None;
    let mut stack: Vec<Open> = Vec::new();
    let syntax = |e: &dyn std::fmt::Display| XmlError::Syntax(e.to_string());

    loop {
        let event = reader.read_event().map_err(|e| syntax(&e))?;
        match event {
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                if stack.is_empty() {
                    if doc.is_some() {
                        return Err(XmlError::Syntax("more than one root element".into()));
                    }
                    doc = Some(Cc5Document::new(&name));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.has_children = true;
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::Syntax("nested too deeply".into()));
                }
                stack.push(Open {
                    name,
                    text: String::new(),
                    has_children: false,
                });
            }
            Event::Empty(empty) => {
                let name = empty.name().as_ref().to_owned();
                match (stack.len(), doc.as_mut()) {
                    (0, None) => doc = Some(Cc5Document::new(&name)),
                    (0, Some(_)) => {
                        return Err(XmlError::Syntax("more than one root element".into()));
                    }
                    (_, Some(d)) => record(d, &stack, name, String::new()),
                    (_, None) => return Err(XmlError::NoRoot),
                }
                if let Some(parent) = stack.last_mut() {
                    parent.has_children = true;
                }
            }
            Event::Text(t) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| syntax(&e))? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&r.xml10_content())
                        .ok_or_else(|| XmlError::Syntax("unknown entity".into()))?
                        .to_owned(),
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&resolved);
                }
            }
            Event::End(_) => {
                let open = stack
                    .pop()
                    .ok_or_else(|| XmlError::Syntax("unbalanced end tag".into()))?;
                if !open.has_children
                    && let Some(d) = doc.as_mut()
                {
                    record(d, &stack, open.name, open.text);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax("unclosed element".into()));
    }
    doc.ok_or(XmlError::NoRoot)
}

/// Files a leaf element by where it sits: a root child, or an `Extra` child.
/// Leaves deeper or elsewhere are not part of the CC5 shape and are ignored.
fn record(doc: &mut Cc5Document, stack: &[Open], name: String, text: String) {
    match stack {
        [_root] if name != "Extra" => doc.elements.push((name, text.trim().to_owned())),
        [_root, parent] if parent.name == "Extra" => doc.extra.push((name, text.trim().to_owned())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_both_encodings() {
        let doc = Cc5Document::new("CC5Response")
            .element("OrderId", "A&B<1>")
            .element("ErrMsg", "İşlem bulunamadı — Kombëtare Çela")
            .extra_element("TRXCOUNT", "0");
        for enc in [XmlEncoding::Utf8, XmlEncoding::Iso8859_9] {
            assert_eq!(Cc5Document::parse(&doc.to_bytes(enc)), Ok(doc.clone()));
        }
    }

    #[test]
    fn decodes_iso_8859_9_bytes() {
        // "Ödeme başarılı" in ISO-8859-9: Ö=0xD6, ş=0xFE, ı=0xFD.
        let mut bytes =
            b"<?xml version='1.0' encoding='ISO-8859-9'?><CC5Response><ErrMsg>".to_vec();
        bytes.extend_from_slice(b"\xD6deme ba\xFEar\xFDl\xFD");
        bytes.extend_from_slice(b"</ErrMsg><Extra><X/></Extra></CC5Response>");
        let doc = Cc5Document::parse(&bytes).expect("parses");
        assert_eq!(doc.get("ErrMsg"), Some("Ödeme başarılı"));
        assert_eq!(doc.get_extra("X"), Some(""));
    }

    #[test]
    fn refuses_garbage() {
        assert_eq!(Cc5Document::parse(b""), Err(XmlError::NoRoot));
        assert!(Cc5Document::parse(b"<a><b></a>").is_err());
        assert!(Cc5Document::parse(b"<a/><b/>").is_err());
        assert_eq!(
            Cc5Document::parse(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"),
            Err(XmlError::UnsupportedEncoding)
        );
        assert_eq!(
            Cc5Document::parse(b"<a>\xFF</a>"),
            Err(XmlError::InvalidEncoding)
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Cc5Document::parse(&bytes);
        }

        #[test]
        fn xml_like_text_never_panics(
            body in "(<[A-Za-z]{1,3}>|</[A-Za-z]{1,3}>|<[A-Za-z]{1,3}/>|&[a-z#0-9x]{0,6};|[ -~]{0,6}|<!\\[CDATA\\[|\\]\\]>|<\\?xml encoding=\"[A-Za-z0-9-]{0,12}\"\\?>){0,24}",
        ) {
            let _ = Cc5Document::parse(body.as_bytes());
        }

        #[test]
        fn values_round_trip(value in "\\PC{0,40}", enc in prop_oneof![Just(XmlEncoding::Utf8), Just(XmlEncoding::Iso8859_9)]) {
            // Trimming is part of reading, so compare trimmed values.
            let doc = Cc5Document::new("CC5Response").element("ErrMsg", &value);
            let parsed = Cc5Document::parse(&doc.to_bytes(enc));
            prop_assert_eq!(parsed.map(|d| d.get("ErrMsg").map(str::to_owned)), Ok(Some(value.trim().to_owned())));
        }
    }
}
