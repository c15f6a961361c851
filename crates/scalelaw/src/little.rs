//! Little's law.
