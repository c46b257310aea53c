//! The merchant side of KYC: the application, its checklist, documents and submitting.
