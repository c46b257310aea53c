//! IBAN validation (ISO 13616: country format and length, mod-97) and masking.
