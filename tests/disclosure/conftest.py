from tests.review.conftest import people, store  # noqa: F401  (the same casework fixtures)
