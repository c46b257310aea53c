//! Files the page hands to the browser from text it already holds (recovery codes, an
//! audit export), as `data:` URLs on a link with a `download` name.

/// A `data:` URL carrying `text` as `mime` in UTF-8.
pub fn text_data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", encode_uri_component(text))
}

/// Percent-encoding for a `data:` URL: everything but unreserved characters.
fn encode_uri_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_urls_carry_lines_and_dashes_safely() {
        assert_eq!(super::encode_uri_component("ab-c\n2 %"), "ab-c%0A2%20%25");
        assert_eq!(
            super::text_data_url("text/csv", "a,b"),
            "data:text/csv;charset=utf-8,a%2Cb"
        );
    }
}
