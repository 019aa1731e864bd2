"""Place names and demonyms for the entity ruler: countries, capitals, major cities, US states, peoples.

A general list, not tuned to any one corpus: every sovereign state with its common spellings, its capital,
cities that are often in international news, and the adjectives/nouns for their peoples. Names that are
also common personal names are listed in ``PERSON_LIKE`` so a PERSON the model found is not relabelled.
"""

from __future__ import annotations

# One name per line or "|"-separated; the NER label follows from the list a name is in.
COUNTRIES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria
Azerbaijan|Bahamas|The Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia
Bosnia and Herzegovina|Bosnia|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cabo Verde|Cape Verde
Cambodia|Cameroon|Canada|Central African Republic|Chad|Chile|China|People's Republic of China|Colombia
Comoros|Congo|Republic of the Congo|Democratic Republic of the Congo|Democratic Republic of Congo|DR Congo
DRC|Costa Rica|Ivory Coast|Côte d'Ivoire|Cote d'Ivoire|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark
Djibouti|Dominica|Dominican Republic|East Timor|Timor-Leste|Ecuador|Egypt|El Salvador|Equatorial Guinea
Eritrea|Estonia|Eswatini|Swaziland|Ethiopia|Fiji|Finland|France|Gabon|Gambia|The Gambia|Georgia|Germany
Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia
Iran|Iraq|Ireland|Republic of Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo
Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar
Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco
Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Burma|Namibia|Nauru|Nepal|Netherlands|The Netherlands
Holland|New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Macedonia|Norway|Oman|Pakistan
Palau|Palestine|State of Palestine|Panama|Papua New Guinea|Paraguay|Peru|Philippines|The Philippines|Poland
Portugal|Qatar|Romania|Russia|Russian Federation|Rwanda|Saint Kitts and Nevis|Saint Lucia
Saint Vincent and the Grenadines|Samoa|San Marino|Sao Tome and Principe|São Tomé and Príncipe|Saudi Arabia
Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Solomon Islands|Somalia|South Africa
South Korea|Republic of Korea|Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria
Taiwan|Tajikistan|Tanzania|Thailand|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan
Tuvalu|Uganda|Ukraine|United Arab Emirates|UAE|U.A.E.|United Kingdom|UK|U.K.|Britain|Great Britain|England
Scotland|Wales|Northern Ireland|United States|United States of America|US|U.S.|USA|U.S.A.|America|Uruguay
Uzbekistan|Vanuatu|Vatican|Vatican City|Venezuela|Vietnam|Viet Nam|Yemen|Zambia|Zimbabwe|Greenland
Puerto Rico|Hong Kong|Macau|Macao|Gaza|Gaza Strip|West Bank|Crimea|Donbas|Donbass|Kashmir|Chechnya|Tibet
Xinjiang|Kurdistan|Somaliland|Transnistria|Abkhazia|South Ossetia|Nagorno-Karabakh|Catalonia
"""

CAPITALS = """
Kabul|Tirana|Algiers|Andorra la Vella|Luanda|Buenos Aires|Yerevan|Canberra|Vienna|Baku|Nassau|Manama|Dhaka
Bridgetown|Minsk|Brussels|Belmopan|Porto-Novo|Thimphu|La Paz|Sucre|Sarajevo|Gaborone|Brasilia|Brasília
Bandar Seri Begawan|Sofia|Ouagadougou|Gitega|Bujumbura|Phnom Penh|Yaounde|Yaoundé|Ottawa|Praia|Bangui
N'Djamena|Santiago|Beijing|Peking|Bogota|Bogotá|Moroni|Kinshasa|Brazzaville|San Jose|San José
Yamoussoukro|Zagreb|Havana|Nicosia|Prague|Copenhagen|Djibouti City|Roseau|Santo Domingo|Dili|Quito|Cairo
San Salvador|Malabo|Asmara|Tallinn|Mbabane|Addis Ababa|Suva|Helsinki|Paris|Libreville|Banjul|Tbilisi
Berlin|Accra|Athens|St. George's|Guatemala City|Conakry|Bissau|Georgetown|Port-au-Prince|Tegucigalpa
Budapest|Reykjavik|Reykjavík|New Delhi|Jakarta|Tehran|Teheran|Baghdad|Dublin|Jerusalem|Rome|Kingston|Tokyo
Amman|Astana|Nur-Sultan|Nairobi|Tarawa|Pristina|Kuwait City|Bishkek|Vientiane|Riga|Beirut|Maseru|Monrovia
Tripoli|Vaduz|Vilnius|Luxembourg City|Antananarivo|Lilongwe|Kuala Lumpur|Putrajaya|Bamako|Valletta|Majuro
Nouakchott|Port Louis|Mexico City|Palikir|Chisinau|Chișinău|Kishinev|Ulaanbaatar|Ulan Bator|Podgorica
Rabat|Maputo|Naypyidaw|Nay Pyi Taw|Windhoek|Kathmandu|Amsterdam|The Hague|Wellington|Managua|Niamey
Abuja|Pyongyang|Skopje|Oslo|Muscat|Islamabad|Ngerulmud|Panama City|Port Moresby|Asuncion|Asunción|Lima
Manila|Warsaw|Lisbon|Doha|Bucharest|Moscow|Kigali|Basseterre|Castries|Kingstown|Apia|Sao Tome|São Tomé
Riyadh|Dakar|Belgrade|Freetown|Bratislava|Ljubljana|Honiara|Mogadishu|Pretoria|Cape Town|Bloemfontein
Seoul|Juba|Madrid|Colombo|Khartoum|Paramaribo|Stockholm|Bern|Berne|Damascus|Taipei|Dushanbe|Dodoma
Lome|Lomé|Nuku'alofa|Port of Spain|Tunis|Ankara|Ashgabat|Funafuti|Kampala|Kyiv|Kiev|Abu Dhabi|London
Washington|Washington, D.C.|Washington D.C.|Montevideo|Tashkent|Port Vila|Caracas|Hanoi|Sanaa|Sana'a
Lusaka|Harare
"""

CITIES = """
New York|New York City|Los Angeles|Chicago|Houston|San Francisco|Boston|Miami|Seattle|Philadelphia|Atlanta
Dallas|Detroit|Denver|Baltimore|Pittsburgh|Cleveland|Las Vegas|San Diego|New Orleans|Minneapolis|St. Louis
Toronto|Montreal|Vancouver|Calgary|Sydney|Melbourne|Brisbane|Perth|Auckland|Shanghai|Guangzhou|Shenzhen
Wuhan|Chongqing|Tianjin|Chengdu|Osaka|Kyoto|Yokohama|Hiroshima|Nagasaki|Fukushima|Busan|Incheon|Mumbai
Bombay|Kolkata|Calcutta|Chennai|Madras|Bangalore|Bengaluru|Hyderabad|Delhi|Karachi|Lahore|Peshawar
Rawalpindi|Istanbul|Izmir|St Petersburg|St. Petersburg|Saint Petersburg|Novosibirsk|Yekaterinburg
Vladivostok|Kaliningrad|Grozny|Belgorod|Kursk|Rostov-on-Don|Kharkiv|Kharkov|Odesa|Odessa|Lviv|Mariupol
Dnipro|Zaporizhzhia|Zaporizhia|Kherson|Donetsk|Luhansk|Lugansk|Sevastopol|Simferopol|Chernihiv|Sumy|Bucha
Irpin|Mykolaiv|Kramatorsk|Bakhmut|Avdiivka|Aleppo|Homs|Idlib|Raqqa|Mosul|Basra|Erbil|Fallujah|Kandahar
Herat|Mazar-i-Sharif|Gaza City|Rafah|Khan Younis|Ramallah|Hebron|Tel Aviv|Haifa|Benghazi|Misrata|Lagos
Kano|Johannesburg|Durban|Casablanca|Marrakesh|Alexandria|Mombasa|Goma|Timbuktu|Sao Paulo|São Paulo
Rio de Janeiro|Guadalajara|Monterrey|Tijuana|Medellin|Medellín|Frankfurt|Munich|Hamburg|Cologne|Stuttgart
Milan|Naples|Venice|Florence|Turin|Barcelona|Seville|Valencia|Marseille|Lyon|Strasbourg|Manchester
Birmingham|Liverpool|Glasgow|Edinburgh|Cardiff|Belfast|Rotterdam|Antwerp|Geneva|Zurich|Zürich|Krakow|Kraków
Gdansk|Gdańsk|Salzburg|Minsk|Tbilisi|Dubai|Jeddah|Mecca|Medina|Ho Chi Minh City|Saigon|Bangkok|Yangon
Rangoon|Mandalay|Davao|Surabaya|Bali|Kabul|Tabriz|Isfahan|Mashhad|Najaf|Karbala|Taiz|Aden|Hodeidah
"""

US_STATES = """
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|Idaho|Illinois
Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri
Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|North Carolina|North Dakota|Ohio|Oklahoma
Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia
West Virginia|Wisconsin|Wyoming
"""

# Adjectives that also name the people; a plural "-s" form is derived where English makes one.
DEMONYMS = """
Afghan|Albanian|Algerian|American|Andorran|Angolan|Argentine|Argentinian|Armenian|Australian|Austrian
Azerbaijani|Azeri|Bahamian|Bahraini|Bangladeshi|Barbadian|Belarusian|Belarussian|Belgian|Belizean|Beninese
Bhutanese|Bolivian|Bosnian|Botswanan|Brazilian|British|Bruneian|Bulgarian|Burkinabe|Burmese|Burundian
Cambodian|Cameroonian|Canadian|Chadian|Chilean|Chinese|Colombian|Congolese|Costa Rican|Croatian|Cuban
Cypriot|Czech|Danish|Djiboutian|Dominican|Dutch|Ecuadorian|Ecuadorean|Egyptian|Emirati|English|Eritrean
Estonian|Ethiopian|Fijian|Filipino|Finnish|French|Gabonese|Gambian|Georgian|German|Ghanaian|Greek
Guatemalan|Guinean|Guyanese|Haitian|Honduran|Hungarian|Icelandic|Indian|Indonesian|Iranian|Iraqi|Irish
Israeli|Italian|Ivorian|Jamaican|Japanese|Jordanian|Kazakh|Kazakhstani|Kenyan|Korean|Kosovar|Kuwaiti|Kyrgyz
Lao|Laotian|Latvian|Lebanese|Liberian|Libyan|Lithuanian|Luxembourgish|Malagasy|Malawian|Malaysian
Maldivian|Malian|Maltese|Mauritanian|Mauritian|Mexican|Moldovan|Mongolian|Montenegrin|Moroccan|Mozambican
Namibian|Nepalese|Nepali|Nicaraguan|Nigerian|Nigerien|North Korean|Norwegian|Omani|Pakistani|Palestinian
Panamanian|Paraguayan|Peruvian|Polish|Portuguese|Qatari|Romanian|Russian|Rwandan|Salvadoran|Saudi
Scottish|Senegalese|Serbian|Sierra Leonean|Singaporean|Slovak|Slovakian|Slovenian|Somali|South African
South Korean|South Sudanese|Spanish|Sri Lankan|Sudanese|Surinamese|Swazi|Swedish|Swiss|Syrian|Taiwanese
Tajik|Tanzanian|Thai|Togolese|Tongan|Trinidadian|Tunisian|Turkish|Turkmen|Ugandan|Ukrainian|Uruguayan|Uzbek
Venezuelan|Vietnamese|Welsh|Yemeni|Zambian|Zimbabwean|European|African|Asian|Arab|Arabian|Latin American
Kurdish|Kurd|Chechen|Tatar|Crimean|Pashtun|Baloch|Uyghur|Uighur|Rohingya|Hutu|Tutsi|Palestinian|Persian
Catalan|Basque|Flemish|Walloon|Sunni|Shia|Shiite|Muslim|Christian|Jewish|Jew|Catholic|Protestant|Hindu
Buddhist|Sikh|Republican|Democrat|Israeli|Cossack
"""

# People nouns that are not "<adjective>s": Poles, Danes, Swedes ...
DEMONYM_NOUNS = """
Poles|Danes|Swedes|Finns|Scots|Turks|Britons|Brits|Spaniards|Frenchman|Frenchmen|Frenchwoman|Englishman
Englishmen|Irishman|Irishmen|Dutchman|Welshman|Scotsman|Scotsmen|Arabs|Kurds|Jews|Filipinos|Filipinas
"""

# No plural "-s" for these endings: "the Chinese", "the British", "the Swiss".
_NO_PLURAL_ENDINGS = ("ese", "ish", "ch", "ss", "i", "k", "j")
_PLURAL_EXCEPTIONS = {
    "Saudi": "Saudis",
    "Iraqi": "Iraqis",
    "Israeli": "Israelis",
    "Pakistani": "Pakistanis",
    "Czech": "Czechs",
    "Kazakh": "Kazakhs",
    "Uzbek": "Uzbeks",
    "Tajik": "Tajiks",
    "Bangladeshi": "Bangladeshis",
    "Kuwaiti": "Kuwaitis",
    "Qatari": "Qataris",
    "Omani": "Omanis",
    "Yemeni": "Yemenis",
    "Emirati": "Emiratis",
    "Somali": "Somalis",
    "Nepali": "Nepalis",
    "Azeri": "Azeris",
    "Thai": "Thais",
    "Slovak": "Slovaks",
}


def names(block: str) -> list[str]:
    """The names of one block, in order, without blanks or repeats."""
    seen: dict[str, None] = {}
    for line in block.strip().splitlines():
        for name in line.split("|"):
            name = name.strip()
            if name:
                seen.setdefault(name, None)
    return list(seen)


# Place names that are also personal names: added where the model found nothing, never relabelled from PERSON.
PERSON_LIKE = frozenset(
    names(
        """
    Jordan|Chad|Georgia|Israel|Sofia|Santiago|Kingston|Paris|Houston|Sydney|Dallas|Lima|Florence|Victoria
    Washington|Georgetown|Valencia|Alexandria|Virginia|Carolina|Denver|Perth|Medina|Indiana|Montana|Nevada
    Tennessee|Vermont|Wellington|Aden|Christian|Catholic|Georgian|Chelsea|Kent|Lincoln
    """
    )
)


def demonym_plurals(adjectives: list[str]) -> list[str]:
    """Plural people nouns made from demonym adjectives (Ukrainians, Saudis), where English has them."""
    plurals = []
    for word in adjectives:
        if word in _PLURAL_EXCEPTIONS:
            plurals.append(_PLURAL_EXCEPTIONS[word])
        elif not word.endswith(_NO_PLURAL_ENDINGS):
            plurals.append(word + "s")
    return plurals


def place_patterns() -> list[dict[str, str]]:
    """Phrase patterns for spaCy's span ruler: GPE for places, NORP for peoples (sorted, so deterministic)."""
    gpe = names(COUNTRIES) + names(CAPITALS) + names(CITIES) + names(US_STATES)
    adjectives = names(DEMONYMS)
    norp = adjectives + demonym_plurals(adjectives) + names(DEMONYM_NOUNS)
    patterns = {(name, "GPE") for name in gpe} | {(name, "NORP") for name in norp}
    return [{"label": label, "pattern": name} for name, label in sorted(patterns)]
