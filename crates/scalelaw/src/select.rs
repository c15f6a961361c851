//! Model selection.
