//! The console's KYC review: the queue, one application, item decisions, approval, rejection, re-verification.
