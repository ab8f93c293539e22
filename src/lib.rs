//! Placeholder for the widget.
