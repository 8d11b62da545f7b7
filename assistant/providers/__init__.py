"""Choosing a provider and a model from settings."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from assistant.providers.base import LLMBadRequest, LLMClient
from assistant.providers.local import MODEL as LOCAL_MODEL
from assistant.providers.local import LocalClient
from assistant.providers.openai_like import aclose_clients

__all__ = [
    "PROVIDERS",
    "ModelInfo",
    "aclose_clients",
    "get_llm_client",
    "model_catalogue",
    "resolve_model",
]

PROVIDERS = ("local", "openai", "groq")


def get_llm_client(provider: str | None = None) -> LLMClient:
    """The client for `provider` (default: LLM_PROVIDER), built from current settings.

    Cheap to call per use: the SDK clients and their connection pools underneath are
    shared.
    """
    provider = provider or settings.LLM_PROVIDER
    if provider == "local":
        return LocalClient()
    # The SDKs are imported only when a remote provider is used.
    if provider == "openai":
        from assistant.providers.openai import OpenAIClient

        return OpenAIClient.from_settings()
    if provider == "groq":
        from assistant.providers.groq import GroqClient

        return GroqClient.from_settings()
    raise LLMBadRequest(
        f"Unknown LLM provider '{provider}'. Choose one of: {', '.join(PROVIDERS)}."
    )


@dataclass(frozen=True)
class ModelInfo:
    id: str  # "provider:model"
    provider: str
    name: str
    default: bool
    available: bool


def provider_available(provider: str) -> bool:
    if provider == "openai":
        return bool(settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL)
    if provider == "groq":
        return bool(settings.GROQ_API_KEY)
    return provider == "local"


def default_model_name(provider: str) -> str:
    return {
        "local": LOCAL_MODEL,
        "openai": settings.OPENAI_DEFAULT_MODEL,
        "groq": settings.GROQ_DEFAULT_MODEL,
    }[provider]


def model_catalogue() -> list[ModelInfo]:
    """The default model first, then LLM_MODELS, then the built-in local model."""
    default_provider = settings.LLM_PROVIDER
    if default_provider not in PROVIDERS:
        raise ImproperlyConfigured(
            f"LLM_PROVIDER must be one of {', '.join(PROVIDERS)}, "
            f"not '{default_provider}'."
        )
    entries = [
        (default_provider, settings.LLM_MODEL or default_model_name(default_provider)),
        *(_parse_entry(entry) for entry in settings.LLM_MODELS if entry.strip()),
        ("local", LOCAL_MODEL),
    ]
    catalogue: dict[str, ModelInfo] = {}
    for provider, name in entries:
        model_id = f"{provider}:{name}"
        catalogue.setdefault(
            model_id,
            ModelInfo(
                id=model_id,
                provider=provider,
                name=name,
                default=not catalogue,
                available=provider_available(provider),
            ),
        )
    return list(catalogue.values())


def resolve_model(model_id: str | None) -> ModelInfo:
    """The catalogue entry for a full id or a bare model name; None is the default.

    The default model is returned even when its provider is not configured (the call
    then fails with the provider's error); a model asked for by name must be available.
    """
    catalogue = model_catalogue()
    if not model_id:
        return catalogue[0]
    exact = next((m for m in catalogue if m.id == model_id), None)
    named = [m for m in catalogue if m.name == model_id]
    choices = ", ".join(m.id for m in catalogue if m.available)
    if exact is not None:
        model = exact
    elif len(named) == 1:
        model = named[0]
    elif named:
        raise ValidationError(
            {"model": f"Model '{model_id}' is ambiguous. Choose one of: {choices}."}
        )
    else:
        raise ValidationError(
            {"model": f"Unknown model '{model_id}'. Choose one of: {choices}."}
        )
    if not model.available:
        raise ValidationError(
            {
                "model": f"Model '{model.id}' is not available: its provider is not "
                f"configured. Choose one of: {choices}."
            }
        )
    return model


def _parse_entry(entry: str) -> tuple[str, str]:
    provider, _, name = entry.strip().partition(":")
    if provider not in PROVIDERS or not name:
        raise ImproperlyConfigured(
            f"LLM_MODELS entry '{entry}' must look like provider:model, with the "
            f"provider one of {', '.join(PROVIDERS)}."
        )
    return provider, name
