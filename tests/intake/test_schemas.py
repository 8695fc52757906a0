from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kintrace.intake.enquiries import ERROR_CODES, EnquirerIn, EnquiryIn, SoughtPersonIn

# Anything a browser or an API client could send for one field.
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=500),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


def part(model: type) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={name: values for name in model.model_fields})


@settings(max_examples=300, deadline=None)
@given(sought=part(SoughtPersonIn), enquirer=part(EnquirerIn), consent=values)
def test_any_input_is_either_accepted_or_refused_with_known_codes(
    sought: dict[str, Any], enquirer: dict[str, Any], consent: Any
) -> None:
    try:
        data = EnquiryIn.model_validate(
            {"sought": sought, "enquirer": enquirer, "consent": consent}
        )
    except ValidationError as exc:
        # Only ValidationError (an API 422), never a crash; each with a code the web knows
        # or one of pydantic's own type codes.
        for error in exc.errors():
            assert error["type"] in ERROR_CODES or error["type"].endswith(
                ("_type", "_parsing", "_error")
            ), error["type"]
    else:
        assert data.consent is True
        assert data.enquirer.email or data.enquirer.phone
        assert data.sought.display_name()
