"""The PLOVER event lexicon: trigger words, phrases, verb-argument rules and the cue words that change them.

Written for the toolkit from the PLOVER codebook's category definitions (openeventdata/PLOVER). Words are
spaCy lemmas, lower-cased. A word may carry ``/POS`` (``storm/VERB``) or ``/TAG`` (``talk/NNS``).
The engine that reads these tables is ``toolkit.preannotate.events``.
"""

from __future__ import annotations

from dataclasses import dataclass

# A pseudo label for a generic hostile response ("countermeasures", "retaliate"): it names an event only
# as a threat (under a future modal, a condition, "warn" or "vow"), never on its own.
HARM = "HARM"
# A pseudo label for "strike", settled later between ASSAULT (air strike) and PROTEST (labour strike).
STRIKE = "STRIKE"

# Words that name an act wherever they occur (subject to negation and cue words).
LEXICON: tuple[tuple[str, str], ...] = (
    (
        "ASSAULT",
        "attack airstrike bombing bombardment bombard shell/VERB shelling assault ambush massacre "
        "assassinate assassination behead kidnap kidnapping abduct abduction hijack hijacking torture "
        "execution gunfire firefight skirmish clash battle/NOUN fighting/NOUN fight/VERB besiege siege "
        "invade incursion raid capture recapture loot looting slaughter murder shootout stab stabbing "
        "cyberattack counterattack counteroffensive bomb/VERB bomb/NOUN kill/VERB shoot/VERB "
        "destroy/VERB storm/VERB pound/VERB target/VERB execute/VERB rape/VERB wound/VERB "
        "gun/VERB massacre/VERB ambush/VERB",
    ),
    (STRIKE, "strike"),
    (
        "MOBILIZE",
        "mobilize mobilise mobilization mobilisation deploy deployment redeploy redeployment reposition "
        "buildup reinforcement amass/VERB mass/VERB station/VERB",
    ),
    (
        "COERCE",
        "arrest detain detention jail imprison imprisonment incarcerate deport deportation expel expulsion "
        "crackdown curfew censor censorship confiscate confiscation repress repression persecute "
        "persecution ban restriction outlaw blockade custody harass harassment intimidate intimidation "
        "lockdown sentence/VERB",
    ),
    # "fin": the lemmatizer's lemma of "fined".
    (
        "SANCTION",
        "sanction embargo blacklist tariff penalty punish punishment fine/VERB fin/VERB convict conviction",
    ),
    (
        "PROTEST",
        "protest protester protestor demonstrator demonstration/NOUN rally/NOUN march/NOUN marcher "
        "riot rioter rioting walkout picket unrest boycott",
    ),
    (
        "ACCUSE",
        "accuse accusation allege allegation blame condemn condemnation criticize criticise criticism "
        "denounce decry deplore slam/VERB lambast lambaste rebuke censure castigate chastise "
        "investigate investigation probe inquiry enquiry sue lawsuit complaint complain indict "
        "indictment prosecute prosecution genocide atrocity disapprove",
    ),
    ("REJECT", "reject rejection refuse refusal veto rebuff defy defiance snub"),
    ("THREATEN", "threaten ultimatum"),
    ("REQUEST", "urge appeal/VERB request/VERB plead implore demand/VERB"),
    ("AGREE", "promise pledge commitment"),
    (
        "CONSULT",
        "meet meeting talk/NNS negotiate negotiation discuss discussion consult consultation visit "
        "summit mediate mediation dialogue dialog confer conference phone/VERB telephone/VERB "
        "videoconference",
    ),
    (
        "SUPPORT",
        "praise commend welcome/VERB endorse endorsement applaud hail/VERB congratulate thank "
        "solidarity support/VERB back/VERB",
    ),
    ("CONCEDE", "concede concession apologize apologise apology pardon amnesty relent"),
    ("COOPERATE", "cooperate collaborate collaboration extradite extradition"),
    ("AID", "aid assistance donate donation loan bailout grant/NOUN asylum rescue airlift"),
    (
        "RETREAT",
        "retreat withdraw withdrawal resign resignation surrender disarm disarmament demobilize "
        "demobilise repatriate repatriation cede",
    ),
    (HARM, "countermeasure retaliation retaliate reprisal revenge consequence repercussion response/NOUN"),
)

# Nouns that often only mention an ongoing situation ("over its invasion of Ukraine"): an event only when a
# light verb ("launched an invasion") or a cue word ("end the war", "pledged support") governs them.
WEAK: tuple[tuple[str, str], ...] = (
    (
        "ASSAULT",
        "war/NOUN invasion/NOUN conflict/NOUN offensive/NOUN hostility/NOUN occupation/NOUN "
        "aggression/NOUN operation/NOUN action/NOUN violence/NOUN",
    ),
    (
        "AGREE",
        "agreement/NOUN deal/NOUN accord/NOUN treaty/NOUN pact/NOUN ceasefire/NOUN truce/NOUN "
        "settlement/NOUN offer/NOUN",
    ),
    ("SUPPORT", "support/NOUN backing/NOUN"),
    ("COOPERATE", "cooperation/NOUN trade/NOUN"),
    ("AID", "relief/NOUN funding/NOUN help/NOUN"),
    ("THREATEN", "threat/NOUN"),
    # "given in to the demands", "at the request of": a request is news when someone makes it.
    ("REQUEST", "appeal/NOUN request/NOUN plea/NOUN demand/NNS"),
)

# Multi-word triggers, as lemmas; a word ending in "?" is optional.
PHRASES: tuple[tuple[str | None, str, int], ...] = (
    # (label or None to exclude, lemmas, priority)
    ("ASSAULT", "air strike", 4),
    ("ASSAULT", "air campaign", 3),
    ("ASSAULT", "open fire", 3),
    ("ASSAULT", "suicide bombing", 3),
    ("ASSAULT", "car bomb", 3),
    ("ASSAULT", "hostage - taking", 3),
    ("MOBILIZE", "test - fire", 5),
    ("MOBILIZE", "test - launch", 5),
    ("MOBILIZE", "show of force", 3),
    ("MOBILIZE", "high alert", 3),
    ("MOBILIZE", "combat readiness", 3),
    ("MOBILIZE", "build - up", 3),
    ("MOBILIZE", "missile test", 3),
    ("COERCE", "tear gas", 4),
    ("COERCE", "water cannon", 4),
    ("COERCE", "rubber bullet", 4),
    ("COERCE", "martial law", 3),
    ("COERCE", "state of emergency", 3),
    ("COERCE", "house arrest", 3),
    ("COERCE", "emergency rule", 3),
    ("SANCTION", "persona non grata", 4),
    ("CONSULT", "video call", 3),
    ("SANCTION", "export control", 3),
    ("SANCTION", "travel ban", 4),
    ("SANCTION", "price cap", 3),
    ("SANCTION", "asset freeze", 3),
    ("SANCTION", "trade war", 3),
    ("SANCTION", "punitive measure", 3),
    ("PROTEST", "hunger strike", 5),
    ("PROTEST", "general strike", 5),
    ("PROTEST", "sit - in", 3),
    ("PROTEST", "take to the? street", 3),
    ("ACCUSE", "war crime", 3),
    ("ACCUSE", "crime against humanity", 3),
    ("ACCUSE", "human rights abuse", 3),
    ("ACCUSE", "human rights violation", 3),
    ("CONSULT", "phone call", 3),
    ("CONSULT", "telephone call", 3),
    ("CONSULT", "telephone conversation", 3),
    ("CONSULT", "round of talk", 3),
    ("CONSULT", "peace talk", 3),
    ("CONSULT", "negotiate table", 3),
    ("AID", "humanitarian aid", 3),
    ("AID", "arm sale", 3),
    ("AID", "weapon sale", 3),
    ("AID", "arm delivery", 3),
    ("AID", "weapon delivery", 3),
    ("AID", "humanitarian assistance", 3),
    ("AID", "humanitarian supply", 3),
    ("AID", "humanitarian convoy", 3),
    ("AID", "debt relief", 3),
    ("AID", "disaster relief", 3),
    ("AID", "emergency relief", 3),
    ("RETREAT", "humanitarian corridor", 3),
    ("RETREAT", "prisoner swap", 4),
    ("RETREAT", "prisoner exchange", 4),
    ("RETREAT", "cease - fire", 2),
    ("COOPERATE", "co - operate", 3),
    ("COOPERATE", "co - operation", 2),
    ("COOPERATE", "work together", 3),
    ("COOPERATE", "work closely", 3),
    ("COOPERATE", "joint venture", 3),
    # Not events: a word of the lexicon in another sense.
    (None, "heart attack", 9),
    (None, "panic attack", 9),
    (None, "aid worker", 9),
    (None, "aid agency", 9),
    (None, "aid group", 9),
    (None, "aid organisation", 9),
    (None, "aid organization", 9),
    (None, "news conference", 9),
    (None, "cabinet meeting", 9),
    (None, "board meeting", 9),
    (None, "press conference", 9),
    (None, "talk show", 9),
    (None, "death penalty", 9),
    (None, "shell company", 9),
    (None, "visit visa", 9),
    (None, "free of charge", 9),
    (None, "in charge", 9),
    # A state, not an act: "freed after three years in jail", "died in custody", "for consultations".
    (None, "in jail", 9),
    (None, "in prison", 9),
    (None, "in custody", 9),
    (None, "in detention", 9),
    (None, "behind bar", 9),
    (None, "for consultation", 9),
    # A manner, not an act of its own: "recalled its ambassador in protest".
    (None, "in protest", 9),
)

# Dependents that settle a word's sense: "released prisoners" is an event, "released a statement" is not.
TROOPS = (
    "troop force soldier army unit battalion brigade division warship warplane ship submarine bomber "
    "mercenary contractor reservist reinforcement paratrooper marine fighter jet aircraft vessel "
    "carrier personnel police military"
)
ARMS = (
    "weapon arm ammunition munition tank artillery howitzer rifle missile drone equipment system "
    "jet fighter rocket launcher shell"
)
GOODS = (
    "aid assistance food medicine fuel money fund funding loan grant vaccine supply relief shelter tent "
    "blanket ration help support package dollar euro wheat grain rice flour water generator"
)
CAPTIVES = (
    "prisoner hostage detainee captive journalist activist soldier pow sailor crew inmate dissident "
    "civilian child woman man people person worker national citizen protester leader politician "
    "blogger student reporter fighter member"
)
PLACES = (
    "town city village territory control airport base port region area bridge plant hill position "
    "ground district province capital outskirt neighbourhood neighborhood settlement"
)
DEALS = (
    "agreement deal accord pact treaty truce ceasefire compromise settlement understanding arrangement "
    "consensus memorandum declaration protocol"
)
TIES = "tie relation relationship contact"
TRADE = "import export flight trade shipment sale purchase investment"
# "released dozens of prisoners": the object is a quantity of the word that settles the sense.
QUANTITIES = (
    "dozen hundred thousand million score number group batch some many several most all couple "
    "handful scores hundreds thousands dozens tonne ton barrel"
)
TIME_WORDS = (
    "monday tuesday wednesday thursday friday saturday sunday day week month year weekend morning "
    "evening night time date hour minute"
)
AUTHORITIES = (
    "police officer authority government regime army military junta troop force soldier security "
    "ministry state administration"
)
# People named by what they do: "rescue workers", "protest leaders" are people, not acts.
AGENT_NOUNS = (
    "worker team official leader member staff volunteer expert chief spokesman spokeswoman "
    "spokesperson minister envoy negotiator group agency organisation organization organiser "
    "organizer movement camp site activist analyst correspondent service "
    # and things named by what they serve: "aid programmes", "the sanctions regime", "a rescue mission"
    "programme program budget policy regime law legislation bill system mission police gear"
)
# Nouns whose "for"/"over" phrase gives a reason, not a content: "revenge for the killing".
REASON_NOUNS = (
    "revenge retaliation reprisal sanction punishment penalty blame responsibility apology "
    "compensation condolence praise criticism condemnation fine arrest detention sentence"
)
NATURAL = (
    "storm flood earthquake quake virus disease covid pandemic heatwave fire wildfire blaze landslide "
    "avalanche crash accident cancer outbreak tornado hurricane cyclone typhoon drought collision "
    "stampede lightning heat cold illness infection tsunami eruption mudslide rain rainfall snow "
    "snowstorm blizzard wind gale flooding monsoon weather"
)
# People named by their protest: they report one only when they act ("protesters blocked the road").
PROTEST_PEOPLE = "protester protestor demonstrator rioter marcher"
PROTESTERS = (
    "protester protestor demonstrator rioter marcher crowd mob student activist worker supporter "
    "striker picket"
)
POLICE = "police officer agent authority investigator prosecutor detective policeman"
LABOUR = (
    "worker union employee staff pay wage pension teacher nurse doctor driver miner salary walkout "
    "picket labour labor railway rail dock port airline pilot production factory"
)
MILITARY_STRIKE = (
    "air missile drone rocket artillery military nuclear pre-emptive preemptive retaliatory "
    "precision israeli russian us american ukrainian aerial naval surgical deadly"
)


@dataclass(frozen=True)
class Link:
    """One dependent of a rule's head word: its relation, its lemmas ("" = any), and a preposition if any."""

    rel: str  # obj | subj | prep | prt | mod | comp | poss | xcomp | desc
    lemmas: str = ""
    prep: str = ""


@dataclass(frozen=True)
class Rule:
    """A head word plus dependents that together name an act (``label`` None: together they are no event)."""

    label: str | None
    heads: str
    links: tuple[Link, ...]
    pos: str = ""
    trigger: str = "head"  # "head", or "dep": the first link's word names the event
    priority: int = 3
    # Whether the rule's dependents lose their own reading ("withdrew from the talks" is not also CONSULT).
    consumes: bool = True
    # Found through its first dependent with a word list rather than its heads, which are common words
    # ("be", "make", "open"): a cheaper index entry, same matches.
    keyed: bool = False


# Above every event rule's priority: a rule that says "no event here" wins wherever it matches.
NOT_EVENT_PRIORITY = 9


def words(text: str) -> list[str]:
    return text.split()


def obj(lemmas: str = "") -> Link:
    return Link("obj", lemmas)


def subj(lemmas: str = "") -> Link:
    return Link("subj", lemmas)


def prep(preps: str, lemmas: str = "") -> Link:
    return Link("prep", lemmas, preps)


def prt(particles: str) -> Link:
    return Link("prt", particles)


def mod(lemmas: str) -> Link:
    return Link("mod", lemmas)


def xcomp(lemmas: str = "") -> Link:
    return Link("xcomp", lemmas)


def desc(lemmas: str) -> Link:
    return Link("desc", lemmas)


def rule(
    label: str | None,
    heads: str,
    *links: Link,
    pos: str = "",
    trigger: str = "head",
    priority: int = 3,
    consumes: bool = True,
    keyed: bool = False,
) -> Rule:
    return Rule(label, heads, tuple(links), pos, trigger, priority, consumes, keyed)


def not_event(heads: str, *links: Link, pos: str = "", consumes: bool = True, keyed: bool = False) -> Rule:
    """A reading of event words that names no event ("execute a plan", "a legal battle"): it outranks
    every rule that would read one there."""
    return rule(None, heads, *links, pos=pos, priority=NOT_EVENT_PRIORITY, consumes=consumes, keyed=keyed)


LIGHT_VERBS = (
    "launch begin start wage mount conduct carry step escalate intensify continue expand resume "
    "order unleash renew stage lead"
)
WEAK_VIOLENCE = "invasion war offensive operation action hostility incursion assault attack violence"

RULES: tuple[Rule, ...] = (
    # ASSAULT
    rule("ASSAULT", LIGHT_VERBS, obj(WEAK_VIOLENCE), trigger="dep", keyed=True),
    rule(
        "ASSAULT",
        "continue intensify escalate rage erupt resume spread drag flare",
        subj(
            "war fighting fight offensive operation hostility clash battle violence attack bombardment "
            "shelling"
        ),
    ),
    rule("ASSAULT", "break", prt("out"), subj("war fighting fight hostility clash battle violence")),
    rule(
        "ASSAULT",
        "operation action",
        mod(
            "military offensive combat special ground air naval "
            "counterterrorism counter-terrorism punitive armed"
        ),
        pos="NOUN",
    ),
    rule(
        "ASSAULT",
        "fire",
        obj(
            "rocket missile shell shot bullet round mortar gun weapon drone artillery grenade "
            "salvo projectile"
        ),
        priority=3,
    ),
    rule("ASSAULT", "fire", prep("on at into upon"), priority=3),
    rule("ASSAULT", "exchange trade", obj("fire gunfire shot blow rocket"), priority=4, keyed=True),
    rule("ASSAULT", "hit", subj("missile rocket strike shell drone bomb airstrike artillery warplane")),
    rule("ASSAULT", "seize take", obj(PLACES)),
    rule("ASSAULT", "take", desc("hostage captive")),
    rule("ASSAULT", "hold", desc("hostage")),
    rule("ASSAULT", "use", obj("force weapon"), pos="VERB"),
    rule("ASSAULT", "blow", prt("up")),
    rule("ASSAULT", "intercept", obj("missile drone rocket projectile")),
    rule("ASSAULT", "liberate", obj(PLACES)),
    rule(
        "ASSAULT",
        "launch",
        obj("missile rocket drone strike airstrike"),
        prep("at on against into toward towards"),
    ),
    rule("MOBILIZE", "launch", obj("missile rocket")),
    rule("MOBILIZE", "fire launch", prep("into", "sea water ocean"), priority=5),
    # Natural causes are not attacks.
    not_event("kill destroy hit strike damage wound", subj(NATURAL)),
    not_event("kill destroy wound", prep("in by during", NATURAL)),
    not_event(
        "fight battle combat tackle",
        obj(NATURAL + " inflation corruption poverty crime hunger drug charge unemployment climate"),
    ),
    not_event("fight battle", prep("against", NATURAL + " inflation corruption poverty crime hunger")),
    not_event("attack", mod("heart panic asthma")),
    # Words of violence used for words and plans: "attacked the government's policy", "seized the moment".
    rule(
        "ACCUSE",
        "attack slam",
        obj(
            "policy plan decision handling remark record budget proposal law bill comment statement approach "
            "stance position idea reform strategy response"
        ),
        pos="VERB",
        priority=4,
    ),
    not_event("attack", prep("on", "democracy freedom right sovereignty constitution press")),
    not_event("execute", obj("plan order strategy trade deal contract programme program transaction")),
    not_event("seize capture", obj("opportunity initiative moment chance market attention imagination")),
    not_event("strike", obj("balance chord note tone pose")),
    not_event("shoot", obj("film video scene movie documentary footage photo")),
    rule(None, "storm", prt("out off"), priority=3),
    not_event(
        "affect hurt cripple damage weaken harm squeeze isolate",
        prep("by", "sanction embargo tariff war conflict restriction lockdown blockade ban"),
    ),
    # Judgements of an actor's act: "the war has been a strategic blunder".
    rule(
        "ACCUSE",
        "be",
        obj("blunder fiasco failure disaster mistake crime outrage disgrace"),
        trigger="dep",
        priority=2,
        keyed=True,
    ),
    # Measures aimed at people: "the sanctions target 20 individuals".
    not_event("target", subj("sanction measure law policy ban restriction rule tariff"), consumes=False),
    # A measure or a war as the cause of a state: "sanctions have crippled the economy".
    not_event(
        "affect hurt cripple damage weaken harm squeeze bite do work fail push drive",
        subj("sanction embargo tariff war conflict restriction lockdown blockade ban fighting"),
        keyed=True,
    ),
    # Struggles that are not fighting: "a legal battle", "a political fight".
    not_event(
        "battle fight war fighting",
        mod(
            "legal political court electoral election uphill verbal price bidding custody culture propaganda"
        ),
    ),
    rule("ASSAULT", "beat", prep("to", "death")),
    rule(
        "ASSAULT",
        "beat",
        obj("protester demonstrator prisoner detainee journalist civilian student activist villager"),
        pos="VERB",
    ),
    # MOBILIZE
    rule(
        "MOBILIZE",
        "send move bring dispatch rush station position gather concentrate muster mass pour deploy "
        "build scramble",
        obj(TROOPS),
    ),
    rule("MOBILIZE", "move gather mass arrive advance roll", subj(TROOPS)),
    rule("MOBILIZE", "move mass station reposition", obj(ARMS), keyed=True),
    rule("MOBILIZE", "order", obj(TROOPS), prep("to into toward towards")),
    rule("MOBILIZE", "build", prt("up"), priority=3),
    rule(
        "MOBILIZE",
        "step tighten heighten increase boost beef reinforce",
        obj("security patrol presence checkpoint"),
        keyed=True,
    ),
    rule(
        "MOBILIZE",
        "arm",
        obj("supporter civilian volunteer militia villager resident"),
        pos="VERB",
        keyed=True,
    ),
    not_event(
        "deploy redeploy",
        obj(
            "software technology app application tool capital fund resource update code strategy robot camera"
        ),
    ),
    rule("MOBILIZE", "call", prt("up"), obj("reservist soldier troop man conscript")),
    rule("MOBILIZE", "recruit", obj("soldier fighter mercenary volunteer reservist conscript troop")),
    rule(
        "MOBILIZE",
        "exercise drill manoeuvre maneuver wargame",
        mod("military naval air army live-fire live nuclear combat large-scale snap war"),
        pos="NOUN",
    ),
    rule("MOBILIZE", "test", mod("missile nuclear weapon weapons"), pos="NOUN"),
    rule("MOBILIZE", "alert", prep("on")),
    rule("MOBILIZE", "put place", prep("on", "alert")),
    rule("RETREAT", "bring", Link("mod", "home"), obj(TROOPS), priority=4),
    rule("MOBILIZE", "march", subj(TROOPS), priority=4),
    # COOPERATE (joint military activity outranks MOBILIZE)
    rule(
        "COOPERATE",
        "exercise drill patrol operation venture project production development manoeuvre "
        "maneuver investigation force mission",
        mod("joint"),
        pos="NOUN",
        priority=4,
    ),
    rule("COOPERATE", "", Link("mod", "jointly"), pos="VERB", priority=4),
    rule("COOPERATE", "share exchange", obj("intelligence information data technology expertise")),
    rule(
        "COOPERATE",
        "resume expand boost increase restore deepen strengthen",
        obj("trade flight investment export import shipment cooperation co-operation exchange"),
    ),
    # COERCE
    rule("COERCE", "fire use", obj("gas"), priority=4),
    rule("COERCE", "disperse", obj(PROTESTERS + " protest rally gathering demonstration"), consumes=False),
    rule("COERCE", "raid", subj(POLICE), priority=4),
    rule("COERCE", "round", prt("up")),
    rule("COERCE", "crack", prt("down")),
    rule(
        "COERCE",
        "seize",
        obj(
            "asset property passport computer document tanker cargo shipment drug phone "
            "equipment land newspaper vessel ship account"
        ),
    ),
    rule("COERCE", "shut block", obj("internet website access newspaper media outlet platform channel site")),
    rule("COERCE", "shut", prt("down"), obj("internet website newspaper media outlet platform channel site")),
    rule("COERCE", "cut", obj("power water electricity internet phone communication network"), priority=4),
    rule("COERCE", "restrict", obj("access movement freedom right media speech assembly travel gathering")),
    rule(
        "COERCE",
        "revoke suspend strip",
        obj("licence license accreditation citizenship passport"),
        priority=4,
    ),
    rule("COERCE", "jam", obj("signal broadcast transmission")),
    rule("COERCE", "withhold", obj("salary wage food medicine fuel aid supply payment")),
    rule("COERCE", "declare impose", obj("emergency"), priority=4, keyed=True),
    rule(
        "COERCE",
        "dissolve suspend",
        obj("parliament constitution party assembly union legislature"),
        priority=4,
    ),
    rule("SANCTION", "expel", obj("diplomat ambassador envoy attache consul mission staff"), priority=4),
    rule(
        "SANCTION",
        "expel",
        prep(
            "from",
            "organisation organization group union alliance council party league body forum club federation",
        ),
        priority=4,
    ),
    rule("SANCTION", "ban", prep("on", TRADE), priority=4),
    rule("SANCTION", "ban halt restrict suspend stop block", obj(TRADE), priority=4),
    # SANCTION
    rule("SANCTION", "recall withdraw", obj("ambassador envoy diplomat"), priority=4),
    rule("SANCTION", "sever cut break downgrade suspend freeze", obj(TIES), priority=4),
    rule("SANCTION", "freeze", obj("asset account fund")),
    rule("SANCTION", "close", obj("embassy consulate border airspace port mission crossing")),
    rule(
        "SANCTION",
        "cut halt stop suspend reduce",
        obj("supply gas oil export aid funding delivery shipment import"),
        priority=4,
    ),
    rule("SANCTION", "impose slap introduce", obj("duty levy")),
    rule("SANCTION", "collapse fail stall break", subj("talk negotiation")),
    rule(
        "SANCTION",
        "walk storm",
        prt("out away"),
        prep("of from", "talk negotiation meeting summit deal agreement"),
        priority=4,
    ),
    rule("PROTEST", "walk", prt("out"), priority=2),
    rule(
        "SANCTION",
        "withdraw pull",
        prep(
            "from out of",
            "treaty agreement deal talk negotiation accord pact "
            "organisation organization alliance convention council body",
        ),
        priority=4,
    ),
    rule(
        "SANCTION",
        "withdraw pull",
        obj("observer aid support funding recognition monitor peacekeeper staff mission"),
        priority=4,
    ),
    rule("SANCTION", "suspend", obj("membership")),
    rule(
        "SANCTION",
        "quit leave exit abandon",
        obj("treaty agreement deal pact accord alliance organisation organization union council talk"),
        priority=4,
        keyed=True,
    ),
    rule("SANCTION", "find", Link("comp", "guilty liable")),
    # PROTEST
    rule("PROTEST", "march", prep("against through on to towards toward in"), pos="VERB"),
    rule("PROTEST", "demonstrate rally", prep("against outside in for near"), pos="VERB"),
    rule(
        "PROTEST",
        "block barricade",
        obj("road highway street bridge entrance motorway railway crossing checkpoint"),
    ),
    rule(
        "COERCE",
        "block barricade close seal",
        obj("road highway street bridge entrance motorway railway"),
        subj(AUTHORITIES),
        priority=4,
    ),
    not_event("rally", prep("in", "price share stock market bond dollar oil currency")),
    # ACCUSE
    rule("ACCUSE", "commit", obj("crime atrocity genocide abuse violation massacre murder"), priority=4),
    rule("ACCUSE", "call", prt("out"), priority=4),
    rule("ACCUSE", "dismiss", prep("as")),
    rule("ACCUSE", "protest", obj(""), pos="VERB", priority=4),
    rule("ACCUSE", "lodge file deliver register send issue", obj("protest complaint"), keyed=True),
    rule("ACCUSE", "protest", mod("formal official diplomatic strong written"), pos="NOUN", priority=4),
    rule("ACCUSE", "summon", obj("ambassador envoy diplomat charge")),
    rule("ACCUSE", "call", obj("ambassador envoy diplomat charge"), prt("in"), priority=4, keyed=True),
    rule(
        "ACCUSE",
        "call brand label describe",
        Link(
            "comp",
            "sham farce fraud travesty provocation lie mistake crime violation disgrace insult outrage "
            "terrorist terrorism genocide aggression betrayal",
        ),
        priority=4,
        keyed=True,
    ),
    rule("ACCUSE", "charge", prep("with"), pos="VERB"),
    rule("ACCUSE", "charge", prep("of against"), pos="NOUN"),
    rule("ACCUSE", "charge", mod("criminal murder corruption terrorism fraud treason espionage"), pos="NOUN"),
    rule("ACCUSE", "object", prep("to"), pos="VERB"),
    rule("ACCUSE", "violate breach break", obj("ceasefire truce agreement law sanction rule")),
    # REJECT
    rule("REJECT", "turn", prt("down")),
    rule("REJECT", "rule", prt("out")),
    rule("REJECT", "vote", prep("against")),
    rule("REJECT", "vote", prt("down")),
    rule("REJECT", "decline", obj("offer invitation request proposal call demand")),
    not_event(
        "decline",
        xcomp(
            "comment elaborate say confirm disclose give specify respond answer discuss "
            "identify name speak provide detail"
        ),
    ),
    rule("REJECT", "decline", xcomp("")),
    rule(
        "REJECT",
        "block",
        obj(
            "bid resolution proposal deal bill sale plan application membership accession "
            "move nomination measure attempt package"
        ),
    ),
    rule("REJECT", "deny", obj("request access entry visa permission application")),
    rule("REJECT", "dismiss", obj("proposal offer plan demand call request idea suggestion"), priority=4),
    not_event("deny dismiss call brush defend", obj("accusation allegation claim charge report")),
    not_event("defend", prep("against", "accusation allegation claim charge criticism")),
    rule("REJECT", "boycott", obj("talk negotiation meeting summit session vote"), priority=4),
    # THREATEN
    rule("THREATEN", "issue make repeat renew", obj("threat warning")),
    # "warned the doctors they would be fired if they did not return"
    rule("THREATEN", "warn caution", Link("ifcomp")),
    rule(HARM, "face suffer bear", obj("consequence repercussion retaliation response")),
    rule(HARM, "pay", obj("price")),
    rule(
        HARM,
        "step measure action response move",
        mod("retaliatory punitive forceful decisive harsh tough"),
        pos="NOUN",
    ),
    rule(HARM, "respond react", Link("mod", "forcefully decisively harshly firmly militarily strongly")),
    # REQUEST
    rule("REQUEST", "call", prep("for on upon", "!" + TIME_WORDS), pos="VERB"),
    rule("REQUEST", "ask", xcomp("")),
    rule("REQUEST", "ask", prep("for")),
    rule("REQUEST", "press", xcomp(""), pos="VERB"),
    rule("REQUEST", "press", prep("for"), pos="VERB"),
    # The act ordered keeps its own reading; an order to one's own forces is no request (see events.py).
    rule("REQUEST", "order", xcomp(""), pos="VERB", consumes=False),
    rule("MOBILIZE", "order", obj(TROOPS), xcomp("prepare ready stand deploy"), priority=4),
    rule(
        "REQUEST",
        "seek",
        obj(
            "help aid asylum extradition support talk clarification compensation release "
            "assistance refuge protection guarantee explanation"
        ),
    ),
    rule("REQUEST", "demand", Link("poss", ""), pos="NOUN"),
    rule(
        "REQUEST",
        "make issue launch submit renew repeat reiterate voice present send deliver",
        obj("demand request appeal plea call"),
        trigger="dep",
        keyed=True,
    ),
    # AGREE
    rule("AGREE", "agree", xcomp("")),
    rule("AGREE", "agree", prep("to on upon")),
    rule("AGREE", "agree", obj("!package sanction measure penalty tariff ban")),
    rule(
        "AGREE",
        "reach strike seal clinch conclude broker negotiate hammer agree achieve",
        obj(DEALS),
        priority=4,
    ),
    rule(
        "AGREE",
        "accept",
        obj("offer proposal plan deal invitation mediation agreement ceasefire truce term compromise"),
    ),
    rule(
        "AGREE",
        "offer",
        obj(
            "talk help aid support assistance deal ceasefire truce concession compromise "
            "proposal plan mediation guarantee security"
        ),
    ),
    rule("AGREE", "ceasefire truce", Link("mod", "agreed")),
    # CONCEDE
    rule("CONCEDE", "meet accept", obj("demand condition"), priority=4),
    not_event(
        "meet",
        obj(
            "target requirement expectation deadline need criterion goal obligation standard "
            "cost payment quota threshold challenge end"
        ),
    ),
    rule("CONCEDE", "admit", obj("mistake responsibility error wrongdoing failure guilt")),
    rule("CONCEDE", "express voice", obj("regret remorse")),
    rule("CONCEDE", "declare announce order", obj("ceasefire truce"), priority=4),
    rule("CONCEDE", "back climb", prt("down")),
    rule("CONCEDE", "give cave", prt("in"), priority=4),
    rule("CONCEDE", "bow yield accede cave", prep("to", "demand pressure call request"), priority=4),
    rule("CONCEDE", "comply", prep("with", "demand request call"), priority=4),
    rule("CONCEDE", "reverse overturn revoke rescind", obj("decision ban order decree policy ruling law")),
    rule("CONCEDE", "legalise legalize unban", obj("")),
    # SUPPORT
    rule("SUPPORT", "sign ratify finalize finalise approve endorse initial", obj(DEALS), priority=4),
    rule("SUPPORT", "approve ratify endorse", obj("plan accession membership bid application")),
    rule(
        "SUPPORT", "express voice reiterate reaffirm declare offer pledge", obj("support solidarity backing")
    ),
    rule(
        "SUPPORT",
        "recognise recognize",
        obj("independence government state sovereignty statehood republic annexation"),
    ),
    rule(
        "SUPPORT",
        "restore normalize normalise establish resume upgrade improve strengthen deepen cultivate "
        "build forge mend",
        obj(TIES),
        priority=4,
    ),
    rule(None, "back", prt("down away out off"), priority=2),
    # CONSULT
    rule(
        "CONSULT",
        "host receive welcome",
        obj(
            "talk summit meeting leader president minister delegation "
            "counterpart conference envoy visitor king premier chancellor"
        ),
        priority=4,
    ),
    rule("CONSULT", "speak talk confer", prep("by", "phone telephone videoconference video")),
    rule("CONSULT", "talk", prep("with to")),
    # Visiting places and one's own people is no consultation with another actor.
    not_event(
        "visit",
        obj(
            "school hospital factory site camp zone village front frontline museum farm plant mosque church "
            "temple shrine memorial troop soldier base ship wounded victim survivor flood scene"
        ),
    ),
    rule("CONSULT", "call", mod("phone telephone video")),
    # Speaking to a counterpart is a talk ("told his Chinese counterpart that ...").
    rule("CONSULT", "tell", obj("counterpart"), keyed=True),
    not_event("talk speak", prep("to with", "reporter journalist press media supporter student")),
    # AID
    rule(
        "AID",
        "send supply deliver provide give ship donate transfer airlift allocate extend",
        obj(ARMS + " " + GOODS),
    ),
    rule("AID", "grant give offer provide", obj("asylum refuge protection aid loan")),
    rule("AID", "take", prt("in"), obj("refugee migrant asylum-seeker people family")),
    rule("AID", "shelter house host", obj("refugee migrant asylum-seeker displaced")),
    # RETREAT
    rule("RETREAT", "release free", obj(CAPTIVES), priority=4),
    rule(
        "RETREAT",
        "hand",
        prt("over back"),
        obj("control weapon arm territory town city prisoner power region area body"),
    ),
    rule(
        "RETREAT",
        "return",
        obj("refugee prisoner territory land property asset body child equipment passport vessel ship crew"),
    ),
    rule("RETREAT", "allow grant permit give", obj("access entry passage")),
    rule(
        "RETREAT",
        "allow let permit admit",
        obj("inspector observer monitor peacekeeper investigator journalist convoy"),
        keyed=True,
    ),
    rule("RETREAT", "open establish", obj("corridor")),
    rule("RETREAT", "pull", prt("out back"), pos="VERB"),
    rule("RETREAT", "lay put", prt("down"), obj("arm weapon gun")),
    rule("RETREAT", "step", prt("down aside")),
    rule("RETREAT", "observe respect implement honour honor", obj("ceasefire truce")),
    rule("RETREAT", "abide", prep("by", "ceasefire truce")),
    rule("RETREAT", "reopen open", obj("crossing border checkpoint corridor"), priority=4, keyed=True),
    rule("RETREAT", "hand give", prt("back"), obj(""), keyed=True),
    rule("RETREAT", "surrender hand lay", obj("weapon arm gun"), keyed=True),
    rule(
        "RETREAT",
        "dismantle decommission destroy",
        obj("arsenal stockpile weapon programme program"),
        priority=4,
    ),
    rule("RETREAT", "exchange swap", obj("prisoner captive body")),
    rule("RETREAT", "hold", subj("ceasefire truce")),
    rule("RETREAT", "take", subj("ceasefire truce"), obj("effect")),
    rule("RETREAT", "come enter", subj("ceasefire truce"), prep("into", "force effect"), keyed=True),
)

# Cue words change the act below them: "promised to reduce attacks" is AGREE, "threatened to cut gas"
# THREATEN.
PROMISE, OATH, THREAT, WARN, ASK, REFUSE, DROP, LEGAL, STOP, PREPARE, INTEND, ALLOW, CONSIDER = (
    "promise",
    "oath",
    "threat",
    "warn",
    "ask",
    "refuse",
    "drop",
    "legal",
    "stop",
    "prepare",
    "intend",
    "allow",
    "consider",
)
CUES: dict[str, str] = {
    # Offers, intentions and agreements to act: cooperative acts become AGREE.
    **dict.fromkeys(
        words(
            "offer agree commit undertake guarantee volunteer propose ready willing prepared open proposal "
            "commitment willingness readiness invite invitation"
        ),
        PROMISE,
    ),
    # Plans (through an infinitive): cooperative acts become AGREE, hostile ones stay what they are.
    **dict.fromkeys(words("plan intend intention aim schedule due set"), INTEND),
    # Promises and vows: cooperative acts become AGREE, hostile ones THREATEN.
    **dict.fromkeys(words("promise pledge vow swear"), OATH),
    **dict.fromkeys(words("threaten threat ultimatum"), THREAT),
    **dict.fromkeys(words("warn caution"), WARN),
    **dict.fromkeys(words("urge demand ask appeal press plead request implore beg call seek order"), ASK),
    # "turn" and "rule" only with "down" and "out".
    **dict.fromkeys(
        words("refuse reject decline veto rebuff snub spurn unwilling reluctant turn rule"), REFUSE
    ),
    # Legal steps taken "for" or "over" an act, and investigations of it: the act is alleged, not reported.
    **dict.fromkeys(
        words(
            "arrest detain jail imprison sentence convict indict prosecute try punish fine fin guilty "
            "investigate investigation probe inquiry enquiry"
        ),
        LEGAL,
    ),
    # Denials, allegations, topics of talk and unrealised possibilities: the act below is not asserted.
    **dict.fromkeys(
        words(
            "deny accuse allege blame charge suspect suspicion allegation accusation claim discuss debate "
            "importance need necessity possibility expect likely unlikely bid effort hope optimism "
            "ballot referendum report "
            # What a deal provides for is not yet done; the deal is its own event ("reached a deal").
            "agreement deal pact accord "
            "risk fear expectation prospect chance danger speculation rumour rumor concern worry ability "
            "capacity prevent avoid evade circumvent bypass deter refrain fail"
        ),
        DROP,
    ),
    **dict.fromkeys(
        words(
            "stop halt end cease suspend reduce curtail cut scale wind pause lift ease relax drop abandon "
            "terminate cancel postpone scrap suspension lifting easing cessation cancellation reduction "
            "halt"
        ),
        STOP,
    ),
    "prepare": PREPARE,
    # Weighing an act in public: a hostile one is a threat ("looking at options to expand sanctions"), a
    # cooperative one is not yet a commitment.
    **dict.fromkeys(words("consider weigh mull contemplate option explore"), CONSIDER),
    # Letting another act: access granted (RETREAT), dissent tolerated (CONCEDE).
    **dict.fromkeys(words("allow let permit"), ALLOW),
}
