//! No full card number ever reaches the sandbox's logs or its stored state.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use payten::{PaymentGateway as _, Timeouts};
use payten_sandbox::cards::TEST_CARDS;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_card_number_in_logs_or_state() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let sb = sandbox().await;
    let mut merchant = merchant().await;
    let gw = gateway(&sb, Timeouts::default());
    let browser = Browser::new(&sb);

    // Every test card, plus a rejected card page, plus a pending payment left at 3-D Secure.
    for card in TEST_CARDS {
        let forms = browser
            .pay(
                &gw,
                &request(&merchant, &fresh_oid("LK"), 100),
                card.number,
                "a",
            )
            .await;
        assert_eq!(forms.len(), 1);
    }
    let form = gw
        .hosted_form(&request(&merchant, &fresh_oid("LK"), 100))
        .expect("form");
    let page = browser.post(&form.action, &form.fields).await;
    let card_form = forms(&page).into_iter().next().expect("card form");
    browser
        .post_pairs(
            &card_form.action,
            &[
                ("pan", "5571135571135576"),
                ("expiry", EXPIRY),
                ("cvv", CVV),
                ("cardholder", "X"),
            ],
        )
        .await;
    browser
        .post_pairs(
            &card_form.action,
            &[
                ("pan", APPROVE_MC),
                ("expiry", EXPIRY),
                ("cvv", CVV),
                ("cardholder", "X"),
            ],
        )
        .await;
    // Wait for the callbacks so their logging has happened too.
    for _ in TEST_CARDS {
        merchant.next_callback().await;
    }

    let logs = String::from_utf8_lossy(&capture.0.lock().expect("capture")).into_owned();
    let state = sb.state().dump();
    assert!(logs.contains("payment finished"), "logs were captured");
    assert!(state.contains("557113***5575"), "state was dumped");
    for card in TEST_CARDS
        .iter()
        .map(|c| c.number)
        .chain(["5571135571135576"])
    {
        assert!(!logs.contains(card), "card number {card} in logs");
        assert!(!state.contains(card), "card number {card} in state");
    }
    assert!(!state.contains("cvv"));
}
