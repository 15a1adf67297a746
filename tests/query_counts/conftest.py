import pytest

from tests.factories.query_counts import qc_world


@pytest.fixture
def qc():
    """MIIT, Sichuan and Chengdu with their people, the 2042 campaign and an expert (``qc_world``)."""
    return qc_world()
