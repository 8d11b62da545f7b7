import pytest

from assistant.agent.intents import detect_intent


@pytest.mark.parametrize(
    ("question", "intent", "params", "language"),
    [
        (
            "¿cuántos tickets abiertos hay?",
            "consultar_tickets",
            {"status": "open"},
            "es",
        ),
        (
            "How many open tickets are there?",
            "consultar_tickets",
            {"status": "open"},
            "en",
        ),
        ("tickets pendientes", "consultar_tickets", {"status": "pending"}, "es"),
        (
            "tickets de jperez con prioridad alta",
            "consultar_tickets",
            {"requester": "jperez", "priority": "high"},
            "es",
        ),
        (
            "closed tickets opened by maria",
            "consultar_tickets",
            {"status": "closed", "requester": "maria"},
            "en",
        ),
        ("show ticket 42", "buscar_ticket", {"ticket_id": 42}, "en"),
        (
            "¿en qué estado está la incidencia #1234?",
            "buscar_ticket",
            {"ticket_id": 1234},
            "es",
        ),
        (
            "busca el equipo PC-ADMIN-001",
            "buscar_equipo",
            {"name": "PC-ADMIN-001"},
            "es",
        ),
        ("find computer named LAPTOP-07", "buscar_equipo", {"name": "LAPTOP-07"}, "en"),
        (
            "how many printers are in inventory",
            "consultar_inventario",
            {"itemtype": "Printer"},
            "en",
        ),
        (
            "¿cuántos equipos hay en el inventario?",
            "consultar_inventario",
            {"itemtype": "Computer"},
            "es",
        ),
        ("dame un reporte de estadísticas", "generar_reporte", {}, "es"),
        ("give me a summary of the helpdesk", "generar_reporte", {}, "en"),
        (
            "chats sin asignar esperando más de 30 minutos",
            "consultar_chats",
            {"assigned": "none", "waiting_minutes": 30},
            "es",
        ),
        (
            "list my chats waiting for a reply",
            "consultar_chats",
            {"assigned": "me", "waiting_minutes": 30},
            "en",
        ),
        ("What is the capital of France?", "consulta_general", {}, "en"),
    ],
)
def test_intents_in_spanish_and_english(question, intent, params, language):
    detected = detect_intent(question)
    assert (detected.name, detected.params, detected.language) == (
        intent,
        params,
        language,
    )
    assert detected.confidence >= 0.6


@pytest.mark.parametrize("question", ["asdf", "hmm", "ok"])
def test_unclear_text_has_low_confidence(question):
    assert detect_intent(question).confidence < 0.6
