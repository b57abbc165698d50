"""The detection engine shared by both detectors: compiled matchers over one tokenisation per post."""
