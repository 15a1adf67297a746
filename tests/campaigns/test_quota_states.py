"""The quota's states are application states (kept in campaigns, which comes before applications)."""

from smartfactory.applications.enums import State
from smartfactory.campaigns.enums import QUOTA_STATES


def test_quota_states_are_application_states():
    assert set(QUOTA_STATES) == {State.RECOMMENDED, State.AWARDED, State.CULTIVATING, State.NOT_SELECTED}
