//! What the privacy pages print beyond the inventory (`domain::privacy`): the controller
//! and the sub-processors, which are configuration.

use domain::privacy::SubProcessor;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The controller of the personal data: the merchant-of-record entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    pub name: String,
    pub address: String,
    pub business_number: String,
    /// Where data subjects write to use their rights.
    pub privacy_email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerAndProcessors {
    pub controller: Controller,
    pub sub_processors: Vec<SubProcessor>,
    /// ISO date (`2026-11-30`) the sub-processor list last changed.
    pub sub_processors_changed_on: String,
}

/// Public: what the settings say, nothing per visitor.
#[server(endpoint = "public/privacy")]
pub async fn privacy_facts() -> Result<ControllerAndProcessors, AppError> {
    let platform = expect_context::<platform::Platform>();
    let settings = &platform.config.settings;
    let mor = &settings.merchant_of_record;
    Ok(ControllerAndProcessors {
        controller: Controller {
            name: mor.name.clone(),
            address: mor.address.clone(),
            business_number: mor.business_number.clone(),
            privacy_email: settings.privacy.contact_email.clone(),
        },
        sub_processors: settings.privacy.sub_processors.clone(),
        sub_processors_changed_on: settings.privacy.sub_processors_changed_on.to_string(),
    })
}
