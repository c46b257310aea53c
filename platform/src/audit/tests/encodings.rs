//! The detail checks and the chain's encodings, which need no database.

use super::*;
use crate::audit::detail::names_a_secret;

#[sqlx::test(migrations = "../migrations")]
async fn a_detail_naming_a_secret_is_refused_and_nothing_is_written(pool: PgPool) {
    for detail in [
        json!({"password": "hunter2"}),
        json!({"new_password": "x"}),
        json!({"resetToken": "x"}),
        json!({"card": {"pan": "4355084355084358"}}),
        json!({"cards": [{"CVV": "123"}]}),
        json!({"client_secret": "x"}),
        json!({"card_number": "x"}),
    ] {
        let error = record_alone(&pool, &sign_in(alice()).detail(detail.clone()), &facts())
            .await
            .unwrap_err();
        assert!(
            matches!(error, AuditError::SensitiveDetail(_)),
            "{detail}: {error}"
        );
        assert!(
            !error.to_string().contains("hunter2") && !error.to_string().contains("4355"),
            "{error}"
        );
    }
    let error = record_alone(&pool, &sign_in(alice()).detail(json!(["a"])), &facts())
        .await
        .unwrap_err();
    assert!(matches!(error, AuditError::DetailNotAnObject), "{error}");
    let big = json!({"note": "x".repeat(MAX_DETAIL_BYTES)});
    let error = record_alone(&pool, &sign_in(alice()).detail(big), &facts())
        .await
        .unwrap_err();
    assert!(matches!(error, AuditError::DetailTooLarge(_)), "{error}");
    assert_eq!(count(&pool).await, 0);
}

#[test]
fn only_whole_words_match_short_sensitive_names() {
    for key in [
        "company_id",
        "span",
        "expand",
        "pinned",
        "mode",
        "cardholder_country",
        "number",
    ] {
        assert!(!names_a_secret(key), "{key}");
    }
    for key in [
        "pan",
        "card_pan",
        "cardPan",
        "PIN",
        "cvc2",
        "apiToken",
        "Password",
        "cardNumber",
    ] {
        assert!(names_a_secret(key), "{key}");
    }
}

#[test]
fn the_personal_digest_depends_on_salt_and_every_field_unambiguously() {
    let salt = [7u8; 16];
    let base = Personal {
        ip: Some("ab"),
        user_agent: Some("c"),
        subject_email: None,
    };
    let digest = base.digest(&salt);
    assert_ne!(digest, base.digest(&[8u8; 16]));
    for other in [
        Personal {
            ip: Some("a"),
            user_agent: Some("bc"),
            subject_email: None,
        },
        Personal {
            ip: Some("ab"),
            user_agent: Some("c"),
            subject_email: Some(""),
        },
        Personal {
            ip: Some("ab"),
            user_agent: None,
            subject_email: Some("c"),
        },
    ] {
        assert_ne!(digest, other.digest(&salt));
    }
}

#[test]
fn user_agents_are_cut_at_a_character_boundary() {
    assert_eq!(truncate("abc", 5), "abc");
    assert_eq!(truncate("aé", 2), "a");
}

#[test]
fn hashes_show_as_hex() {
    let mut bytes = [0u8; 32];
    bytes[0] = 0xAB;
    bytes[31] = 0x01;
    let text = ChainHash(bytes).to_string();
    assert_eq!(text.len(), 64);
    assert!(text.starts_with("ab00") && text.ends_with("01"), "{text}");
}
