//! Unit tests of reading and checking the settings.

use super::*;

fn with(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    for (key, value) in pairs {
        figment = figment.merge((*key, *value));
    }
    Settings::from_figment(figment)
}

#[test]
fn development_listens_on_loopback_unless_asked_otherwise() {
    for address in ["127.0.0.1:3000", "[::1]:3000"] {
        assert!(with(&[("listen", address)]).is_ok(), "{address}");
    }
    for address in ["0.0.0.0:3000", "192.168.1.20:3000", "[::]:3000"] {
        let error = with(&[("listen", address)]).unwrap_err().to_string();
        assert!(
            error.contains("SALEONIX_ALLOW_DEVELOPMENT_OFF_LOOPBACK") && error.contains(address),
            "{error}"
        );
        let allowed = Figment::from(Serialized::defaults(Settings::default()))
            .merge(("listen", address))
            .merge(("allow_development_off_loopback", true));
        assert!(Settings::from_figment(allowed).is_ok(), "{address}");
    }
    let production = [
        ("env", "production"),
        ("public_url", "https://pay.example"),
        ("listen", "0.0.0.0:3000"),
    ];
    assert!(
        with(&production).is_ok(),
        "production has no mailbox and listens where it must"
    );
}

#[test]
fn defaults_point_at_the_local_postgres_and_port_3000() {
    let settings = with(&[]).unwrap();
    assert_eq!(
        settings.database_url,
        "postgres://postgres@127.0.0.1:5432/saleonix"
    );
    assert_eq!(settings.listen.port(), 3000);
    assert_eq!(settings.env, Environment::Development);
}

#[test]
fn trusted_proxies_are_networks_and_refuse_anything_else() {
    let parse = |toml: &str| {
        Settings::from_figment(
            Figment::from(Serialized::defaults(Settings::default())).merge(Toml::string(toml)),
        )
    };
    let settings = parse(r#"trusted_proxies = ["10.0.0.0/8", "127.0.0.1/32"]"#).unwrap();
    assert_eq!(settings.trusted_proxies.len(), 2);
    assert!(
        with(&[]).unwrap().trusted_proxies.is_empty(),
        "none by default"
    );
    assert!(parse(r#"trusted_proxies = ["not-a-network"]"#).is_err());
}

#[test]
fn production_refuses_a_plain_http_public_url() {
    let err = with(&[("env", "production")]).unwrap_err();
    assert!(err.to_string().contains("https:// in production"), "{err}");
    assert!(with(&[("env", "production"), ("public_url", "https://pay.example")]).is_ok());
}

#[test]
fn mail_settings_have_defaults_and_refuse_zero() {
    let mail = with(&[]).unwrap().mail;
    assert_eq!(
        (mail.from.as_str(), mail.max_attempts),
        ("Saleonix <no-reply@saleonix.test>", 8)
    );
    assert_eq!(mail.mailbox_dir, PathBuf::from(".local/mailbox"));
    let mail_number = |key: &str, value: u64| {
        Settings::from_figment(
            Figment::from(Serialized::defaults(Settings::default())).merge((key, value)),
        )
    };
    assert!(mail_number("mail.max_attempts", 0).is_err());
    assert!(mail_number("mail.poll_interval_ms", 0).is_err());
    assert_eq!(
        mail_number("mail.max_attempts", 3)
            .unwrap()
            .mail
            .max_attempts,
        3
    );
}

#[test]
fn audit_retention_defaults_to_five_years_and_refuses_less() {
    assert_eq!(with(&[]).unwrap().audit.retention_days, 1825);
    let retention = |days: u32| {
        Settings::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(("audit.retention_days", days)),
        )
    };
    let err = retention(1824).unwrap_err();
    assert!(
        err.to_string()
            .contains("RETENTION_DAYS must be at least 1825"),
        "{err}"
    );
    assert_eq!(retention(3650).unwrap().audit.retention_days, 3650);
}

#[test]
fn live_gateway_urls_must_be_https_and_differ_from_test() {
    let payten = with(&[]).unwrap().payten;
    assert_eq!(
        payten.live_api_url, "https://pgw.bkt-ks.com/fim/api",
        "BKT Kosovo's live API by default"
    );
    let err = with(&[("payten.live_api_url", "http://pgw.bkt-ks.com/fim/api")]).unwrap_err();
    assert!(
        err.to_string()
            .contains("SALEONIX_PAYTEN__LIVE_API_URL must be https://"),
        "{err}"
    );
    let err = with(&[(
        "payten.live_gate_url",
        "http://pgw.bkt-ks.com/fim/est3Dgate",
    )])
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("SALEONIX_PAYTEN__LIVE_GATE_URL must be https://"),
        "{err}"
    );
    let err = with(&[("payten.test_api_url", "https://pgw.bkt-ks.com/fim/api")]).unwrap_err();
    assert!(
        err.to_string()
            .contains("TEST_API_URL and SALEONIX_PAYTEN__LIVE_API_URL must differ"),
        "{err}"
    );
    let err = with(&[(
        "payten.test_gate_url",
        "https://pgw.bkt-ks.com/fim/est3Dgate",
    )])
    .unwrap_err();
    assert!(err.to_string().contains("must differ"), "{err}");
    assert!(with(&[("payten.test_api_url", "ftp://sandbox/fim/api")]).is_err());
    // Test Mode may use a plain-HTTP sandbox on the machine itself.
    assert!(with(&[("payten.test_api_url", "http://127.0.0.1:8601/fim/api")]).is_ok());
}

#[test]
fn four_eyes_hold_unless_the_platform_has_a_single_reviewer() {
    assert!(!with(&[]).unwrap().kyc.single_reviewer);
    let single = Settings::from_figment(
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(("kyc.single_reviewer", true)),
    );
    assert!(single.unwrap().kyc.single_reviewer);
}

#[test]
fn a_public_url_without_a_scheme_is_refused() {
    assert!(with(&[("public_url", "pay.example")]).is_err());
}
