//! Sanctions screening of the business and its people against a loaded list.
