"""Answers written from the data without a language model, in Spanish or English."""

from typing import Any

STATUS_NAMES = {
    "es": {
        "open": "abiertos", "new": "nuevos", "assigned": "asignados", "planned": "planificados",
        "pending": "pendientes", "solved": "resueltos", "closed": "cerrados",
    },
    "en": {
        "open": "open", "new": "new", "assigned": "assigned", "planned": "planned",
        "pending": "pending", "solved": "solved", "closed": "closed",
    },
}  # fmt: skip
ASSET_NAMES = {
    "es": {"Computer": "equipos", "Printer": "impresoras", "Monitor": "monitores",
           "Phone": "teléfonos", "NetworkEquipment": "equipos de red"},
    "en": {"Computer": "computers", "Printer": "printers", "Monitor": "monitors",
           "Phone": "phones", "NetworkEquipment": "network devices"},
}  # fmt: skip


def _t(language: str, es: str, en: str) -> str:
    return es if language == "es" else en


def low_confidence(language: str) -> str:
    return _t(
        language,
        "No estoy seguro de haber entendido. ¿Puedes reformular la pregunta? Por ejemplo: "
        "«¿cuántos tickets abiertos hay?», «muestra el ticket 42» o «busca el equipo PC-01».",
        "I'm not sure I understood. Could you rephrase? For example: \"how many open "
        'tickets are there?", "show ticket 42" or "find computer PC-01".',
    )


def source_failed(language: str, detail: str) -> str:
    return _t(
        language,
        f"No pude consultar los datos: {detail}",
        f"I couldn't read the data: {detail}",
    )


def answer(intent: str, data: dict[str, Any], language: str) -> str:
    return TEMPLATES[intent](data, language)


def _ticket_line(ticket: dict, language: str) -> str:
    status = STATUS_NAMES[language].get(ticket["status"] or "", ticket["status"] or "?")
    priority = (ticket["priority"] or "?").replace("_", " ")
    return f"• #{ticket['id']} {ticket['title']} ({status}, {_t(language, 'prioridad', 'priority')} {priority})"


def _tickets(data: dict, language: str) -> str:
    filters, count = data["filters"], data["count"]
    status = STATUS_NAMES[language].get(filters.get("status", ""), "")
    noun = "ticket" if count == 1 else "tickets"
    if language == "es":
        status = status.removesuffix("s") if count == 1 else status
        head = " ".join(filter(None, ["Hay", str(count), noun, status]))
    else:
        head = " ".join(
            filter(
                None, ["There", "is" if count == 1 else "are", str(count), status, noun]
            )
        )
    if requester := filters.get("requester"):
        head += _t(language, f" de {requester}", f" from {requester}")
    if priority := filters.get("priority"):
        head += _t(language, f" con prioridad {priority}", f" with {priority} priority")
    head += "."
    if not data["tickets"]:
        return head
    recent = _t(language, "Los más recientes:", "Most recent:")
    return "\n".join(
        [head, recent, *(_ticket_line(t, language) for t in data["tickets"][:5])]
    )


def _ticket(data: dict, language: str) -> str:
    ticket = data["ticket"]
    if ticket is None:
        return _t(
            language,
            f"No encontré el ticket #{data['ticket_id']}.",
            f"I couldn't find ticket #{data['ticket_id']}.",
        )
    status = STATUS_NAMES[language].get(ticket["status"] or "", ticket["status"])
    lines = [
        _t(
            language,
            f"El ticket #{ticket['id']} «{ticket['title']}» está {status}, prioridad {ticket['priority']}.",
            f'Ticket #{ticket["id"]} "{ticket["title"]}" is {status}, {ticket["priority"]} priority.',
        ),
        _t(language, "Solicitante", "Requester")
        + f": {ticket['requester'] or '-'}; "
        + _t(language, "técnico", "technician")
        + f": {ticket['technician'] or '-'}.",
    ]
    if ticket["description"]:
        lines.append(
            _t(language, "Descripción", "Description")
            + f": {ticket['description'][:300]}"
        )
    if data["followup_count"]:
        lines.append(
            _t(
                language,
                f"Seguimientos: {data['followup_count']}.",
                f"Follow-ups: {data['followup_count']}.",
            )
        )
    return "\n".join(lines)


def _inventory(data: dict, language: str) -> str:
    name = ASSET_NAMES[language].get(data["itemtype"], data["itemtype"])
    return _t(
        language,
        f"Hay {data['count']} {name} en el inventario.",
        f"There are {data['count']} {name} in the inventory.",
    )


def _computer_line(computer: dict, language: str) -> str:
    details = [
        f"{_t(language, 'serie', 'serial')} {computer['serial']}"
        if computer["serial"]
        else "",
        computer["status"],
        computer["location"],
        f"{_t(language, 'usuario', 'user')} {computer['user']}"
        if computer["user"]
        else "",
    ]
    return f"• {computer['name']} ({', '.join(filter(None, details)) or '-'})"


def _equipment(data: dict, language: str) -> str:
    if not data["computers"]:
        return _t(
            language,
            f"No encontré ningún equipo llamado {data['name']}.",
            f"I found no computer named {data['name']}.",
        )
    head = _t(
        language,
        f"Encontré {data['count']} equipo(s) para «{data['name']}»:",
        f'I found {data["count"]} computer(s) for "{data["name"]}":',
    )
    return "\n".join([head, *(_computer_line(c, language) for c in data["computers"])])


def _report(data: dict, language: str) -> str:
    stats = data["statistics"]
    names = STATUS_NAMES[language]
    by_status = ", ".join(
        f"{names.get(k, k)} {v}" for k, v in stats["by_status"].items() if v
    )
    by_priority = ", ".join(
        f"{k.replace('_', ' ')} {v}" for k, v in stats["by_priority"].items() if v
    )
    lines = [
        _t(
            language,
            f"Resumen del helpdesk: {stats['total']} tickets, {stats['open']} abiertos y {stats['closed']} resueltos o cerrados.",
            f"Helpdesk summary: {stats['total']} tickets, {stats['open']} open and {stats['closed']} solved or closed.",
        ),
        _t(language, "Por estado", "By status") + f": {by_status or '-'}.",
        _t(language, "Por prioridad", "By priority") + f": {by_priority or '-'}.",
    ]
    if top := list(stats["by_category"].items())[:3]:
        lines.append(
            _t(language, "Categorías principales", "Top categories")
            + ": "
            + ", ".join(f"{k} {v}" for k, v in top)
            + "."
        )
    if stats["mean_time_to_solve_hours"] is not None:
        lines.append(
            _t(
                language,
                f"Tiempo medio de resolución: {stats['mean_time_to_solve_hours']} h (últimos {stats['solve_time_sample']} tickets resueltos).",
                f"Mean time to solve: {stats['mean_time_to_solve_hours']} h (last {stats['solve_time_sample']} solved tickets).",
            )
        )
    return "\n".join(lines)


CHAT_STATUS_NAMES = {
    "es": {"open": "abiertos", "pending": "pendientes", "snoozed": "pospuestos", "resolved": "resueltos"},
    "en": {"open": "open", "pending": "pending", "snoozed": "snoozed", "resolved": "resolved"},
}  # fmt: skip


def _chats(data: dict, language: str) -> str:
    filters, count = data["filters"], data["count"]
    described = []
    if filters["status"]:
        described.append(CHAT_STATUS_NAMES[language][filters["status"]])
    if filters["assigned"] == "none":
        described.append(_t(language, "sin asignar", "unassigned"))
    elif filters["assigned"] == "me":
        described.append(_t(language, "asignados a ti", "assigned to you"))
    if filters["waiting_minutes"]:
        minutes = filters["waiting_minutes"]
        described.append(
            _t(
                language,
                f"esperando respuesta más de {minutes} min",
                f"waiting for a reply over {minutes} min",
            )
        )
    if not described:
        described.append(_t(language, "abiertos o pendientes", "open or pending"))
    head = _t(
        language,
        f"Hay {count} chats {', '.join(described)}.",
        f"There are {count} chats {', '.join(described)}.",
    )
    statuses = ", ".join(
        f"{CHAT_STATUS_NAMES[language][k]} {v}" for k, v in data["by_status"].items()
    )
    lines = [head, _t(language, "En total", "In all") + f": {statuses}."]
    lines.append(
        _t(
            language,
            f"Abiertos sin asignar: {data['unassigned_open']}; asignados a ti: {data['assigned_to_me_open']}.",
            f"Open and unassigned: {data['unassigned_open']}; assigned to you: {data['assigned_to_me_open']}.",
        )
    )
    for chat in data["chats"][:5]:
        lines.append(
            f"• #{chat['id']} {chat['contact']} ({chat['status']}, {chat['assigned_to'] or '-'})"
        )
    return "\n".join(lines)


TEMPLATES = {
    "consultar_tickets": _tickets,
    "buscar_ticket": _ticket,
    "consultar_inventario": _inventory,
    "buscar_equipo": _equipment,
    "generar_reporte": _report,
    "consultar_chats": _chats,
}
