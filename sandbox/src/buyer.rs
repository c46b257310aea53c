//! A scripted buyer for tests: reads the forms of the sandbox's pages (and of any page with
//! equally regular markup, such as Saleonix's checkout) and walks the hosted card page and
//! 3-D Secure step the way a browser would. Shared by the sandbox's own tests and the
//! platform's, so both drive the gateway the same way.
//!
//! Only tests call it, and a step that does not go as scripted is the test failing: it
//! stops the test with the reason, as a test's own assertions do.
#![allow(clippy::expect_used, clippy::panic)]

/// Expiry and CVV every sandbox test card accepts.
pub const EXPIRY: &str = "12/30";
pub const CVV: &str = "000";
/// The 3-D Secure password that passes; anything else fails the check.
pub const PASSWORD_3DS: &str = "a";

/// A form found in a page.
#[derive(Debug, Clone)]
pub struct HtmlForm {
    pub method: String,
    pub action: String,
    pub fields: Vec<(String, String)>,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The forms of a page, with their named inputs in order.
pub fn forms(html: &str) -> Vec<HtmlForm> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let Some(end) = rest[start..].find("</form>") else {
            break;
        };
        let block = &rest[start..start + end];
        let tag_end = block.find('>').unwrap_or(block.len());
        let tag = &block[..tag_end];
        let mut fields = Vec::new();
        let mut inputs = &block[tag_end..];
        while let Some(i) = inputs.find("<input") {
            let t_end = inputs[i..].find('>').map_or(inputs.len(), |e| i + e);
            let t = &inputs[i..t_end];
            if let Some(name) = attr(t, "name") {
                fields.push((name, attr(t, "value").unwrap_or_default()));
            }
            inputs = &inputs[t_end..];
        }
        out.push(HtmlForm {
            method: attr(tag, "method").unwrap_or_else(|| "get".into()),
            action: attr(tag, "action").unwrap_or_default(),
            fields,
        });
        rest = &rest[start + end..];
    }
    out
}

/// The buyer's browser on the gateway's pages; `base` resolves the sandbox's relative actions.
pub struct Buyer {
    pub http: reqwest::Client,
    pub base: String,
}

impl Buyer {
    pub fn new(base: impl Into<String>) -> Buyer {
        Buyer {
            http: reqwest::Client::new(),
            base: base.into(),
        }
    }

    fn absolute(&self, action: &str) -> String {
        if action.starts_with('/') {
            format!("{}{action}", self.base)
        } else {
            action.to_owned()
        }
    }

    /// Posts a form and returns the page; panics on a non-success answer (a test helper).
    pub async fn post(&self, action: &str, fields: &[(String, String)]) -> String {
        let r = self
            .http
            .post(self.absolute(action))
            .form(fields)
            .send()
            .await
            .expect("post");
        assert!(r.status().is_success(), "HTTP {}", r.status());
        r.text().await.expect("body")
    }

    pub async fn post_pairs(&self, action: &str, fields: &[(&str, &str)]) -> String {
        let owned: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.post(action, &owned).await
    }

    /// Posts the signed gate form, types the card on the card page and the password on the
    /// 3-D Secure page; returns the page after the password (the return's auto-post form).
    pub async fn card_and_3ds(&self, gate: &HtmlForm, card: &str, password: &str) -> String {
        let card_page = self.post(&gate.action, &gate.fields).await;
        let card_form = forms(&card_page).into_iter().next().expect("card form");
        let fields = [
            ("pan", card),
            ("expiry", EXPIRY),
            ("cvv", CVV),
            ("cardholder", "Arbër Çela"),
        ];
        let tds_page = self.post_pairs(&card_form.action, &fields).await;
        let tds_form = forms(&tds_page)
            .into_iter()
            .next()
            .expect("3-D Secure form");
        assert!(
            tds_form.action.ends_with("/3ds"),
            "not the 3-D Secure page: {tds_page}"
        );
        self.post_pairs(&tds_form.action, &[("password", password)])
            .await
    }
}
