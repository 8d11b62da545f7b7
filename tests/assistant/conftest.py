import pytest

from assistant.providers import aclose_clients
from tests.fakes.openai_server import (  # noqa: F401 (fixtures)
    FakeLLMServer,
    fake_groq,
    fake_llm,
    fake_openai,
)


@pytest.fixture(params=["openai", "groq"])
def remote_llm(request: pytest.FixtureRequest) -> FakeLLMServer:
    """The fake server, with settings pointing each remote provider at it in turn."""
    return request.getfixturevalue(f"fake_{request.param}")


@pytest.fixture(autouse=True)
async def close_pooled_llm_clients():
    """Pooled SDK clients live as long as their event loop: close this test's."""
    yield
    await aclose_clients()
