//! The site as a release build makes it (hashed names, a `.br` and a `.gz` beside each file,
//! the hash file in the site root): each file is answered in the encoding the browser
//! accepts, with `Vary`; hashed names are cached for good, plain ones revalidated; pages
//! link the names that are on disk; and no page is ever compressed.

use std::path::{Path, PathBuf};

use sqlx::PgPool;

use super::{assert_hardened, header};
use crate::support::{TestServer, start_with};

const JS: &str = "saleonix.AAAAAAAAAAAAAAAAAAAAAA.js";
const WASM: &str = "saleonix.BBBBBBBBBBBBBBBBBBBBB-.wasm";
const CSS: &str = "saleonix.CCCCCCCCCCCCCCCCCCCCC_.css";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Each variant holds its own name, so an answer shows which file was sent (the server
/// sends the bytes as they are; it never decodes or encodes them).
fn write_with_variants(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
    std::fs::write(
        path.with_extension(ext_plus(path, "br")),
        format!("br:{body}"),
    )
    .unwrap();
    std::fs::write(
        path.with_extension(ext_plus(path, "gz")),
        format!("gz:{body}"),
    )
    .unwrap();
}

fn ext_plus(path: &Path, more: &str) -> String {
    format!("{}.{more}", path.extension().unwrap().to_str().unwrap())
}

fn release_site() -> PathBuf {
    let root = std::env::temp_dir().join(format!("saleonix-release-site-{}", uuid::Uuid::new_v4()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for name in [JS, WASM, CSS] {
        write_with_variants(&pkg.join(name), name);
    }
    write_with_variants(&root.join("favicon.svg"), "favicon.svg");
    std::fs::write(
        root.join(server::site::HASH_FILE),
        "js: AAAAAAAAAAAAAAAAAAAAAA\nwasm: BBBBBBBBBBBBBBBBBBBBB-\ncss: CCCCCCCCCCCCCCCCCCCCC_\n",
    )
    .unwrap();
    root
}

async fn get(server: &TestServer, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = server.client.get(server.url(path));
    if let Some(accepted) = accept_encoding {
        request = request.header("accept-encoding", accepted);
    }
    request.send().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn hashed_files_are_answered_precompressed_and_cached_for_good(pool: PgPool) {
    let root = release_site();
    let server = start_with(pool, |settings| settings.site_root = root.clone()).await;

    for name in [JS, WASM, CSS] {
        let path = format!("/pkg/{name}");
        for (accepted, encoding, body) in [
            (
                Some("gzip, deflate, br, zstd"),
                Some("br"),
                format!("br:{name}"),
            ),
            (Some("gzip"), Some("gzip"), format!("gz:{name}")),
            (None, None, name.to_owned()),
            (Some("identity"), None, name.to_owned()),
        ] {
            let response = get(&server, &path, accepted).await;
            assert_eq!(response.status(), 200, "{path} with {accepted:?}");
            assert_hardened(&response);
            let h = response.headers();
            assert_eq!(
                h.get("content-encoding").map(|v| v.to_str().unwrap()),
                encoding,
                "{path} with {accepted:?}"
            );
            assert_eq!(header(h, "vary"), "accept-encoding", "{path}");
            assert_eq!(header(h, "cache-control"), IMMUTABLE, "{path}");
            assert_eq!(response.text().await.unwrap(), body);
        }
    }
    let wasm = get(&server, &format!("/pkg/{WASM}"), Some("br")).await;
    assert_eq!(header(wasm.headers(), "content-type"), "application/wasm");

    // A plain name may change under the same name: compressed all the same, but revalidated.
    let favicon = get(&server, "/favicon.svg", Some("br")).await;
    assert_eq!(favicon.status(), 200);
    assert_eq!(header(favicon.headers(), "content-encoding"), "br");
    assert_eq!(header(favicon.headers(), "vary"), "accept-encoding");
    assert_eq!(header(favicon.headers(), "cache-control"), "no-cache");

    // A hashed name the site does not hold (an earlier release's) is a 404 nobody keeps.
    let gone = get(
        &server,
        "/pkg/saleonix.DDDDDDDDDDDDDDDDDDDDDD.wasm",
        Some("br"),
    )
    .await;
    assert_eq!(gone.status(), 404);
    assert_ne!(header(gone.headers(), "cache-control"), IMMUTABLE);

    // Only the application's files are served from the site root: the hash file beside
    // them is build output, and an address that is no file is the 404 page.
    let build_output = get(&server, &format!("/{}", server::site::HASH_FILE), None).await;
    assert_eq!(build_output.status(), 404);
    assert!(
        build_output
            .text()
            .await
            .unwrap()
            .contains("Page not found")
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_link_the_hashed_files_on_disk_and_are_never_compressed(pool: PgPool) {
    let root = release_site();
    let server = start_with(pool, |settings| settings.site_root = root.clone()).await;

    // The Leptos shell (hydration scripts and stylesheet), a Leptos 404, and a buyer page
    // rendered outside Leptos.
    for (path, status, linked) in [
        ("/", 200, &[JS, WASM, CSS][..]),
        ("/no/such/page", 404, &[JS, WASM, CSS][..]),
        ("/pay/not-a-token", 404, &[CSS][..]),
    ] {
        let page = get(&server, path, Some("gzip, deflate, br, zstd")).await;
        assert_eq!(page.status(), status, "{path}");
        assert!(
            page.headers().get("content-encoding").is_none(),
            "{path} was compressed"
        );
        assert_eq!(
            header(page.headers(), "cache-control"),
            "no-store",
            "{path}"
        );
        let html = page.text().await.unwrap();
        for name in linked {
            assert!(
                html.contains(&format!("/pkg/{name}")),
                "{path} does not link {name}: {html}"
            );
        }
        for linked in html.split("/pkg/").skip(1) {
            let name: String = linked
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .collect();
            assert!(
                [JS, WASM, CSS].contains(&name.as_str()),
                "{path} links /pkg/{name}, which is not on disk"
            );
        }
    }
    std::fs::remove_dir_all(root).unwrap();
}
