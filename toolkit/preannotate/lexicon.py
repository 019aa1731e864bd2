"""Word lists for quote attribution: reporting verbs by the complement they take, speaker roles, names."""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Verbs of saying that report a clause: "X said (that) ...", "“...,” X added". Lemmas, lower case.
SPEECH_VERBS = _words(
    """
    say tell add warn claim deny insist note state announce argue explain stress confirm report
    acknowledge admit allege assert concede contend declare emphasize emphasise indicate maintain
    mention reply respond reveal suggest tweet write caution complain agree recall remark observe
    comment testify disclose conclude reiterate repeat predict estimate boast joke quip shout yell
    whisper answer counter retort protest charge chant speculate affirm assure proclaim signal hint
    forecast demand recommend propose ask wonder inform remind reassure swear vow pledge promise
    threaten urge point lament concur clarify reckon posit opine
    """
)

# Verbs of belief that PARC-style corpora also attribute, with a finite clause only: "officials believe that".
BELIEF_VERBS = _words(
    "believe think expect fear hope doubt suspect worry feel understand find show rule determine"
)

# Verbs whose object can be the reported content when it is a claim: "denied reports that ...".
CLAIM_OBJECT_VERBS = _words("deny confirm dismiss reject rebut refute dispute")
CLAIM_NOUNS = _words(
    "report claim allegation accusation rumour rumor suggestion charge assertion speculation story account"
)

# Verbs whose reported content is "object + to-infinitive": "urged Moscow to end the war".
DIRECTIVE_VERBS = _words("urge ask tell warn order encourage advise implore beg instruct invite press call")

# Verbs whose reported content is their own to-infinitive: "vowed to retaliate", "hopes to return".
COMMISSIVE_VERBS = _words("vow pledge promise threaten hope plan intend expect wish want")

# "accused Russia of committing war crimes": object + of/for clause.
ACCUSATION_VERBS = _words("accuse blame")

# Verbs of judging, backing and announcing whose direct object is what the stance or the report is about,
# as attribution corpora (PARC 3.0, PolNeAR) annotate them: "praised the deal", "endorsed Jeb Bush",
# "cited the investigation". Left out: verbs whose everyday sense is not a stance ("attack", "challenge",
# "welcome", "embrace", "admit", "claim" a victory, "support" a family, "find", "see").
OBJECT_VERBS = _words(
    """
    praise criticize criticise condemn denounce decry deplore blast slam lambaste assail rebuke chide scold
    berate castigate excoriate mock ridicule deride disparage belittle applaud hail commend laud tout
    champion defend fault question dispute reject dismiss deny oppose endorse back favor favour prefer
    describe mention discuss cite announce express voice propose outline highlight stress emphasize
    emphasise reveal note repeat reiterate recommend suggest demand request predict forecast estimate
    confirm acknowledge report detail recount recall explain clarify concede unveil characterize
    characterise portray depict label brand dub term
    """
)

# Verbs whose content is the object of a preposition: "called for a ban", "talked about the economy".
PREPOSITION_CUES: dict[str, tuple[str, ...]] = {
    "call": ("for",),
    "ask": ("for",),
    "argue": ("for", "against"),
    "push": ("for",),
    "press": ("for",),
    "plead": ("for",),
    "appeal": ("for",),
    "talk": ("about",),
    "speak": ("about", "of", "against"),
    "warn": ("of", "about", "against"),
    "complain": ("about", "of"),
    "boast": ("about", "of"),
    "brag": ("about",),
    "joke": ("about",),
    "comment": ("on",),
    "write": ("about",),
    "testify": ("about",),
    "rail": ("against",),
    "refer": ("to",),
    "point": ("to",),
}

CUE_LEMMAS = (
    SPEECH_VERBS
    | BELIEF_VERBS
    | DIRECTIVE_VERBS
    | COMMISSIVE_VERBS
    | ACCUSATION_VERBS
    | CLAIM_OBJECT_VERBS
    | OBJECT_VERBS
    | frozenset(PREPOSITION_CUES)
)
# Verbs that may report a bare clause the parser attached elsewhere ("said on Tuesday it would ...").
CLAUSE_VERBS = SPEECH_VERBS | BELIEF_VERBS

# Verbs that report only with one of these particles or prepositions: "point out", "call on", "call for";
# "call" also names ("called the plan a disgrace").
PARTICLE_CUES: dict[str, tuple[str, ...]] = {"point": ("out", "to"), "call": ("on", "for")}
# Verbs that name or class their object: "called the plan a disgrace", "described it as a mistake", "views
# him as a rival". Those not in OBJECT_VERBS report only with the name ("sees the vote as a test").
NAMING_VERBS = _words(
    "call dub label brand term describe characterize characterise portray depict view regard consider see "
    "deem cast paint"
)

# Nouns of saying and believing whose that-clause is reported content: "his claim that ...", "the notion
# that ...". Left out: "fact", "possibility", "sign", "chance" and the like, which report no one.
REPORT_NOUNS = _words(
    """
    claim suggestion idea notion belief concern statement accusation report assertion argument hope fear
    doubt comment remark charge rumor rumour insistence speculation admission assurance warning promise
    pledge view contention conclusion criticism complaint perception expectation confidence assumption
    allegation news evidence announcement message theory prediction estimate warning threat suspicion
    impression feeling sense worry insinuation implication observation recognition acknowledgment
    acknowledgement denial confirmation testimony narrative position advice demand insinuation
    """
)

# "according to plan": what follows "according to" here is a norm, not a source.
NOT_SOURCES = _words(
    "plan schedule script tradition rule law custom protocol procedure regulation guideline instruction "
    "need size age type design order principle standard formula pattern timetable"
)

# A cue under these reports nothing: "declined to say whether ...".
NON_REPORTING_GOVERNORS = _words("decline refuse fail")

# Definite role nouns used as speakers ("the statement said", "the spokesman told reporters"): which
# kind of named mention they refer back to.
PERSON_ROLES = _words(
    """
    spokesman spokeswoman spokesperson minister president official officer leader chief secretary mayor
    governor senator lawmaker legislator diplomat ambassador envoy general commander prosecutor lawyer
    attorney analyst expert negotiator chancellor premier king queen prince director chairman chairwoman
    chair ceo executive candidate congressman congresswoman representative judge adviser advisor aide
    source witness resident activist campaigner economist researcher scientist professor doctor author
    founder head deputy
    """
)
ORG_ROLES = _words(
    """
    statement ministry report agency government company department office embassy army military party
    campaign court commission council committee group organization organisation union bank firm
    administration police website newspaper paper channel broadcaster communique letter filing document
    survey study poll service authority authorities regime kremlin cabinet parliament assembly senate
    congress board alliance coalition movement network outlet publication release announcement
    """
)

PRONOUN_LABELS: dict[str, tuple[str, ...]] = {
    "he": ("PERSON",),
    "she": ("PERSON",),
    "it": ("ORG", "GPE"),
    "they": ("ORG", "GPE", "NORP"),
}

# Common first names, to keep "she said" from resolving to a man named just before. Short and general.
FEMALE_NAMES = _words(
    """
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret betty
    sandra ashley dorothy kimberly emily donna michelle carol amanda melissa deborah stephanie rebecca
    laura sharon cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha
    katherine christine debra rachel catherine carolyn janet ruth maria heather diane virginia julie
    joyce victoria olivia kelly christina lauren joan evelyn judith megan cheryl andrea hannah martha
    jacqueline frances gloria ann teresa kathryn sara janice jean alice madison doris abigail julia judy
    grace denise amber marilyn beverly danielle theresa sophia marie diana brittany natalie isabella
    charlotte rose alexis kayla liz kate hillary kamala jacinda giorgia marine ilhan nikki elise
    condoleezza madeleine sanna kaja annalena christine ursula mette magdalena olena iryna yulia tetiana
    oksana natalia svetlana olga tatiana irina elena ekaterina anastasia maria sophie claire anne
    nathalie isabelle ana lucia carmen fatima aisha mariam leila yasmin priya sunita indira benazir
    hasina kristalina gina jen karine dana kellyanne
    """
)
MALE_NAMES = _words(
    """
    james john robert michael william david richard joseph thomas charles christopher daniel matthew
    anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason
    jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
    gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas
    zachary peter kyle walter ethan jeremy harold keith christian roger noah gerald carl terry sean
    austin arthur lawrence jesse dylan bryan joe billy bruce albert willie gabriel logan alan juan wayne
    roy ralph randy eugene vincent russell elijah louis bobby philip johnny boris vladimir volodymyr
    dmitry sergei sergey alexei alexey oleksii oleksandr andriy mykhailo vitali vitaliy ramzan denis
    emmanuel olaf rishi keir xi recep tayyip benjamin bibi yair narendra imran shehbaz joko fumio shinzo
    justin mitch chuck lindsey ted marco bernie barack bill hunter jared mike rudy antony lloyd jake ned
    jens josep ali mohammed muhammad ahmed ahmad hassan hussein mahmoud omar abdullah khalid salman
    bashar hamad tamim recep viktor andrzej mateusz karl heinz friedrich wolfgang pedro luis carlos jair
    lula javier gustavo
    """
)

# Honorifics that give a mention's gender away.
FEMALE_TITLES = _words("mrs mrs. ms ms. miss madam madame lady queen princess")
MALE_TITLES = _words("mr mr. sir lord king prince")
