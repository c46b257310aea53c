//! The buyer's pages in Albanian, Serbian (Latin) and English: how the language is
//! chosen, and every page rendered in the two languages other than English with no
//! English word left (`i18n::untranslated`).

use i18n::choice;
use i18n::untranslated::english_in;

use super::*;

/// What a reader sees of `html`: its text without tags and scripts.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some((before, after)) = rest.split_once("<script") {
        text.push_str(before);
        rest = after.split_once("</script>").map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

/// A buyer's browser that asks for `accept_language`, keeping cookies.
fn browser(accept_language: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_str(accept_language).unwrap(),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap()
}

/// The page at `url` as `client` reads it.
async fn read(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// A form posted with its one field `email` (Pay, or the portal's request): the page
/// answered.
async fn submit_email(client: &reqwest::Client, url: String, email: &str) -> String {
    client
        .post(url)
        .form(&[("email", email)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn lang_of(html: &str) -> &str {
    html.split_once("<html lang=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("", |(lang, _)| lang)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_language_is_the_choice_then_the_browser_s_then_albanian(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "1234.50").await;
    let path = shop.server.url(&format!("/pay/{token}"));
    let page = |client: reqwest::Client| {
        let path = path.clone();
        async move { client.get(path).send().await.unwrap() }
    };

    let plain = reqwest::Client::new().get(&path).send().await.unwrap();
    assert_eq!(plain.headers()["content-language"], "sq");
    let html = plain.text().await.unwrap();
    assert_eq!(lang_of(&html), "sq", "no preference: Albanian");
    assert!(html.contains("Paguaj 1.234,50\u{a0}€"), "{html}");
    let english = page(browser("en-GB,en;q=0.9")).await.text().await.unwrap();
    assert_eq!(lang_of(&english), "en");
    assert!(english.contains("Pay €1,234.50"), "{english}");
    let serbian = page(browser("sr-Cyrl-RS, de;q=0.5"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        lang_of(&serbian),
        "sr-Latn",
        "any Serbian gets the Latin script"
    );
    assert!(serbian.contains("Platite 1.234,50\u{a0}€"), "{serbian}");
    assert_eq!(
        lang_of(&page(browser("de, fr")).await.text().await.unwrap()),
        "sq"
    );

    // The switcher's choice is kept in a cookie and wins over the browser's languages,
    // for every buyer page; an unknown choice changes nothing.
    let client = browser("en");
    let switched = client
        .get(format!("{path}?lang=sr-Latn"))
        .send()
        .await
        .unwrap();
    let cookie = switched.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("i18n_pref_locale=sr-Latn;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(lang_of(&switched.text().await.unwrap()), "sr-Latn");
    let portal = client.get(shop.server.url("/portal")).send().await.unwrap();
    assert_eq!(lang_of(&portal.text().await.unwrap()), "sr-Latn");
    let unknown = client.get(format!("{path}?lang=xx")).send().await.unwrap();
    assert!(!unknown.headers().contains_key("set-cookie"));
    assert_eq!(lang_of(&unknown.text().await.unwrap()), "sr-Latn");

    // The switcher links the page itself in each language, named in that language, and
    // marks the current one.
    let html = page(browser("sq")).await.text().await.unwrap();
    for (lang, name) in [("sq", "Shqip"), ("sr-Latn", "Srpski"), ("en", "English")] {
        let link = format!("href=\"/pay/{token}?lang={lang}\" lang=\"{lang}\" hreflang=\"{lang}\"");
        assert!(
            html.contains(&link) && html.contains(name),
            "{link}: {html}"
        );
    }
    assert!(html.contains("aria-current=\"true\">Shqip"), "{html}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_gateway_page_opens_in_albanian_where_it_can(pool: PgPool) {
    let shop = shop(pool).await;
    for (accept, lang) in [("sq", "sq"), ("sr-Latn", "en"), ("en", "en")] {
        let token = shop.checkout(Mode::Test, "10.00").await;
        let url = shop.server.url(&format!("/pay/{token}"));
        let page = submit_email(&browser(accept), url, "buyer@example.com").await;
        let gate = payten_sandbox::buyer::forms(&page)
            .into_iter()
            .next()
            .unwrap();
        assert_eq!(field(&gate, "lang"), lang, "{accept}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_buyer_page_reads_without_english_in_albanian_and_serbian(pool: PgPool) {
    let shop = shop(pool).await;
    let mor = shop
        .server
        .platform
        .config
        .settings
        .merchant_of_record
        .clone();
    // What the test put on the pages, the platform's own details, and the switcher's
    // languages, each named in itself ("English" on every page): data, not words.
    let mut data = vec![
        "Dardania Crafts".to_owned(),
        "Silver filigree earrings".to_owned(),
        "buyer@example.com".to_owned(),
        mor.name,
        mor.address,
        mor.business_number,
        mor.support_email,
    ];
    data.extend(choice::ALL.map(|locale| choice::endonym(locale).to_owned()));
    // The check can fail: the same page in English is full of these words.
    let token = shop.checkout(Mode::Test, "45.00").await;
    let url = shop.server.url(&format!("/pay/{token}"));
    let page = read(&browser("en"), url).await;
    let found = english_in(&visible_text(&page)).len();
    assert!(found > 20, "{found} English words on the English page");

    for (accept, lang) in [("sq", "sq"), ("sr-Latn", "sr-Latn")] {
        let client = browser(accept);
        let get = |path: String| read(&client, shop.server.url(&path));
        let post = |path: String, email| submit_email(&client, shop.server.url(&path), email);
        let mut pages = Vec::new();
        let token = shop.checkout(Mode::Test, "45.00").await;
        pages.push(("checkout", get(format!("/pay/{token}")).await));
        pages.push((
            "refused email",
            post(format!("/pay/{token}"), "not-an-address").await,
        ));
        let to_gateway = post(format!("/pay/{token}"), "buyer@example.com").await;
        let gate = payten_sandbox::buyer::forms(&to_gateway)
            .into_iter()
            .next()
            .unwrap();
        pages.push(("to the gateway", to_gateway));
        let order_id = field(&gate, "oid").to_owned();
        shop.deliver(&shop.pay_at_gateway(&gate, APPROVE).await[0])
            .await;
        pages.push(("paid", get(format!("/pay/result/{order_id}")).await));
        pages.push(("receipt", get(format!("/pay/receipt/{order_id}")).await));
        let declined = shop.checkout(Mode::Test, "12.50").await;
        let (order_id, returns) = shop.pay(&declined, "4000000000000051").await;
        shop.deliver(&returns[0]).await;
        pages.push(("declined", get(format!("/pay/result/{order_id}")).await));
        pages.push(("already paid", get(format!("/pay/{token}")).await));
        let expired = shop.checkout(Mode::Test, "5.00").await;
        shop.expire(&expired).await;
        pages.push(("expired", get(format!("/pay/{expired}")).await));
        pages.push((
            "not found",
            get("/pay/cs_0000000000000000000000".into()).await,
        ));
        pages.push(("portal", get("/portal".into()).await));
        pages.push((
            "portal link sent",
            post("/portal".into(), "buyer@example.com").await,
        ));
        pages.push(("accessibility", get("/accessibility".into()).await));

        for (name, html) in &pages {
            assert_eq!(lang_of(html), lang, "{name}");
            let mut text = visible_text(html);
            for datum in &data {
                text = text.replace(datum.as_str(), " ");
            }
            let left = english_in(&text);
            assert!(
                left.is_empty(),
                "{lang} {name}: English left: {left:?}\n{text}"
            );
        }
    }
}
