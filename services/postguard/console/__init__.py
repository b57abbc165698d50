"""The reviewer console: a web app over the review desk (queue, post detail, decisions, feedback, archive).

``create_app`` (in :mod:`postguard.console.app`) builds the FastAPI application; the all-in-one server
and the distributed console service serve it with uvicorn.
"""
