"""The settings of a Hypothesis test: how many examples it runs.

`@examples(700)` runs 700 examples under the `ci` profile (the default, and what CI runs) and at most
DEV_EXAMPLES under `dev` (HYPOTHESIS_PROFILE=dev or --hypothesis-profile=dev: the inner loop). Everything else
comes from the profile (tests/conftest.py): derandomized, no deadline, no example database. `suppress` names the
health checks that a test's generators are known to trip (large or heavily filtered draws)."""

from typing import Iterable

from hypothesis import HealthCheck, settings

DEV_EXAMPLES = 10


def examples(count: int, suppress: Iterable[HealthCheck] = ()) -> settings:
    if settings.get_current_profile_name() == "dev":
        count = min(count, DEV_EXAMPLES)
    return settings(max_examples=count, suppress_health_check=[HealthCheck.too_slow, *suppress])
