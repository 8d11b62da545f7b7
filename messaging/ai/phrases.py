"""What the offline analysis writes, in Spanish and English: labels, suggested actions,
reply templates and the pieces of summaries and drafts.

Replies come in the informal register (Spanish "tú") and the formal one ("usted");
`{name}` is the customer's first name and `{about}` what the message was about.
"""

INTENT_LABELS: dict[str, dict[str, str]] = {
    "es": {
        "purchase": "compra",
        "booking": "reserva",
        "support": "soporte técnico",
        "complaint": "queja",
        "information": "información",
        "cancellation": "cancelación",
        "other": "otro",
    },
    "en": {
        "purchase": "purchase",
        "booking": "booking",
        "support": "technical support",
        "complaint": "complaint",
        "information": "information",
        "cancellation": "cancellation",
        "other": "other",
    },
}
ENTITY_LABELS: dict[str, dict[str, str]] = {
    "es": {
        "amount": "importe",
        "date": "fecha",
        "name": "nombre",
        "email": "email",
        "phone": "teléfono",
        "order": "pedido",
    },
    "en": {
        "amount": "amount",
        "date": "date",
        "name": "name",
        "email": "email",
        "phone": "phone",
        "order": "order",
    },
}
SENTIMENT_LABELS: dict[str, dict[str, str]] = {
    "es": {
        "positive": "positivo",
        "neutral": "neutral",
        "negative": "negativo",
        "mixed": "mixto",
    },
    "en": {
        "positive": "positive",
        "neutral": "neutral",
        "negative": "negative",
        "mixed": "mixed",
    },
}

ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "complaint": (
            "Escalar a un supervisor",
            "Disculparse y ofrecer una solución concreta",
        ),
        "cancellation": (
            "Ofrecer una alternativa antes de cancelar",
            "Tramitar la cancelación o el reembolso",
        ),
        "support": (
            "Crear un ticket de soporte",
            "Pedir detalles del error (capturas, pasos)",
        ),
        "purchase": ("Enviar precios y disponibilidad", "Compartir el enlace de pago"),
        "booking": ("Proponer horarios disponibles", "Confirmar la reserva"),
        "information": ("Responder con la información solicitada",),
        "other": ("Responder al cliente",),
        "order": ("Revisar el pedido {value}",),
        "churn": ("Hacer seguimiento en menos de 24 horas",),
    },
    "en": {
        "complaint": (
            "Escalate to a supervisor",
            "Apologise and offer a concrete solution",
        ),
        "cancellation": (
            "Offer an alternative before cancelling",
            "Process the cancellation or refund",
        ),
        "support": (
            "Create a support ticket",
            "Ask for details of the error (screenshots, steps)",
        ),
        "purchase": ("Send prices and availability", "Share the payment link"),
        "booking": ("Propose available time slots", "Confirm the booking"),
        "information": ("Answer with the requested information",),
        "other": ("Reply to the customer",),
        "order": ("Look up order {value}",),
        "churn": ("Follow up within 24 hours",),
    },
}

# The body of a reply per intent: (informal, formal).
REPLIES: dict[str, dict[str, tuple[str, str]]] = {
    "es": {
        "complaint": (
            "Sentimos mucho lo ocurrido{about}. Entendemos tu molestia y ya lo "
            "estamos revisando para darte una solución cuanto antes.",
            "Lamentamos mucho lo ocurrido{about}. Comprendemos su malestar y ya lo "
            "estamos revisando para ofrecerle una solución a la mayor brevedad.",
        ),
        "cancellation": (
            "Entendemos que quieres cancelar{about}. ¿Nos cuentas el motivo? Si lo "
            "prefieres, lo gestionamos ahora mismo.",
            "Entendemos que desea cancelar{about}. ¿Podría indicarnos el motivo? Si "
            "lo prefiere, lo gestionamos de inmediato.",
        ),
        "support": (
            "Gracias por avisarnos{about}. ¿Puedes enviarnos una captura del error y "
            "los pasos que seguiste? Así lo resolvemos cuanto antes.",
            "Gracias por informarnos{about}. ¿Podría enviarnos una captura del error "
            "y los pasos que siguió? Así podremos resolverlo cuanto antes.",
        ),
        "purchase": (
            "¡Gracias por tu interés! Te paso precios y disponibilidad enseguida.",
            "Gracias por su interés. Le enviamos precios y disponibilidad enseguida.",
        ),
        "booking": (
            "¡Con gusto! ¿Qué día y horario te vienen mejor?",
            "Con mucho gusto. ¿Qué día y horario le resultan más convenientes?",
        ),
        "information": (
            "Gracias por escribirnos. Te comparto la información enseguida.",
            "Gracias por escribirnos. Le facilitamos la información enseguida.",
        ),
        "positive": (
            "¡Gracias a ti! Nos alegra mucho saberlo.",
            "Muchas gracias a usted. Nos alegra mucho saberlo.",
        ),
        "other": (
            "Gracias por tu mensaje. ¿En qué más te podemos ayudar?",
            "Gracias por su mensaje. ¿En qué más podemos ayudarle?",
        ),
    },
    "en": {
        "complaint": (
            "We're really sorry about what happened{about}. We understand your "
            "frustration and we're looking into it to fix it as soon as possible.",
            "We sincerely apologise for what happened{about}. We understand your "
            "frustration and are looking into it to resolve it as soon as possible.",
        ),
        "cancellation": (
            "We understand you'd like to cancel{about}. Could you tell us why? If "
            "you prefer, we can take care of it right away.",
            "We understand that you wish to cancel{about}. Could you tell us the "
            "reason? If you prefer, we will process it immediately.",
        ),
        "support": (
            "Thanks for letting us know{about}. Could you send us a screenshot of "
            "the error and the steps you followed? That way we can fix it quickly.",
            "Thank you for letting us know{about}. Could you send us a screenshot of "
            "the error and the steps you followed? We will then resolve it promptly.",
        ),
        "purchase": (
            "Thanks for your interest! I'll send you prices and availability shortly.",
            "Thank you for your interest. We will send you prices and availability "
            "shortly.",
        ),
        "booking": (
            "Happy to help! Which day and time suit you best?",
            "With pleasure. Which day and time would be most convenient for you?",
        ),
        "information": (
            "Thanks for reaching out. I'll share the information with you shortly.",
            "Thank you for contacting us. We will provide the information shortly.",
        ),
        "positive": (
            "Thank you! We're really glad to hear that.",
            "Thank you very much. We are delighted to hear that.",
        ),
        "other": (
            "Thanks for your message. How else can we help?",
            "Thank you for your message. How else may we help you?",
        ),
    },
}
# "{about}" when the customer names an order.
ABOUT_ORDER = {
    "es": {
        "complaint": " con el pedido {order}",
        "cancellation": " el pedido {order}",
        "support": " sobre el pedido {order}",
    },
    "en": {
        "complaint": " with order {order}",
        "cancellation": " order {order}",
        "support": " about order {order}",
    },
}

GREETINGS = {
    "es": {"casual": "Hola{name},", "formal": "Buenos días{name}:"},
    "en": {"casual": "Hi{name},", "formal": "Dear{name},"},
}
FORMAL_NAMELESS = {"es": "Buenos días:", "en": "Good morning,"}
CLOSINGS = {
    "es": {"formal": "Quedamos a su disposición.", "friendly": "¡Un abrazo!"},
    "en": {"formal": "Kind regards.", "friendly": "Have a great day!"},
}
APOLOGIES = {
    "es": {
        "casual": "Disculpa las molestias.",
        "formal": "Le pedimos disculpas por las molestias.",
    },
    "en": {
        "casual": "Sorry for the trouble.",
        "formal": "Please accept our apologies for the inconvenience.",
    },
}
MORE_HELP = {
    "es": {
        "casual": "Si necesitas cualquier otra cosa, aquí estamos.",
        "formal": "Si necesita cualquier otra cosa, no dude en escribirnos.",
    },
    "en": {
        "casual": "If you need anything else, we're here.",
        "formal": "Should you need anything else, please do not hesitate to write.",
    },
}

SUMMARY = {
    "es": {
        "customer": "El cliente",
        "opened": "{who} escribió: «{text}».",
        "topics": "Temas: {topics}.",
        "tone": "Tono del cliente: {tone}.",
        "latest": "Últimos mensajes: {lines}.",
        "roles": {"customer": "cliente", "agent": "agente"},
        "data": "Datos mencionados: {data}.",
        "waiting": "Pendiente: el cliente espera respuesta.",
        "answered": "El último mensaje es del agente.",
    },
    "en": {
        "customer": "The customer",
        "opened": "{who} wrote: “{text}”.",
        "topics": "Topics: {topics}.",
        "tone": "Customer's tone: {tone}.",
        "latest": "Latest messages: {lines}.",
        "roles": {"customer": "customer", "agent": "agent"},
        "data": "Details mentioned: {data}.",
        "waiting": "Pending: the customer is waiting for a reply.",
        "answered": "The last message is from the agent.",
    },
}
QUOTES = {"es": "«{}»", "en": "“{}”"}

TICKET = {
    "es": {"contact": "Contacto", "chat": "Chat del inbox #{id}"},
    "en": {"contact": "Contact", "chat": "Inbox chat #{id}"},
}

# Spanish informal → formal ("tú" → "usted"), whole words, applied in order.
FORMAL_ES = (
    ("tú", "usted"),
    ("tu", "su"),
    ("tus", "sus"),
    ("te", "le"),
    ("ti", "usted"),
    ("puedes", "puede"),
    ("quieres", "quiere"),
    ("tienes", "tiene"),
    ("necesitas", "necesita"),
    ("prefieres", "prefiere"),
    ("sabes", "sabe"),
    ("estás", "está"),
    ("eres", "es"),
    ("avísame", "avíseme"),
    ("avísanos", "avísenos"),
    ("escríbenos", "escríbanos"),
    ("dime", "dígame"),
    ("cuéntame", "cuénteme"),
    ("hola", "buenos días"),
)
CONTRACTIONS_EN = (
    ("can't", "cannot"),
    ("won't", "will not"),
    ("n't", " not"),
    ("'re", " are"),
    ("'m", " am"),
    ("'ll", " will"),
    ("'ve", " have"),
    ("'d", " would"),
    ("let's", "let us"),
    ("thanks", "thank you"),
    ("hi", "hello"),
    ("hey", "hello"),
    ("asap", "as soon as possible"),
)
FILLERS = (
    "realmente",
    "la verdad",
    "de verdad",
    "simplemente",
    "básicamente",
    "really",
    "just",
    "actually",
    "basically",
    "honestly",
)
