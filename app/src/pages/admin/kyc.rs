//! The KYC review queue and one application under review.
