//! The built site the server serves (`target/site` in a clone, `site/` in a release
//! archive): which of its files carry a content hash in their names, so that they may be
//! cached for good, and the names the pages link.
//!
//! A release build (`./dev up --release`, `deploy/release`) runs cargo-leptos with
//! `hash-files`: the JS, the WASM and the stylesheet become `saleonix.<hash>.<ext>` and the
//! hashes go to [`HASH_FILE`] in the site root, beside the files they name. Leptos reads
//! that file to link the hashed names (`LeptosOptions::hash_file`, given as an absolute
//! path so it is not looked for beside the executable). A debug build has no hash file and
//! plain names, which are revalidated on every use.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// The file cargo-leptos writes the hashes to; the build scripts put it in the site root.
pub const HASH_FILE: &str = "hash.txt";
/// cargo-leptos's `output-name` (`Cargo.toml`, `[workspace.metadata.leptos]`).
const OUTPUT_NAME: &str = "saleonix";
const PLAIN_STYLESHEET: &str = "/pkg/saleonix.css";

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("reading the site's hash file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the site's hash file {path} has no `{kind}: <hash>` line")]
    Missing { path: PathBuf, kind: &'static str },
    #[error("the site's hash file {path} has `{hash}`, which is not a cargo-leptos hash")]
    Malformed { path: PathBuf, hash: String },
}

#[derive(Debug, Clone)]
pub struct Site {
    root: PathBuf,
    hashed: Option<Hashed>,
}

/// A release build's hash file and the stylesheet's hashed URL path.
#[derive(Debug, Clone)]
struct Hashed {
    file: PathBuf,
    css: String,
}

impl Site {
    /// The site under `root`, hashed if it has a hash file. The root is resolved once here:
    /// when a release switches the `current` link, an instance still running keeps serving
    /// the files of its own release, which its pages name.
    pub fn open(root: &Path) -> Result<Self, SiteError> {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
        let file = root.join(HASH_FILE);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Self { root, hashed: None });
            }
            Err(source) => return Err(SiteError::Read { path: file, source }),
        };
        let hash = |kind: &'static str| -> Result<String, SiteError> {
            let found = text
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.trim() == kind)
                .map(|(_, hash)| hash.trim().to_owned())
                .ok_or_else(|| SiteError::Missing {
                    path: file.clone(),
                    kind,
                })?;
            if !is_hash(&found) {
                return Err(SiteError::Malformed {
                    path: file.clone(),
                    hash: found,
                });
            }
            Ok(format!("/pkg/{OUTPUT_NAME}.{found}.{kind}"))
        };
        // Leptos links the JS and the WASM by the hashes it reads here too: a file
        // without them is a broken build, refused at start rather than on a page.
        hash("js")?;
        hash("wasm")?;
        let hashed = Hashed {
            css: hash("css")?,
            file: file.clone(),
        };
        Ok(Self {
            root,
            hashed: Some(hashed),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The hash file's absolute path, for `LeptosOptions::hash_file`; `None` when the
    /// names are plain.
    pub fn hash_file(&self) -> Option<&Path> {
        self.hashed.as_ref().map(|h| h.file.as_path())
    }

    /// The stylesheet's URL path, for pages rendered outside Leptos's shell.
    pub fn stylesheet(&self) -> &str {
        self.hashed.as_ref().map_or(PLAIN_STYLESHEET, |h| &h.css)
    }

    /// Whether `path` names a file whose content can never change under that name: in a
    /// release build, every file under `/pkg/` named `<stem>.<hash>.<ext>`. That is more
    /// than the three the hash file lists: the split build's chunks, its loader and its
    /// manifest are renamed so too, and the browser fetches them on every page change.
    pub fn is_immutable(&self, path: &str) -> bool {
        self.hashed.is_some()
            && path.strip_prefix("/pkg/").is_some_and(|name| {
                let mut parts = name.rsplitn(3, '.');
                let (_extension, hash, stem) = (parts.next(), parts.next(), parts.next());
                hash.is_some_and(is_hash) && stem.is_some_and(|s| !s.is_empty() && !s.contains('/'))
            })
    }
}

/// The public application files the site serves, the same for everyone: the JS, WASM and
/// stylesheet under `/pkg/`, and the favicon. Any other address is a page.
pub fn is_site_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// cargo-leptos's hashes: an MD5 digest in unpadded URL-safe base64.
fn is_hash(text: &str) -> bool {
    text.len() == 22
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

tokio::task_local! {
    static STYLESHEET: Arc<str>;
}

/// Makes the site's stylesheet name known to the pages rendered while answering this
/// request ([`stylesheet`]): the buyer's pages are built by many small functions, down to
/// error pages, none of which otherwise needs the site.
pub async fn provide_stylesheet(
    State(stylesheet): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    STYLESHEET.scope(stylesheet, next.run(request)).await
}

/// The stylesheet's URL path for the page being rendered: the plain name outside a request
/// that [`provide_stylesheet`] wraps.
pub fn stylesheet() -> Arc<str> {
    STYLESHEET
        .try_with(Arc::clone)
        .unwrap_or_else(|_| PLAIN_STYLESHEET.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The site in a fresh directory, with a hash file of `hashes` if any.
    fn site_with(hashes: Option<&str>) -> Result<Site, SiteError> {
        let root = std::env::temp_dir().join(format!("saleonix-site-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&root).unwrap();
        if let Some(hashes) = hashes {
            std::fs::write(root.join(HASH_FILE), hashes).unwrap();
        }
        let site = Site::open(&root);
        std::fs::remove_dir_all(&root).unwrap();
        site
    }

    #[test]
    fn a_release_site_names_its_hashed_files() {
        let site = site_with(Some(
            "js: AAAAAAAAAAAAAAAAAAAAAA\nwasm: BBBBBBBBBBBBBBBBBBBBB-\ncss: CCCCCCCCCCCCCCCCCCCCC_\n",
        ))
        .unwrap();
        assert_eq!(
            site.stylesheet(),
            "/pkg/saleonix.CCCCCCCCCCCCCCCCCCCCC_.css"
        );
        assert!(site.is_immutable("/pkg/saleonix.BBBBBBBBBBBBBBBBBBBBB-.wasm"));
        assert!(site.is_immutable("/pkg/saleonix.AAAAAAAAAAAAAAAAAAAAAA.js"));
        // The split build's loader and chunks, whose hashes the hash file does not list.
        assert!(site.is_immutable("/pkg/__wasm_split.DDDDDDDDDDDDDDDDDDDDDD.js"));
        assert!(site.is_immutable("/pkg/split_1.EEEEEEEEEEEEEEEEEEEEEE.wasm"));
        assert!(!site.is_immutable("/pkg/saleonix.wasm"));
        assert!(!site.is_immutable("/pkg/saleonix.AAAAAAAAAAAAAAAAAAAAA.js"));
        assert!(!site.is_immutable("/pkg/a/b.AAAAAAAAAAAAAAAAAAAAAA.js"));
        assert!(!site.is_immutable("/other/saleonix.AAAAAAAAAAAAAAAAAAAAAA.js"));
        assert!(!site.is_immutable("/favicon.svg"));
        assert!(site.hash_file().unwrap().is_absolute());
    }

    #[test]
    fn a_debug_site_has_plain_names_and_nothing_immutable() {
        let site = site_with(None).unwrap();
        assert_eq!(site.stylesheet(), "/pkg/saleonix.css");
        assert!(!site.is_immutable("/pkg/saleonix.css"));
        assert!(site.hash_file().is_none());
    }

    #[test]
    fn only_the_application_s_files_are_site_files() {
        for path in [
            "/pkg/saleonix.js",
            "/pkg/saleonix.AAAAAAAAAAAAAAAAAAAAAA.wasm",
            "/favicon.svg",
        ] {
            assert!(is_site_file(path), "{path}");
        }
        for path in [
            "/",
            "/hash.txt",
            "/no-such-page",
            "/pay/cs_x",
            "/pkg",
            "/favicon.svg/x",
        ] {
            assert!(!is_site_file(path), "{path}");
        }
    }

    #[test]
    fn a_broken_hash_file_is_an_error_not_plain_names() {
        assert!(matches!(
            site_with(Some(
                "js: AAAAAAAAAAAAAAAAAAAAAA\nwasm: BBBBBBBBBBBBBBBBBBBBBB\n"
            )),
            Err(SiteError::Missing { kind: "css", .. })
        ));
        assert!(matches!(
            site_with(Some("js: ../../etc/passwd\nwasm: B\ncss: C\n")),
            Err(SiteError::Malformed { .. })
        ));
    }
}
