//! The public Security page says only what is proven: every sentence it renders is in the
//! README's "What the Security page claims" table, each claim with a test that exists.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

/// A sentence of the page and the list it stands in, if any ("claims", "roadmap").
#[derive(Debug)]
struct Sentence {
    text: String,
    list: Option<&'static str>,
}

fn decoded(text: &str) -> String {
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of each paragraph and list item of the page's section, tags stripped; text
/// anywhere else but a heading is returned as stray, since it would escape the table.
fn sentences(html: &str) -> (Vec<Sentence>, Vec<String>) {
    let start = html
        .find(r#"<section class="page security""#)
        .expect("the security section");
    let section = &html[start..];
    let section = &section[..section.find("</section>").expect("the section's end")];
    let (mut found, mut stray) = (Vec::new(), Vec::new());
    let (mut list, mut current, mut heading) = (None, None::<String>, false);
    let mut rest = section;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            break;
        };
        let text = &rest[..open];
        match current.as_mut() {
            Some(buffer) => buffer.push_str(text),
            None if !heading && !text.trim().is_empty() => stray.push(decoded(text)),
            None => {}
        }
        let close = open + rest[open..].find('>').expect("a tag ends");
        let tag = &rest[open + 1..close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let ending = tag.starts_with('/');
        match (name.as_str(), ending) {
            ("ul", false) => {
                list = ["claims", "roadmap"]
                    .into_iter()
                    .find(|class| tag.contains(class));
            }
            ("ul", true) => list = None,
            ("li" | "p", false) => current = Some(String::new()),
            ("li" | "p", true) => {
                let text = decoded(&current.take().unwrap_or_default());
                found.push(Sentence { text, list });
            }
            ("h1" | "h2", opening) => heading = !opening,
            _ => {}
        }
        rest = &rest[close + 1..];
    }
    (found, stray)
}

/// The README's table: sentence to what proves it.
fn claims_table(readme: &str) -> BTreeMap<String, String> {
    let start = readme
        .find("<!-- security-page:start -->")
        .expect("the table's start marker");
    let end = readme
        .find("<!-- security-page:end -->")
        .expect("the table's end marker");
    readme[start..end]
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| sentence on"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
            assert_eq!(cells.len(), 2, "a row of two cells: {line}");
            (cells[0].trim().to_owned(), cells[1].trim().to_owned())
        })
        .collect()
}

/// `path` and `function` of a proof written as "`path` `function`".
fn test_named(proof: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = proof.split('`').filter(|p| !p.trim().is_empty()).collect();
    match parts.as_slice() {
        [path, function] => Some(((*path).to_owned(), (*function).to_owned())),
        _ => None,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_sentence_of_the_security_page_is_mapped_to_its_proof(pool: PgPool) {
    let server = start(pool).await;
    let response = server
        .client
        .get(server.url("/security"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (page, stray) = sentences(&response.text().await.unwrap());
    assert!(stray.is_empty(), "text outside a sentence: {stray:?}");
    assert!(page.len() > 20, "the page was read: {page:#?}");

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = claims_table(&readme);
    let mut problems = Vec::new();
    for sentence in &page {
        let Some(proof) = table.get(&sentence.text) else {
            problems.push(format!("not in the README table: {}", sentence.text));
            continue;
        };
        let is_test = test_named(proof).is_some();
        match sentence.list {
            Some("claims") if !is_test => {
                problems.push(format!("a claim without a test: {}", sentence.text))
            }
            Some("roadmap") if !proof.starts_with("roadmap: issue ") => problems.push(format!(
                "a roadmap item without its issue: {}",
                sentence.text
            )),
            None if proof != "statement" => {
                problems.push(format!("framing marked as proven: {}", sentence.text))
            }
            _ => {}
        }
    }
    for (text, proof) in &table {
        if !page.iter().any(|s| &s.text == text) {
            problems.push(format!("a README row the page no longer has: {text}"));
        }
        if let Some((path, function)) = test_named(proof) {
            let source = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
            let declared = [format!("fn {function}("), format!("fn {function}<")];
            if !declared.iter().any(|d| source.contains(d.as_str())) {
                problems.push(format!("no test {function} in {path}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_page_reader_finds_every_sentence_and_stray_text() {
    let html = r#"<section class="page security"><h1>Title</h1><p>One &amp; two.</p>
        <ul class="checklist claims"><li>A <a href="/x">link</a>.</li></ul>stray
        <ul class="roadmap"><li>Later.</li></ul></section><p>Outside.</p>"#;
    let (found, stray) = sentences(html);
    let found: Vec<(&str, Option<&str>)> =
        found.iter().map(|s| (s.text.as_str(), s.list)).collect();
    assert_eq!(
        found,
        [
            ("One & two.", None),
            ("A link.", Some("claims")),
            ("Later.", Some("roadmap"))
        ]
    );
    assert_eq!(stray, ["stray"]);
}

#[test]
fn a_test_named_in_the_table_must_exist() {
    assert_eq!(
        test_named("`server/tests/tls.rs` `https_carries_hsts`"),
        Some(("server/tests/tls.rs".into(), "https_carries_hsts".into()))
    );
    assert_eq!(test_named("roadmap: issue 21"), None);
    assert_eq!(test_named("statement"), None);
}
