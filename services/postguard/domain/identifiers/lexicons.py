"""Word lists the recognizers share: care context, places, rare conditions, roles and names of days."""

from __future__ import annotations

# fmt: off

CARE_TERMS: tuple[str, ...] = (
    # a specific patient or encounter
    "patient", "pt", "my patient", "our patient", "the patient", "a patient", "this patient",
    "admitted", "admit", "admission", "readmitted", "discharged", "discharge", "presented with",
    "presenting with", "presents with", "presented to", "p/w", "c/o",
    "came in", "brought in", "rolled in", "walked in", "transferred", "triaged", "triage",
    "diagnosed", "dx", "intubated", "extubated", "coded", "code blue", "resuscitated", "died", "passed away",
    "delivered", "born", "gave birth", "giving birth", "birth weight", "in labor", "in labour", "into labor",
    "into labour", "labor and delivery",
    "l&d", "c-section", "operated", "surgery", "operation",
    "stitched", "sutured", "treated", "consult", "consulted", "bedside", "scan", "x-ray", "xray",
    "ultrasound", "biopsy", "ambulance", "paramedics", "overdose",
    # where care happens
    "emergency department", "emergency room", "ward", "trauma bay", "resus", "in clinic", "in our clinic",
    "at our clinic", "seen in", "theatre", "on the unit", "on the floor",
    # working time
    "on shift", "night shift", "my shift", "on call", "on rounds", "night float",
)

CARE_ACRONYMS: tuple[str, ...] = (
    # matched case-sensitively: "Ed" is a name, "er" a hesitation, "ct" the end of a state code
    # ("OR" and "CT" are also state codes: only in care phrases)
    "ED", "ER", "A&E", "ICU", "NICU", "PICU", "CCU", "PACU", "MRI", "EMS", "L&D", "ED's", "in the OR",
    "to the OR", "CT scan", "CT head", "head CT", "a CT", "the CT", "A CT", "The CT",
)

EVENT_TERMS: tuple[str, ...] = (
    "awareness day", "awareness week", "awareness month", "awareness", "season", "conference", "webinar",
    "seminar", "symposium",
    "grand rounds", "workshop", "lecture", "talk", "event", "deadline", "launch", "registration",
    "summit", "meeting", "observance", "anniversary", "holiday", "campaign", "livestream", "podcast",
    "session", "sessions", "class", "course", "training", "journal club",
    "join us", "walk-in", "walk-ins", "sign up", "register", "book now", "open house", "flu clinic",
    "flu shot", "flu shots", "vaccination clinic", "screening event",
)

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
)

HONORIFICS: tuple[str, ...] = ("mr", "mrs", "ms", "miss", "mx", "mr.", "mrs.", "ms.", "mx.")

CLINICIAN_TITLES: tuple[str, ...] = (
    "dr", "dr.", "drs", "drs.", "doctor", "prof", "prof.", "professor", "nurse", "np", "pa", "rn",
    "colleague", "attending", "consultant", "fellow", "surgeon", "dean", "chief", "dietitian",
)

PATIENT_ROLES: tuple[str, ...] = (
    "patient", "pt", "pt.", "client", "resident", "baby", "infant", "toddler", "preemie", "kiddo", "fighter",
    "warrior", "champ", "miracle",
)

RELATIVES: tuple[str, ...] = (
    "daughter", "son", "wife", "husband", "mother", "father", "mom", "mum", "dad", "sister", "brother",
    "grandson", "granddaughter", "grandmother", "grandfather", "grandma", "grandpa", "partner",
    "fiance", "fiancee", "boyfriend", "girlfriend", "niece", "nephew", "aunt", "uncle", "child", "kid",
)

CREDIT_CUES: tuple[str, ...] = (
    "thanks to", "thank you to", "thank you", "thanks", "shoutout to", "shout out to", "shout-out to",
    "kudos to", "congrats to", "congratulations to", "credit to", "grateful to", "hats off to",
    "welcome", "welcoming", "joined by", "presented by", "talk by", "lecture by", "hosted by",
    "with my colleague", "my colleague", "our colleague", "featuring", "ft.", "feat.",
)

# Capitalised words that are not names even after "patient" or "Mrs." (sentence words, time words).
NOT_NAMES: frozenset[str] = frozenset(
    {
        "the", "a", "an", "and", "or", "but", "who", "with", "was", "is", "had", "has", "in", "on", "at",
        "this", "that", "today", "yesterday", "tonight", "he", "she", "they", "his", "her", "their",
        "i", "we", "you", "it", "my", "our", "said", "came", "presented", "education", "safety",
        "care", "portal", "experience", "advocate", "advocacy", "zero", "x", "y", "z", "satisfaction",
        "outcomes", "engagement", "rights", "voices", "voice", "stories", "story", "spotlight", "day",
        "week", "month", "navigator", "navigators", "relations", "services", "access", "centered",
        "family", "partner", "partners", "council", "first", "information", "info", "feedback", "support",
        "room", "bed",
        *(m for m in ("january", "february", "march", "april", "june", "july", "august", "september",
                      "october", "november", "december")),
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }
)

# Larger US cities and a few well-known towns: a mention ties a case to a place smaller than a state.
# Ambiguous state-and-city names (New York, Washington) are left out: state names are not identifiers.
US_CITIES: tuple[str, ...] = (
    "Albuquerque", "Anaheim", "Anchorage", "Ann Arbor", "Arlington", "Atlanta", "Aurora", "Austin",
    "Bakersfield", "Baltimore", "Baton Rouge", "Birmingham", "Boise", "Boston", "Buffalo", "Burlington",
    "Cambridge", "Charleston", "Charlotte", "Chattanooga", "Chicago", "Chula Vista", "Cincinnati",
    "Cleveland", "Colorado Springs", "Columbus", "Corpus Christi", "Dallas", "Dayton", "Denver",
    "Des Moines", "Detroit", "Durham", "El Paso", "Eugene", "Fort Lauderdale", "Fort Wayne", "Fort Worth",
    "Fremont", "Fresno", "Gainesville", "Garland", "Glendale", "Grand Rapids", "Greensboro", "Hartford",
    "Henderson", "Hialeah", "Honolulu", "Houston", "Huntsville", "Indianapolis", "Irvine", "Jacksonville",
    "Jersey City", "Kansas City", "Knoxville", "Laredo", "Las Vegas", "Lexington", "Lincoln", "Little Rock",
    "Long Beach", "Los Angeles", "Louisville", "Lubbock", "Madison", "Memphis", "Mesa", "Miami",
    "Milwaukee", "Minneapolis", "Mobile", "Montgomery", "Nashville", "New Haven", "New Orleans",
    "New York City", "NYC", "Newark", "Norfolk", "Oakland", "Oklahoma City", "Omaha", "Orlando",
    "Pasadena", "Philadelphia", "Philly", "Phoenix", "Pittsburgh", "Plano", "Portland", "Providence",
    "Provo", "Raleigh", "Reno", "Richmond", "Riverside", "Rochester", "Sacramento", "Salt Lake City",
    "San Antonio", "San Diego", "San Francisco", "San Jose", "Santa Ana", "Santa Fe", "Savannah",
    "Scottsdale", "Seattle", "Shreveport", "Spokane", "Springfield", "St. Louis", "St. Paul",
    "St. Petersburg", "Stamford", "Stockton", "Syracuse", "Tacoma", "Tallahassee", "Tampa", "Toledo",
    "Topeka", "Tucson", "Tulsa", "Virginia Beach", "Wichita", "Worcester", "Yonkers", "Brooklyn",
    "the Bronx", "Queens", "Harlem", "Manhattan", "Staten Island", "Hoboken", "Flint", "Akron",
)

US_STATES: tuple[str, ...] = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
    "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
    "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming",
)

# Rare conditions and unusual circumstances that make a case memorable (quasi-identifiers).
RARE_CONDITIONS: tuple[str, ...] = (
    "progeria", "fibrodysplasia ossificans progressiva", "harlequin ichthyosis", "stevens-johnson",
    "toxic epidermal necrolysis", "creutzfeldt-jakob", "cjd", "rabies", "leprosy", "hansen's disease",
    "plague", "anthrax", "ebola", "botulism", "tetanus", "necrotizing fasciitis", "flesh-eating",
    "conjoined twins", "quintuplets", "sextuplets", "septuplets", "octuplets", "castleman disease",
    "erythromelalgia", "moebius syndrome", "kuru", "naegleria", "brain-eating amoeba", "elephantiasis",
    "werewolf syndrome", "hypertrichosis", "epidermolysis bullosa", "alkaptonuria", "porphyria",
    "face transplant", "hand transplant", "uterus transplant", "penile transplant", "gunshot", "shot",
    "stab wound", "stabbed", "shark attack", "bear attack", "dog mauling", "mauled", "snake bite",
    "snakebite", "lightning strike", "struck by lightning", "impaled", "fireworks", "chainsaw",
    "stepped on screws", "swallowed", "foreign body", "unhoused", "unsheltered", "homeless", "incarcerated",
    "prisoner", "celebrity", "famous", "pro athlete", "olympian", "rare", "one in a million",
    "first case", "only case", "never seen before", "first ever", "medical mystery", "zebra",
)

SEX_TERMS: tuple[str, ...] = (
    "man", "woman", "boy", "girl", "male", "female", "gentleman", "lady", "teen", "teenager",
    "toddler", "infant", "newborn", "baby", "grandmother", "grandfather", "veteran", "pregnant",
    "mother", "father", "mom", "dad", "he", "she", "his", "her",
)

RELATIVE_TIME: tuple[str, ...] = (
    "yesterday", "today", "tonight", "this morning", "this afternoon", "this evening", "last night",
    "last week", "last month", "over the weekend", "this weekend", "earlier today", "the other day",
    "this week", "overnight", "last weekend", "day before yesterday", "just now", "an hour ago",
    "a few hours ago", "this past weekend", "last shift", "earlier this week", "tomorrow", "tomorrow morning",
)
# fmt: on
