//! Placeholder: the Scorer API comes with its issue.
