//! The staff side of KYC: the review queue, item decisions, approval with four eyes, re-verification.
