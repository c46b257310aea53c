//! The gateway seen by the platform: one trait, so another adapter (e.g. Payten
//! MSU, which has card tokens) can be added later without touching callers.

use std::future::Future;

use crate::api::{
    ApiClient, ApiError, FinancialResponse, OrderHistory, OrderStatus, RecurringStatus,
};
use crate::callback::{GatewayReturn, ReturnError, verify_return};
use crate::config::{Credentials, GatewayEndpoints, Timeouts};
use crate::form::{FormError, HostedForm, PaymentRequest, hosted_form};
use crate::money::Money;

/// What the platform does with a card gateway account.
pub trait PaymentGateway: Send + Sync {
    /// The signed form that sends the buyer's browser to the hosted card page.
    fn hosted_form(&self, request: &PaymentRequest) -> Result<HostedForm, FormError>;

    /// Verifies a browser return or server callback (POST body or GET query fields).
    fn verify_return(&self, fields: Vec<(String, String)>) -> Result<GatewayReturn, ReturnError>;

    /// Full or partial refund. Never retried; see [`ApiError::OutcomeUnknown`].
    fn credit(
        &self,
        order_id: &str,
        amount: Money,
    ) -> impl Future<Output = Result<FinancialResponse, ApiError>> + Send;

    /// Void of the order's last transaction. Never retried; see [`ApiError::OutcomeUnknown`].
    fn void(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<FinancialResponse, ApiError>> + Send;

    /// Capture of a pre-authorisation. Never retried; see [`ApiError::OutcomeUnknown`].
    fn post_auth(
        &self,
        order_id: &str,
        amount: Money,
    ) -> impl Future<Output = Result<FinancialResponse, ApiError>> + Send;

    fn order_status(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<OrderStatus, ApiError>> + Send;

    fn order_history(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<OrderHistory, ApiError>> + Send;

    fn recurring_status(
        &self,
        recurring_id: &str,
    ) -> impl Future<Output = Result<RecurringStatus, ApiError>> + Send;

    fn cancel_recurring(
        &self,
        recurring_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// Payten NestPay, 3D Pay Hosting model, for one gateway account.
#[derive(Debug, Clone)]
pub struct NestPay {
    endpoints: GatewayEndpoints,
    credentials: Credentials,
    api: ApiClient,
}

impl NestPay {
    pub fn new(
        endpoints: GatewayEndpoints,
        credentials: Credentials,
        timeouts: Timeouts,
    ) -> Result<NestPay, ApiError> {
        let api = ApiClient::new(&endpoints, credentials.clone(), timeouts)?;
        Ok(NestPay {
            endpoints,
            credentials,
            api,
        })
    }

    pub fn client_id(&self) -> &str {
        &self.credentials.client_id
    }

    /// The XML API client, for calls beyond the trait.
    pub fn api(&self) -> &ApiClient {
        &self.api
    }
}

impl PaymentGateway for NestPay {
    fn hosted_form(&self, request: &PaymentRequest) -> Result<HostedForm, FormError> {
        hosted_form(&self.endpoints, &self.credentials, request)
    }

    fn verify_return(&self, fields: Vec<(String, String)>) -> Result<GatewayReturn, ReturnError> {
        verify_return(fields, &self.credentials)
    }

    fn credit(
        &self,
        order_id: &str,
        amount: Money,
    ) -> impl Future<Output = Result<FinancialResponse, ApiError>> + Send {
        self.api.credit(order_id, amount)
    }

    fn void(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<FinancialResponse, ApiError>> + Send {
        self.api.void(order_id)
    }

    fn post_auth(
        &self,
        order_id: &str,
        amount: Money,
    ) -> impl Future<Output = Result<FinancialResponse, ApiError>> + Send {
        self.api.post_auth(order_id, amount)
    }

    fn order_status(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<OrderStatus, ApiError>> + Send {
        self.api.order_status(order_id)
    }

    fn order_history(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<OrderHistory, ApiError>> + Send {
        self.api.order_history(order_id)
    }

    fn recurring_status(
        &self,
        recurring_id: &str,
    ) -> impl Future<Output = Result<RecurringStatus, ApiError>> + Send {
        self.api.recurring_status(recurring_id)
    }

    fn cancel_recurring(
        &self,
        recurring_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        self.api.cancel_recurring(recurring_id)
    }
}
