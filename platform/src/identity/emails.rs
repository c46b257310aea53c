//! The account emails, in plain text. Links are absolute, on the public URL; tokens travel
//! in the query string of a page that asks the person to confirm with a button, so a mail
//! scanner that follows links spends nothing.

use secrecy::{ExposeSecret, SecretString};

use super::users::UserKind;
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

/// The owner made `new_owner` the owner; they are an admin now.
pub fn ownership_given(settings: &Settings, to: &str, name: &str, new_owner: &str) -> OutgoingMail {
    mail(
        to,
        "You are no longer the owner of your Saleonix account",
        format!(
            "Hello {name},\n\nYou made {new_owner} the owner of your business's Saleonix account. You \
             are an admin of it now.\n\nIf this was not you, reset your password now: {}/forgot-password \
             and write to us.\n\n- Saleonix\n",
            settings.public_origin()
        ),
    )
}

pub fn ownership_received(settings: &Settings, to: &str, name: &str) -> OutgoingMail {
    mail(
        to,
        "You are now the owner of your Saleonix account",
        format!(
            "Hello {name},\n\nYou are now the owner of your business's Saleonix account: you manage its \
             team, and you answer for it to Saleonix. The previous owner is an admin now.\n\n\
             Sign in: {}/sign-in\n\n- Saleonix\n",
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

/// Text an inviter chose (a name, a business name), made safe to quote in a plain-text
/// mail: control and direction-override characters go (no forged lines, no reversed text),
/// whitespace runs become one space, links are broken so mail programs do not make them
/// clickable (`://` and a dot before a letter get a space), and it stops at 100 characters.
/// Such text never goes in a subject, only here.
pub fn caller_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let words = cleaned.split(' ').filter(|w| !w.is_empty());
    let joined = words.collect::<Vec<_>>().join(" ").replace("://", ": //");
    let mut out = String::with_capacity(joined.len());
    let mut chars = joined.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '.' && chars.peek().is_some_and(|next| next.is_alphanumeric()) {
            out.push(' ');
        }
    }
    match out.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out,
    }
}

fn invitation_subject(kind: UserKind) -> &'static str {
    match kind {
        UserKind::Merchant => "You are invited to a team on Saleonix",
        UserKind::Staff | UserKind::PlatformAdmin => "You are invited to the Saleonix staff",
    }
}

/// An invitation to join `place` (the platform's staff, or a merchant's team). The subject
/// is fixed: everything the inviter chose is quoted in the body only (`caller_text`).
pub fn invitation(
    settings: &Settings,
    to: &str,
    name: &str,
    kind: UserKind,
    inviter: &str,
    place: &str,
    token: &SecretString,
) -> OutgoingMail {
    let hours = super::invitations::LINK_HOURS;
    let (name, inviter, place) = (caller_text(name), caller_text(inviter), caller_text(place));
    mail(
        to,
        invitation_subject(kind),
        format!(
            "Hello {name},\n\n{inviter} invited you to {place} on Saleonix. To accept, choose your password here:\n\n{}\n\n\
             The link works once and for {hours} hours. If you did not expect this, ignore this email.\n\n- Saleonix\n",
            link(settings, "/accept-invitation", token)
        ),
    )
}

/// An invitation to a team for an address that already has an account, which cannot join
/// a second one. The inviter is not told, so the notice says what to do instead.
pub fn invitation_to_account(
    settings: &Settings,
    to: &str,
    name: &str,
    inviter: &str,
    place: &str,
) -> OutgoingMail {
    let (inviter, place) = (caller_text(inviter), caller_text(place));
    mail(
        to,
        invitation_subject(UserKind::Merchant),
        format!(
            "Hello {name},\n\n{inviter} invited this address to {place} on Saleonix. This address already has \
             a Saleonix account, and an account belongs to one merchant (or to the Saleonix staff), so it cannot \
             join another team and there is nothing to accept.\n\n\
             If you want to join them, ask them to invite another address of yours; they have not been told that \
             this one has an account. To use your own account, sign in: {}/sign-in\n\n\
             If you did not expect this, ignore this email: nothing has changed.\n\n- Saleonix\n",
            settings.public_origin()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::caller_text;

    #[test]
    fn caller_text_keeps_names_and_breaks_lines_links_and_reversals() {
        assert_eq!(caller_text("  Drita   Berisha "), "Drita Berisha");
        assert_eq!(
            caller_text("Dardania Crafts L.L.C."),
            "Dardania Crafts L. L. C."
        );
        assert_eq!(
            caller_text("Win\r\nSubject: prize at https://win.example/x"),
            "Win Subject: prize at https: //win. example/x"
        );
        assert_eq!(caller_text("www.win.example"), "www. win. example");
        assert_eq!(caller_text("abc\u{202e}lmth.exe"), "abclmth. exe");
        let long = caller_text(&"a".repeat(300));
        assert_eq!(long.chars().count(), 101, "100 characters and an ellipsis");
        assert!(long.ends_with('…'));
    }
}
