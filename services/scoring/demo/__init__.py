"""The demo's talent reviews: `python -m services.scoring.demo --scoring-url URL` (run by `make run`)."""
