"""Word lists of the offline chat analysis, in Spanish and English.

Entries are written naturally (accents, apostrophes); `local.py` compares them without
accents and in lower case. Sentiment weights: 1 mild, 2 clear, 3 strong.
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SENTIMENT_WORDS: dict[str, float] = {
    # Spanish, positive
    "gracias": 0.5,
    "agradezco": 2,
    "agradecido": 2,
    "agradecida": 2,
    "genial": 2,
    "excelente": 3,
    "perfecto": 2,
    "perfecta": 2,
    "bien": 1,
    "bueno": 1,
    "buena": 1,
    "buenísimo": 2,
    "contento": 2,
    "contenta": 2,
    "feliz": 2,
    "encantado": 2,
    "encantada": 2,
    "encanta": 2,
    "gusta": 1,
    "maravilloso": 3,
    "fantástico": 3,
    "estupendo": 2,
    "amable": 2,
    "rápido": 1,
    "satisfecho": 2,
    "satisfecha": 2,
    "funciona": 1,
    "resuelto": 2,
    "solucionado": 2,
    "recomiendo": 2,
    # Spanish, negative
    "mal": -2,
    "malo": -2,
    "mala": -2,
    "pésimo": -3,
    "pésima": -3,
    "horrible": -3,
    "terrible": -3,
    "fatal": -2,
    "peor": -2,
    "molesto": -2,
    "molesta": -2,
    "enfadado": -2,
    "enfadada": -2,
    "enojado": -2,
    "enojada": -2,
    "furioso": -3,
    "furiosa": -3,
    "harto": -3,
    "harta": -3,
    "decepcionado": -2,
    "decepcionada": -2,
    "decepción": -2,
    "inaceptable": -3,
    "vergüenza": -3,
    "queja": -2,
    "reclamo": -2,
    "reclamación": -2,
    "problema": -1,
    "problemas": -1,
    "error": -1,
    "roto": -2,
    "rota": -2,
    "dañado": -2,
    "dañada": -2,
    "defectuoso": -2,
    "retraso": -2,
    "demora": -1,
    "lento": -1,
    "estafa": -3,
    "fraude": -3,
    "triste": -1,
    "preocupado": -1,
    "preocupada": -1,
    # English, positive
    "thanks": 0.5,
    "thank": 0.5,
    "appreciate": 2,
    "great": 2,
    "excellent": 3,
    "perfect": 2,
    "good": 1,
    "happy": 2,
    "glad": 2,
    "love": 2,
    "awesome": 3,
    "amazing": 3,
    "wonderful": 3,
    "fantastic": 3,
    "helpful": 2,
    "nice": 1,
    "kind": 1,
    "fast": 1,
    "quick": 1,
    "satisfied": 2,
    "works": 1,
    "working": 1,
    "resolved": 2,
    "solved": 2,
    "fixed": 2,
    "recommend": 2,
    # English, negative
    "bad": -2,
    "awful": -3,
    "worst": -3,
    "poor": -2,
    "angry": -2,
    "upset": -2,
    "annoyed": -2,
    "frustrated": -2,
    "frustrating": -2,
    "disappointed": -2,
    "disappointing": -2,
    "unacceptable": -3,
    "ridiculous": -2,
    "useless": -3,
    "broken": -2,
    "damaged": -2,
    "defective": -2,
    "late": -1,
    "delay": -1,
    "delayed": -1,
    "slow": -1,
    "scam": -3,
    "fraud": -3,
    "complaint": -2,
    "problem": -1,
    "problems": -1,
    "issue": -1,
    "wrong": -1,
    "hate": -3,
    "sad": -1,
    "worried": -1,
    "failed": -2,
}
# Whole expressions, scored once wherever they appear.
SENTIMENT_PHRASES: dict[str, float] = {
    "nadie me responde": -2,
    "nadie responde": -2,
    "sin respuesta": -2,
    "pérdida de tiempo": -3,
    "otra vez": -1,
    "muchas gracias": 1,
    "mil gracias": 2,
    "nobody answers": -2,
    "no one answers": -2,
    "still waiting": -2,
    "waste of time": -3,
    "thank you so much": 2,
    "thanks a lot": 1,
}
POSITIVE_EMOJI = "😊🙂😀😃😄😁👍❤🙏🥰😍👌✅🎉"
NEGATIVE_EMOJI = "😡😠🤬👎😤😞😢😭💔😒"
EMOJI_WEIGHT = 1.5
NEGATORS = _words(
    "no nunca jamás ni tampoco sin nada not never without nothing don't dont "
    "doesn't doesnt didn't didnt isn't isnt wasn't wasnt aren't can't cant cannot "
    "won't wont couldn't haven't hasn't"
)
NEGATION_SCOPE = 3  # words after a negator whose polarity it flips
INTENSIFIERS = _words(
    "muy súper super tan demasiado totalmente realmente very really so extremely "
    "totally absolutely"
)
INTENSITY = 1.5

# Regular expressions (on text without accents, lower case) per intent.
INTENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "purchase": (
        r"compr(?:ar|o|a|arlo|arla)",
        r"precios?",
        r"cuanto (?:cuesta|vale|sale)",
        r"tienen stock|hay stock|en stock|disponibles?",
        r"catalogo",
        r"presupuesto|cotizacion",
        r"hacer un pedido|quiero pedir",
        r"buy|purchase|pricing|price|how much|in stock|quote",
        r"place an order|want to order",
    ),
    "booking": (
        r"reserv(?:ar|a|o|as)",
        r"citas?|turnos?|agendar",
        r"mesa para",
        r"book(?:ing)?|reservation|appointment|schedule|reschedule",
    ),
    "support": (
        r"no funciona|no anda|no me deja|no puedo",
        r"errores|error|falla|fallo|averia",
        r"ayuda|soporte|configurar|instalar|contrasena",
        r"not working|doesn'?t work|does not work|can'?t|cannot",
        r"help|support|password|log ?in|setup|set up|install",
    ),
    "complaint": (
        r"quejas?|reclam(?:o|acion|ar)",
        r"molest[oa]|enfadad[oa]|enojad[oa]|harto|harta|decepcionad[oa]",
        r"inaceptable|pesim[oa]|verguenza|nadie (?:me )?responde",
        r"llevo (?:\w+ )?(?:dias|semanas)|todavia no|aun no|otra vez",
        r"rot[oa]|danad[oa]|defectuos[oa]",
        r"complain(?:t|ing)?|unacceptable|terrible|awful|worst|disappointed",
        r"angry|upset|still waiting|nobody answers|no one answers|ridiculous",
        r"broken|damaged|defective",
    ),
    "information": (
        r"horarios?|direccion|donde estan|ubicacion",
        r"informacion|info|quisiera saber|me gustaria saber",
        r"como funciona|envios?|envian|plazos?",
        r"opening hours|open(?:ing)? times?|address|where are you|information",
        r"how does|how do|shipping|delivery time|do you ship|what is",
    ),
    "cancellation": (
        r"cancel(?:ar|acion|o|en)?",
        r"anular|dar(?:me)? de baja|darse de baja",
        r"devolucion|reembolso|devolver|devuelvan",
        r"cancel(?:l?ation|led|ling)?|unsubscribe|refund|money back",
        r"return (?:it|the|my)|terminate|close my account",
    ),
}

# Words that tell the two languages apart (ambiguous ones like "no" are left out).
LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "es": _words(
        "el la los las de que y en un una por para con es mi lo hola gracias pero "
        "esta este estoy tengo quiero pedido buenas buenos como cuando donde porque "
        "muy ya si usted ustedes del al tu su nos hay"
    ),
    "en": _words(
        "the an and of to in is it my i you your for with not hello hi thanks thank "
        "but this that have want order please what when where because very already "
        "yes are was be we our can there"
    ),
}
GREETING_WORDS = _words(
    "hola buenas buenos buen dia dias tardes noches saludos hello hi hey good "
    "morning afternoon evening dear estimado estimada"
)
