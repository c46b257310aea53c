//! The account emails, in plain text. Links are absolute, on the public URL; tokens travel
//! in the query string of a page that asks the person to confirm with a button, so a mail
//! scanner that follows links spends nothing.

use secrecy::{ExposeSecret, SecretString};

use crate::config::Settings;
use crate::mail::OutgoingMail;

fn mail(to: &str, subject: &str, body: String) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: SecretString::from(body),
    }
}

fn link(settings: &Settings, path: &str, token: &SecretString) -> String {
    format!(
        "{}{path}?token={}",
        settings.public_origin(),
        token.expose_secret()
    )
}

pub fn verification(
    settings: &Settings,
    to: &str,
    name: &str,
    token: &SecretString,
) -> OutgoingMail {
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

pub fn password_reset(
    settings: &Settings,
    to: &str,
    name: &str,
    token: &SecretString,
) -> OutgoingMail {
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

pub fn mfa_enabled(settings: &Settings, to: &str, name: &str) -> OutgoingMail {
    mail(
        to,
        "Two-factor authentication is on for your Saleonix account",
        format!(
            "Hello {name},\n\nTwo-factor authentication was just turned on for your Saleonix account. \
             Signing in now needs a code from your authenticator app or one of your recovery codes.\n\n\
             If this was not you, reset your password now: {}/forgot-password and write to us.\n\n- Saleonix\n",
            settings.public_origin()
        ),
    )
}

/// Two-factor authentication was turned off, by the owner or (`by_staff`) by an administrator.
pub fn mfa_disabled(settings: &Settings, to: &str, name: &str, by_staff: bool) -> OutgoingMail {
    let who = if by_staff {
        "A Saleonix administrator reset"
    } else {
        "You turned off"
    };
    mail(
        to,
        "Two-factor authentication is off for your Saleonix account",
        format!(
            "Hello {name},\n\n{who} two-factor authentication for your Saleonix account. \
             Please set it up again under Account settings: {}/account/two-factor\n\n\
             If you did not expect this, reset your password now and write to us.\n\n- Saleonix\n",
            settings.public_origin()
        ),
    )
}

pub fn recovery_code_used(
    settings: &Settings,
    to: &str,
    name: &str,
    remaining: i64,
) -> OutgoingMail {
    mail(
        to,
        "A recovery code was used on your Saleonix account",
        format!(
            "Hello {name},\n\nOne of your two-factor recovery codes was just used; each works once. \
             You have {remaining} left. You can make a new set under Account settings: {}/account/two-factor\n\n\
             If this was not you, reset your password now and write to us.\n\n- Saleonix\n",
            settings.public_origin()
        ),
    )
}

/// An invitation to join `place` (the platform's staff, or a merchant's team).
pub fn invitation(
    settings: &Settings,
    to: &str,
    name: &str,
    inviter: &str,
    place: &str,
    token: &SecretString,
) -> OutgoingMail {
    let hours = super::invitations::LINK_HOURS;
    mail(
        to,
        &format!("You are invited to {place} on Saleonix"),
        format!(
            "Hello {name},\n\n{inviter} invited you to {place} on Saleonix. To accept, choose your password here:\n\n{}\n\n\
             The link works once and for {hours} hours. If you did not expect this, ignore this email.\n\n- Saleonix\n",
            link(settings, "/accept-invitation", token)
        ),
    )
}
