//! Payten NestPay (BKT Kosovo) for Saleonix: the 3D Pay Hosting form, the `ver3`
//! hash, verification of returns and callbacks, and the CC5 XML API client.
//!
//! The protocol is described in `payten-nestpay.md` (shared notes). Card data
//! never passes through this crate: the buyer types it on the gateway's page.

pub mod api;
pub mod callback;
pub mod cc5;
pub mod codes;
pub mod config;
pub mod form;
pub mod gateway;
pub mod hash;
pub use domain::money;
pub mod pan;

pub use api::{ApiClient, ApiError, Operation};
pub use callback::{GatewayReturn, ReceivedFields, ReturnError, verify_return};
pub use codes::{
    ErrorCode, MdStatus, ProcReturnCode, ResponseStatus, TransStat, liability_shifted,
};
pub use config::{Credentials, GatewayEndpoints, Timeouts};
pub use form::{
    BillTo, FormError, FrequencyUnit, HostedForm, Lang, MAX_RECURRING_PAYMENTS, OrderId,
    PaymentRequest, Recurring, TranType, hosted_form,
};
pub use gateway::{NestPay, PaymentGateway};
pub use money::{Currency, Money, MoneyError};
pub use pan::MaskedPan;
