//! How the mail settings are read: retry back-off, the development mailbox, SMTP URLs, the sender.

use super::*;

#[test]
fn retries_back_off_exponentially_up_to_an_hour() {
    let delays: Vec<u64> = (1..=9).map(|n| retry_delay(n).as_secs()).collect();
    assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    assert_eq!(retry_delay(u32::MAX), LONGEST_RETRY);
}

#[test]
fn the_mailbox_is_used_only_in_development_without_smtp() {
    let dir = temp_dir();
    let dev = config(Environment::Development, None, dir.clone());
    assert_eq!(dev_mailbox(&dev), Some(dir.as_path()));
    assert!(matches!(Transport::from_config(&dev).unwrap(), Transport::Mailbox(d) if d == dir));

    let dev_smtp = config(
        Environment::Development,
        Some("smtp://127.0.0.1:2525"),
        dir.clone(),
    );
    assert_eq!(dev_mailbox(&dev_smtp), None);
    assert!(matches!(
        Transport::from_config(&dev_smtp).unwrap(),
        Transport::Smtp(_)
    ));

    let production = config(Environment::Production, None, dir.clone());
    assert_eq!(dev_mailbox(&production), None);
    assert!(matches!(
        Transport::from_config(&production).unwrap_err(),
        MailError::NoSmtp
    ));
    let production = config(
        Environment::Production,
        Some("smtps://u:p@smtp.example.com"),
        dir,
    );
    assert_eq!(dev_mailbox(&production), None);
}

#[tokio::test]
async fn smtp_urls_are_checked_without_repeating_the_password() {
    for good in [
        "smtps://u:hunter2@smtp.example.com",
        "smtp://u:hunter2@smtp.example.com?tls=required",
        "smtp://127.0.0.1:25",
    ] {
        assert!(Transport::smtp(&good.to_owned().into()).is_ok(), "{good}");
    }
    for bad in [
        "smtp://u:hunter2@smtp.example.com",
        "smtp://u:hunter2@smtp.example.com?tls=opportunistic",
        "http://u:hunter2@smtp.example.com",
        "not a url hunter2",
    ] {
        let error = Transport::smtp(&bad.to_owned().into()).unwrap_err();
        assert!(matches!(error, MailError::SmtpUrl(_)), "{bad}: {error}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
    let debug = format!(
        "{:?}",
        Transport::smtp(&"smtps://u:hunter2@smtp.example.com".to_owned().into()).unwrap()
    );
    assert!(!debug.contains("hunter2"), "{debug}");
}

#[test]
fn a_bad_sender_address_stops_the_start() {
    let mut config = config(Environment::Development, None, temp_dir());
    config.settings.mail.from = "Saleonix".into();
    assert!(matches!(
        Transport::from_config(&config).unwrap_err(),
        MailError::From
    ));
}
