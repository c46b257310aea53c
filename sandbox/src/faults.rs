//! Fault injection: rules set through `/sandbox/faults` that make the sandbox
//! misbehave the ways the real gateway and the network do.

use serde::{Deserialize, Serialize};

/// One kind of misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Never send the server callback.
    DropCallback,
    /// Do not send the buyer's browser back (the page has no form).
    DropReturn,
    /// Send the browser return twice: a POST, then a GET with the same fields.
    DoubleReturn,
    /// Sign the return and callback with a wrong key.
    BadHash,
    /// Wait before answering `/fim/api` or sending the callback.
    Delay { ms: u64 },
    /// Answer `/fim/api` with this HTTP status (default 503) without processing.
    ApiServerError {
        #[serde(default = "default_status")]
        status: u16,
    },
    /// Process the `/fim/api` request, then hang this long before answering,
    /// as when the answer is lost: the operation did happen.
    ApiTimeout {
        #[serde(default = "default_hang")]
        hang_ms: u64,
    },
    /// Let the hosted page take an order id again after its payment was declined, as a
    /// gateway set up to let the buyer retry does: a later approval replaces the decline.
    RetryDeclined,
}

fn default_status() -> u16 {
    503
}

fn default_hang() -> u64 {
    30_000
}

/// Which fault a rule injects, without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    DropCallback,
    DropReturn,
    DoubleReturn,
    BadHash,
    Delay,
    ApiServerError,
    ApiTimeout,
    RetryDeclined,
}

impl Fault {
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::DropCallback => FaultKind::DropCallback,
            Fault::DropReturn => FaultKind::DropReturn,
            Fault::DoubleReturn => FaultKind::DoubleReturn,
            Fault::BadHash => FaultKind::BadHash,
            Fault::Delay { .. } => FaultKind::Delay,
            Fault::ApiServerError { .. } => FaultKind::ApiServerError,
            Fault::ApiTimeout { .. } => FaultKind::ApiTimeout,
            Fault::RetryDeclined => FaultKind::RetryDeclined,
        }
    }
}

fn default_once() -> bool {
    true
}

/// A fault and where it applies. With neither `client_id` nor `order_id` it
/// applies to everything; with both, to that order of that store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(flatten)]
    pub fault: Fault,
    /// One-shot (default): removed after it fires once. `false`: stays until cleared.
    #[serde(default = "default_once")]
    pub once: bool,
}

impl FaultRule {
    fn matches(&self, kind: FaultKind, client_id: &str, order_id: &str) -> bool {
        self.fault.kind() == kind
            && self.client_id.as_deref().is_none_or(|c| c == client_id)
            && self.order_id.as_deref().is_none_or(|o| o == order_id)
    }
}

#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
}

impl Faults {
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    /// Whether a rule of this kind applies, without consuming it.
    pub fn has(&self, kind: FaultKind, client_id: &str, order_id: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.matches(kind, client_id, order_id))
    }

    /// The first rule of this kind that applies, consuming it if one-shot.
    pub fn take(&mut self, kind: FaultKind, client_id: &str, order_id: &str) -> Option<Fault> {
        let i = self
            .rules
            .iter()
            .position(|r| r.matches(kind, client_id, order_id))?;
        if self.rules[i].once {
            Some(self.rules.remove(i).fault)
        } else {
            Some(self.rules[i].fault.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_and_persistent() {
        let mut f = Faults::default();
        let rule: FaultRule =
            serde_json::from_str(r#"{"order_id":"O1","kind":"api_server_error"}"#).expect("json");
        f.add(rule);
        f.add(
            serde_json::from_str(r#"{"client_id":"C","kind":"delay","ms":5,"once":false}"#)
                .expect("json"),
        );
        assert_eq!(f.take(FaultKind::ApiServerError, "C", "O2"), None);
        assert_eq!(
            f.take(FaultKind::ApiServerError, "C", "O1"),
            Some(Fault::ApiServerError { status: 503 })
        );
        assert_eq!(f.take(FaultKind::ApiServerError, "C", "O1"), None);
        assert_eq!(
            f.take(FaultKind::Delay, "C", "X"),
            Some(Fault::Delay { ms: 5 })
        );
        assert_eq!(
            f.take(FaultKind::Delay, "C", "Y"),
            Some(Fault::Delay { ms: 5 })
        );
        assert_eq!(f.take(FaultKind::Delay, "D", "Y"), None);
    }
}
