//! A merchant member's role.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "merchant_role", rename_all = "snake_case")
)]
pub enum MerchantRole {
    Owner,
    Admin,
    Finance,
    Developer,
    Viewer,
}

impl MerchantRole {
    pub const ALL: [MerchantRole; 5] = [
        MerchantRole::Owner,
        MerchantRole::Admin,
        MerchantRole::Finance,
        MerchantRole::Developer,
        MerchantRole::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MerchantRole::Owner => "owner",
            MerchantRole::Admin => "admin",
            MerchantRole::Finance => "finance",
            MerchantRole::Developer => "developer",
            MerchantRole::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<MerchantRole> {
        MerchantRole::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            MerchantRole::Owner => "Owner",
            MerchantRole::Admin => "Admin",
            MerchantRole::Finance => "Finance",
            MerchantRole::Developer => "Developer",
            MerchantRole::Viewer => "Viewer",
        }
    }
}
