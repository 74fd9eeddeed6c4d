"""The national 9-box: each agency's latest finalized review of a period, and their sum, as JSON and SVG."""
