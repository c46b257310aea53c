//! Sanctions screening in the console: the loaded list and the hits staff decide.
