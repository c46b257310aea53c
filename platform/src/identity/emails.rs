//! The account emails, in plain text. Links are absolute, on the public URL; tokens travel
//! in the query string of a page that asks the person to confirm with a button, so a mail
//! scanner that follows links spends nothing.

use secrecy::{ExposeSecret, SecretString};

use crate::config::Settings;
use crate::mail::OutgoingMail;

fn mail(to: &str, subject: &str, body: String) -> OutgoingMail {
    OutgoingMail { to: to.to_owned(), subject: subject.to_owned(), body: SecretString::from(body) }
}

fn link(settings: &Settings, path: &str, token: &SecretString) -> String {
    format!("{}{path}?token={}", settings.public_origin(), token.expose_secret())
}

pub fn verification(settings: &Settings, to: &str, name: &str, token: &SecretString) -> OutgoingMail {
    let hours = settings.identity.verification_link_hours;
    mail(
        to,
        "Confirm your email address for Saleonix",
        format!(
            "Hello {name},\n\nPlease confirm your email address to finish opening your Saleonix account:\n\n{}\n\n\
             The link works once and for {hours} hours. If you did not sign up, ignore this email.\n\n- Saleonix\n",
            link(settings, "/verify-email", token)
        ),
    )
}

pub fn already_registered(settings: &Settings, to: &str, name: &str) -> OutgoingMail {
    let origin = settings.public_origin();
    mail(
        to,
        "Someone tried to sign up with your email address",
        format!(
            "Hello {name},\n\nSomeone (perhaps you) tried to open a new Saleonix account with this address, \
             which already has one.\n\nSign in: {origin}/sign-in\nForgot your password? {origin}/forgot-password\n\n\
             If it was not you, you can ignore this email: nothing has changed.\n\n- Saleonix\n"
        ),
    )
}

pub fn password_reset(settings: &Settings, to: &str, name: &str, token: &SecretString) -> OutgoingMail {
    let minutes = settings.identity.reset_link_minutes;
    mail(
        to,
        "Reset your Saleonix password",
        format!(
            "Hello {name},\n\nTo choose a new password, open this link:\n\n{}\n\n\
             It works once and for {minutes} minutes. Choosing a new password signs you out everywhere.\n\
             If you did not ask for this, ignore this email: your password has not changed.\n\n- Saleonix\n",
            link(settings, "/reset-password", token)
        ),
    )
}

pub fn password_changed(settings: &Settings, to: &str, name: &str) -> OutgoingMail {
    mail(
        to,
        "Your Saleonix password was changed",
        format!(
            "Hello {name},\n\nThe password of your Saleonix account was just changed, and its other sessions \
             were signed out.\n\nIf this was not you, reset your password now: {}/forgot-password \
             and write to us.\n\n- Saleonix\n",
            settings.public_origin()
        ),
    )
}
