//! The sanctions panel of an application under review.
