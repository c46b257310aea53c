//! Business details and people of a KYC application, and submitting it to staff.
