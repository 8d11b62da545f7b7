"""The messaging app's HTTP endpoints, by sub-domain."""
