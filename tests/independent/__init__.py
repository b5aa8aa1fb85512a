"""An independent, stdlib-only deployment of the documented Jobs API, and the suite run against it."""
