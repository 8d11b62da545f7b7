"""The models users may choose: LLM_PROVIDER/LLM_MODEL, LLM_MODELS and `local`."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from assistant.providers import ModelInfo, model_catalogue, resolve_model


@pytest.fixture(autouse=True)
def no_models_configured(settings):
    settings.LLM_PROVIDER = "local"
    settings.LLM_MODEL = ""
    settings.LLM_MODELS = []
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = settings.GROQ_API_KEY = ""
    settings.OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
    settings.GROQ_DEFAULT_MODEL = "llama-3.3-70b-versatile"


LOCAL = ModelInfo(
    id="local:local", provider="local", name="local", default=True, available=True
)


def ids(models: list[ModelInfo]) -> list[str]:
    return [model.id for model in models]


def test_with_nothing_configured_there_is_the_local_model():
    assert model_catalogue() == [LOCAL]
    assert resolve_model(None) == LOCAL


def test_the_default_provider_brings_its_default_model(settings):
    settings.LLM_PROVIDER = "groq"
    settings.GROQ_API_KEY = "gsk-x"

    catalogue = model_catalogue()

    assert catalogue == [
        ModelInfo(
            id="groq:llama-3.3-70b-versatile",
            provider="groq",
            name="llama-3.3-70b-versatile",
            default=True,
            available=True,
        ),
        ModelInfo(
            id="local:local",
            provider="local",
            name="local",
            default=False,
            available=True,
        ),
    ]
    assert resolve_model(None) == catalogue[0]


def test_llm_model_overrides_the_default_model(settings):
    settings.LLM_PROVIDER = "openai"
    settings.LLM_MODEL = "gpt-4.1"
    settings.OPENAI_BASE_URL = "http://localhost:11434/v1"  # keyless is configured

    default = resolve_model(None)

    assert (default.id, default.default, default.available) == (
        "openai:gpt-4.1",
        True,
        True,
    )


def test_llm_models_adds_choices_with_their_availability(settings):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_API_KEY = "sk-x"
    settings.LLM_MODELS = [
        "openai:gpt-4o",
        " groq:llama-3.1-8b-instant",
        "openai:gpt-4o-mini",  # the default again
        "openai:qwen3:8b",  # Ollama names have colons
        "",
    ]

    catalogue = model_catalogue()

    assert ids(catalogue) == [
        "openai:gpt-4o-mini",
        "openai:gpt-4o",
        "groq:llama-3.1-8b-instant",
        "openai:qwen3:8b",
        "local:local",
    ]
    assert [m.default for m in catalogue] == [True, False, False, False, False]
    assert [m.available for m in catalogue] == [True, True, False, True, True]
    assert resolve_model("qwen3:8b").provider == "openai"


@pytest.mark.parametrize("entry", ["gpt-4o", "anthropic:claude", "openai:"])
def test_a_malformed_llm_models_entry_is_a_configuration_error(settings, entry):
    settings.LLM_MODELS = [entry]

    with pytest.raises(ImproperlyConfigured, match="provider:model"):
        model_catalogue()


def test_resolve_accepts_a_full_id_or_a_unique_bare_name(settings):
    settings.GROQ_API_KEY = "gsk-x"
    settings.LLM_MODELS = ["groq:llama-3.1-8b-instant"]

    assert resolve_model("groq:llama-3.1-8b-instant").name == "llama-3.1-8b-instant"
    assert resolve_model("llama-3.1-8b-instant").id == "groq:llama-3.1-8b-instant"
    assert resolve_model("local") == LOCAL


def test_resolve_refuses_unknown_models_and_lists_the_choices():
    with pytest.raises(ValidationError) as excinfo:
        resolve_model("gpt-5")

    assert excinfo.value.message_dict == {
        "model": ["Unknown model 'gpt-5'. Choose one of: local:local."]
    }


def test_resolve_refuses_models_whose_provider_is_not_configured(settings):
    settings.LLM_MODELS = ["groq:llama-3.1-8b-instant"]

    with pytest.raises(ValidationError, match="not available"):
        resolve_model("groq:llama-3.1-8b-instant")


def test_resolve_refuses_an_ambiguous_bare_name(settings):
    settings.OPENAI_API_KEY = settings.GROQ_API_KEY = "k"
    settings.LLM_MODELS = ["openai:llama-3.3-70b", "groq:llama-3.3-70b"]

    with pytest.raises(ValidationError, match="ambiguous"):
        resolve_model("llama-3.3-70b")
    assert resolve_model("groq:llama-3.3-70b").provider == "groq"
