//! The only cookies the platform sets. All are strictly necessary (or, for the language,
//! a preference the person set themselves), so no consent banner is needed while this
//! list holds; the privacy policy prints it, and the server's tests fail
//! on any response that sets a cookie it does not name.

/// One cookie, as the privacy policy describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cookie {
    pub name: &'static str,
    pub purpose: &'static str,
    pub lifetime: &'static str,
}

const SESSION_PURPOSE: &str = "keeps a signed-in person signed in and carries the sign-in's \
    two-factor state; it holds a random session id, signed, and nothing else";
const SESSION_LIFETIME: &str = "until sign-out, 30 minutes without use, or 12 hours after sign-in";

pub const COOKIES: &[Cookie] = &[
    Cookie {
        name: "__Host-saleonix-session",
        purpose: SESSION_PURPOSE,
        lifetime: SESSION_LIFETIME,
    },
    Cookie {
        name: "saleonix-session",
        purpose: "the same session cookie on a development server without HTTPS",
        lifetime: SESSION_LIFETIME,
    },
    Cookie {
        name: "i18n_pref_locale",
        purpose: "the language chosen with the language switcher (sq, sr-Latn or en); set only \
            when the switcher is used",
        lifetime: "one year",
    },
];

/// Whether a cookie called `name` is on the list.
pub fn is_listed(name: &str) -> bool {
    COOKIES.iter().any(|cookie| cookie.name == name)
}
