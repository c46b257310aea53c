//! KYC documents: uploads judged by their content, stored encrypted, read back audited.
