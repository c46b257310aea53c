//! The mails a requester receives. They name no account and no data: the confirmation goes
//! to whatever address was typed, known or not.

use secrecy::{ExposeSecret, SecretString};
use time::Date;

use super::{Kind, LINK_HOURS};
use crate::config::Settings;
use crate::mail::OutgoingMail;

fn mail(to: &str, subject: &str, body: String) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: SecretString::from(body),
    }
}

pub fn confirm(settings: &Settings, to: &str, kind: Kind, token: &SecretString) -> OutgoingMail {
    mail(
        to,
        "Confirm your request about your personal data",
        format!(
            "Hello,\n\nSomeone, probably you, asked Saleonix for {} held about this address.\n\n\
             To confirm the request, open this link within {LINK_HOURS} hours:\n\n{}/privacy/confirm?token={}\n\n\
             We answer within one month of your confirmation. If you did not ask, ignore this email: \
             nothing happens without the confirmation.\n\n- Saleonix\n",
            kind.label(),
            settings.public_origin(),
            token.expose_secret()
        ),
    )
}

pub fn extended(to: &str, kind: Kind, due_on: Date, reason: &str) -> OutgoingMail {
    mail(
        to,
        "We need more time for your request",
        format!(
            "Hello,\n\nYour request for {} needs more time than the usual month, for this reason:\n\n{reason}\n\n\
             We will answer by {due_on}.\n\n- Saleonix\n",
            kind.label()
        ),
    )
}

pub fn rejected(to: &str, kind: Kind, reason: &str, privacy_email: &str) -> OutgoingMail {
    mail(
        to,
        "Your request about your personal data",
        format!(
            "Hello,\n\nWe cannot carry out your request for {}, for this reason:\n\n{reason}\n\n\
             You may write to {privacy_email} about it, and you may complain to Kosovo's Information \
             and Privacy Agency.\n\n- Saleonix\n",
            kind.label()
        ),
    )
}

pub fn fulfilled(to: &str, kind: Kind, outcome: &str) -> OutgoingMail {
    mail(
        to,
        "Your request about your personal data is done",
        format!(
            "Hello,\n\nWe have carried out your request for {}:\n\n{outcome}\n\n- Saleonix\n",
            kind.label()
        ),
    )
}

pub fn export_ready(settings: &Settings, to: &str, token: &SecretString) -> OutgoingMail {
    mail(
        to,
        "Your personal data from Saleonix is ready",
        format!(
            "Hello,\n\nThe copy of your personal data you asked for is ready: a ZIP archive of JSON files, \
             with a README explaining each.\n\nDownload it here, once, within {} days:\n\n{}/privacy/export?token={}\n\n\
             After the download, or when the link expires, Saleonix erases its copy of the archive.\n\n- Saleonix\n",
            super::export::LINK_DAYS,
            settings.public_origin(),
            token.expose_secret()
        ),
    )
}

pub fn erased(
    to: &str,
    erased: &super::erasure::Erased,
    kyc_kept: &[super::kyc_people::Kept],
) -> OutgoingMail {
    mail(
        to,
        "Your personal data at Saleonix is erased",
        format!(
            "Hello,\n\nAs you asked, Saleonix has erased the personal data it held about this address: your \
             email address on checkouts, fraud checks and stored messages, your account's name and sign-in \
             details if you had one, and the IP addresses and browsers in its security records.\n\n{}\n\n\
             This is the last mail Saleonix sends to this address.\n\n- Saleonix\n",
            kept(erased, kyc_kept)
        ),
    )
}

pub fn account_closed(
    to: &str,
    erased: &super::erasure::Erased,
    merchant_closed: bool,
) -> OutgoingMail {
    let merchant = if merchant_closed {
        format!(
            "You were the only member of your business's team, so its merchant account is closed too: \
             it takes no more payments, its API keys are revoked and its webhooks and payment links are \
             stopped. Its business records and verification are kept for {} years from today, as \
             anti-money-laundering law requires.\n\n",
            domain::privacy::AML_YEARS
        )
    } else {
        String::new()
    };
    mail(
        to,
        "Your Saleonix account is closed",
        format!(
            "Hello,\n\nAs you asked, your Saleonix account is closed: you can no longer sign in, every \
             session has ended, and Saleonix has erased the personal data it held about this address (your \
             name and sign-in details, the address on checkouts and stored messages, and the IP addresses \
             and browsers in its security records).\n\n{merchant}{}\n\n\
             This is the last mail Saleonix sends to this address.\n\n- Saleonix\n",
            kept(erased, &[])
        ),
    )
}

/// What an erasure keeps, and why and until when.
fn kept(erased: &super::erasure::Erased, kyc_kept: &[super::kyc_people::Kept]) -> String {
    let mut kept = Vec::new();
    if erased.payments_kept > 0 {
        kept.push(format!(
            "Kept, as anti-money-laundering and accounting law require, for {} years after the business \
             relationship ends: {} payment record(s) with their amount, date, masked card number and merchant, \
             and their refunds. They no longer hold your email address.",
            domain::privacy::AML_YEARS,
            erased.payments_kept
        ));
    }
    if !kyc_kept.is_empty() {
        let roles: Vec<String> = kyc_kept.iter().map(|k| format!("- {}", k.role())).collect();
        kept.push(format!(
            "Kept, as anti-money-laundering law requires of a payment service that verifies its merchants: \
             the verification record(s) that name you as\n\n{}\n\nwith your full name, date of birth, \
             nationality, home address, personal or passport number, whether you are politically exposed, \
             and any copy of your identity document the merchant uploaded. Each is kept {}.",
            roles.join("\n"),
            super::kyc_people::kept_for()
        ));
    }
    if kept.is_empty() {
        "Nothing is kept.".to_owned()
    } else {
        kept.join("\n\n")
    }
}
