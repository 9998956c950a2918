"""The words of the demo community: names, neighbourhoods, and what people offer and ask for.

Plain data, kept apart from the builder so the builder reads as the story of a time bank and
this file can grow without touching it. Every category in `Category` has offers and requests
here, so the demo shows that all kinds of help earn the same credit (DESIGN.md, "Redefining
work").
"""

from __future__ import annotations

from typing import NamedTuple

from coproduce.community.models import OrganisationKind
from coproduce.core.categories import Category


class Text(NamedTuple):
    title: str
    description: str
    tags: str


class NameGroup(NamedTuple):
    """First and last names that often go together, how common the group is locally, and the
    languages (besides English) people in it may speak."""

    weight: int
    first: tuple[str, ...]
    last: tuple[str, ...]
    languages: tuple[str, ...] = ()


NAME_GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        50,
        (
            "Margaret", "John", "Susan", "David", "Emma", "James", "Sarah", "Michael", "Helen",
            "Peter", "Laura", "Thomas", "Rachel", "Daniel", "Chloe", "George", "Lily", "Harry",
            "Olivia", "Jack", "Megan", "Rhys", "Siobhan", "Callum", "Eilidh", "Ewan", "Niamh",
            "Ciaran", "Bethan", "Dylan", "Joan", "Brian", "Pauline", "Keith", "Jean", "Graham",
            "Hannah", "Sophie", "Liam", "Gwen", "Ruth", "Colin", "Maureen", "Owen", "Grace",
        ),
        (
            "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
            "Thomas", "Roberts", "Johnson", "Walker", "Wright", "Robinson", "Thompson", "Hughes",
            "Edwards", "Green", "Hall", "Wood", "Clarke", "Jackson", "Murphy", "O'Brien",
            "Campbell", "Stewart", "MacDonald", "Morgan", "Price", "Lloyd", "Fletcher", "Doyle",
            "Bennett", "Shaw", "Harrison", "Fraser", "Kelly", "Parry", "Baxter", "Lynch",
        ),
        ("Welsh", "Irish", "Scottish Gaelic", "British Sign Language"),
    ),
    NameGroup(
        15,
        (
            "Priya", "Anjali", "Rajesh", "Sunita", "Arjun", "Kavita", "Vikram", "Deepa", "Amir",
            "Ayesha", "Imran", "Farah", "Bilal", "Nadia", "Tariq", "Zainab", "Hassan", "Rubina",
            "Sanjay", "Harpreet", "Gurpreet", "Jaspreet", "Rahul", "Meera", "Nusrat", "Shahid",
            "Fatima", "Asif", "Salma", "Kiran",
        ),
        (
            "Patel", "Shah", "Khan", "Ahmed", "Hussain", "Begum", "Ali", "Akhtar", "Iqbal",
            "Singh", "Kaur", "Gill", "Sharma", "Mistry", "Chowdhury", "Rahman", "Uddin", "Miah",
            "Malik", "Sandhu", "Bhatti", "Desai",
        ),
        ("Urdu", "Punjabi", "Gujarati", "Bengali", "Hindi"),
    ),
    NameGroup(
        10,
        (
            "Marcia", "Delroy", "Winston", "Claudette", "Andre", "Keisha", "Tyrone", "Jermaine",
            "Precious", "Chidi", "Ngozi", "Emeka", "Adaeze", "Kwame", "Akosua", "Kofi", "Ama",
            "Tunde", "Folake", "Abena", "Yaw", "Blessing", "Chioma", "Hyacinth", "Errol",
        ),
        (
            "Campbell", "Grant", "Reid", "Francis", "Williams", "Okafor", "Adeyemi", "Okonkwo",
            "Mensah", "Owusu", "Boateng", "Asante", "Adebayo", "Eze", "Nwosu", "Osei", "Bello",
            "Forbes", "Henry", "Lewis",
        ),
        ("Yoruba", "Igbo", "Twi", "Jamaican Patois"),
    ),
    NameGroup(
        8,
        (
            "Agnieszka", "Tomasz", "Katarzyna", "Piotr", "Magdalena", "Marek", "Ewa",
            "Krzysztof", "Andrei", "Ioana", "Mihai", "Elena", "Jakub", "Zofia", "Lukas", "Daiva",
        ),
        (
            "Nowak", "Kowalczyk", "Wójcik", "Mazur", "Krawczyk", "Popescu", "Ionescu", "Dumitru",
            "Kaczmarek", "Petrauskas", "Horvat", "Novák",
        ),
        ("Polish", "Romanian", "Lithuanian", "Croatian"),
    ),
    NameGroup(
        4,
        ("Abdi", "Hodan", "Farhan", "Amina", "Mohamed", "Ifrah", "Yusuf", "Sahra", "Liban"),
        ("Abdi", "Ahmed", "Mohamed", "Hassan", "Warsame", "Farah", "Osman", "Jama", "Noor"),
        ("Somali", "Arabic"),
    ),
    NameGroup(
        4,
        ("Wei", "Mei", "Jun", "Xiao", "Hui", "Ming", "Ling", "Kai", "Yan", "Jia"),
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan", "Lee", "Ng", "Lam"),
        ("Cantonese", "Mandarin"),
    ),
    NameGroup(
        3,
        ("Mehmet", "Ayşe", "Emre", "Zeynep", "Kemal", "Elif", "Deniz", "Hüseyin"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk"),  # noqa: RUF001
        ("Turkish", "Kurdish"),
    ),
    NameGroup(
        4,
        ("João", "Ana", "Miguel", "Beatriz", "Carlos", "Inês", "Lucía", "Javier", "Rui"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Costa", "García", "Rodríguez", "Martínez"),
        ("Portuguese", "Spanish"),
    ),
)  # fmt: skip

AREAS: tuple[str, ...] = (
    "Riverside", "Old Town", "Mill Lane", "St Anne's", "Northfield", "Canal Basin",
    "Brook Green", "Hillcrest", "Station Quarter", "Meadowbank", "Castle Ward", "Westgate",
)  # fmt: skip

# How often people list each kind of help they can give, and each kind they ask for.
OFFER_WEIGHTS: dict[str, int] = {
    Category.COMPANIONSHIP: 14, Category.GARDENING: 12, Category.TRANSPORT: 10,
    Category.HOUSEHOLD: 10, Category.LEARNING: 10, Category.CREATIVE: 8, Category.CARE: 7,
    Category.ADMIN: 7, Category.NEIGHBOURHOOD: 7, Category.HEALTH: 6, Category.CHILDREN: 6,
    Category.CIVIC: 3,
}  # fmt: skip
REQUEST_WEIGHTS: dict[str, int] = {
    Category.TRANSPORT: 12, Category.COMPANIONSHIP: 12, Category.HOUSEHOLD: 12,
    Category.GARDENING: 12, Category.ADMIN: 10, Category.LEARNING: 8, Category.CARE: 8,
    Category.HEALTH: 6, Category.CHILDREN: 6, Category.NEIGHBOURHOOD: 5, Category.CREATIVE: 4,
    Category.CIVIC: 3,
}  # fmt: skip

OFFERS: dict[str, tuple[Text, ...]] = {
    Category.CARE: (
        Text(
            "Sitting with someone while their carer has a break",
            "I can sit with your loved one for a couple of hours so you can get out. "
            "I looked after my mum for years, so I know how much a break matters.",
            "respite,carers",
        ),
        Text(
            "Collecting prescriptions and a bit of shopping",
            "Happy to pick up prescriptions from the chemist and a few essentials.",
            "shopping,prescriptions",
        ),
        Text(
            "Checking in on an older neighbour",
            "A knock on the door or a phone call to make sure everything is all right.",
            "older people,checking in",
        ),
        Text(
            "Reading letters and newspapers aloud",
            "For anyone whose eyesight makes reading hard: post, the paper, a good book.",
            "sight loss,reading",
        ),
        Text(
            "Looking after pets while you're in hospital",
            "I can feed and walk your dog or see to your cat while you are away.",
            "pets,hospital",
        ),
    ),
    Category.COMPANIONSHIP: (
        Text(
            "A cup of tea and a chat",
            "I'll come round for a cuppa and a natter, or we can meet at the café.",
            "chat,tea,loneliness",
        ),
        Text(
            "Walking buddy",
            "A steady walk around the park or along the canal, at your pace.",
            "walking,outdoors",
        ),
        Text(
            "A friendly phone call each week",
            "If getting out is hard, I can ring for a chat at the same time every week.",
            "phone,befriending",
        ),
        Text(
            "Cards, chess or dominoes",
            "Fancy a game? I'll bring the board. Beginners very welcome.",
            "games,chess",
        ),
        Text(
            "Company at the lunch club",
            "I go to the Thursday lunch club and would love company, especially for newcomers.",
            "lunch club,newcomers",
        ),
    ),
    Category.TRANSPORT: (
        Text(
            "Lifts to hospital appointments",
            "I have a car and time in the week. I'll wait with you and bring you home.",
            "car,hospital,appointments",
        ),
        Text(
            "Lifts to the supermarket",
            "A weekly or fortnightly run to the big shop, with help carrying the bags.",
            "car,shopping",
        ),
        Text(
            "Taking things to the tip",
            "I have an estate car and can take garden waste or old furniture to the tip.",
            "car,recycling",
        ),
        Text(
            "Travelling with you on the bus",
            "If the buses feel daunting, I'll come along until you are confident.",
            "bus,confidence",
        ),
    ),
    Category.HOUSEHOLD: (
        Text(
            "Small DIY jobs",
            "Shelves, curtain rails, flat-pack furniture, a dripping tap.",
            "diy,repairs",
        ),
        Text(
            "Changing light bulbs and smoke alarm batteries",
            "The jobs that need a ladder and a steady pair of hands.",
            "safety,ladder",
        ),
        Text(
            "Help with decluttering",
            "Sorting a room, a cupboard or a loft together, without judgement.",
            "decluttering,sorting",
        ),
        Text(
            "Sewing repairs and taking up hems",
            "Buttons, zips, hems and small alterations on my machine.",
            "sewing,repairs",
        ),
        Text(
            "Batch cooking for the freezer",
            "I'll cook a few simple meals with you to keep in the freezer.",
            "cooking,meals",
        ),
    ),
    Category.GARDENING: (
        Text(
            "Weeding and tidying small gardens",
            "Regular weeding, sweeping and tidying of small gardens and yards.",
            "weeding,tidying",
        ),
        Text("Lawn mowing", "I can bring a mower for small lawns.", "mowing,lawn"),
        Text(
            "Help planting vegetables",
            "Let's get some potatoes, beans and salad growing in your garden or allotment.",
            "vegetables,allotment",
        ),
        Text("Hedge trimming", "Small hedges and shrubs kept in shape.", "hedges,pruning"),
        Text(
            "Growing in pots and on balconies",
            "Advice and a hand getting herbs and flowers going with no garden at all.",
            "pots,balcony,herbs",
        ),
    ),
    Category.LEARNING: (
        Text(
            "English conversation practice",
            "Relaxed conversation to build confidence speaking English.",
            "english,esol,conversation",
        ),
        Text(
            "Help with maths homework",
            "Retired teacher; happy to help with maths up to GCSE.",
            "maths,homework,gcse",
        ),
        Text(
            "Getting started with a smartphone",
            "Texts, video calls with family, photos and staying safe online.",
            "digital,smartphone",
        ),
        Text(
            "Basic computer skills",
            "Email, searching the web, filling in forms online.",
            "digital,computer",
        ),
        Text(
            "Guitar for beginners",
            "A few chords and a song or two. Bring your own guitar or borrow mine.",
            "music,guitar",
        ),
    ),
    Category.ADMIN: (
        Text(
            "Help filling in forms",
            "Benefit forms, Blue Badge, housing: we can go through them together.",
            "forms,benefits",
        ),
        Text(
            "Writing a CV and job applications",
            "I work in recruitment and can help you show what you can do.",
            "cv,jobs",
        ),
        Text(
            "Sorting out bills and letters",
            "Making sense of a pile of post and setting up a simple system.",
            "letters,bills",
        ),
        Text(
            "Online banking, safely",
            "Setting up online banking and spotting scams.",
            "digital,banking,scams",
        ),
    ),
    Category.CREATIVE: (
        Text(
            "Knitting and crochet lessons",
            "Beginners' lessons, or bring a project you are stuck on.",
            "knitting,crochet",
        ),
        Text(
            "Photography for community events",
            "I'll take photos at your event and share them for free use.",
            "photography,events",
        ),
        Text(
            "Painting and drawing together",
            "Watercolours at my kitchen table; all materials provided.",
            "art,painting",
        ),
        Text(
            "Poster and leaflet design",
            "Simple, clear posters and leaflets for groups and events.",
            "design,posters",
        ),
    ),
    Category.HEALTH: (
        Text(
            "Chair-based exercise",
            "Gentle seated exercises to keep moving, one to one or in a small group.",
            "exercise,mobility",
        ),
        Text(
            "Gentle walks after illness",
            "Walks that build up slowly for people getting back on their feet.",
            "walking,recovery",
        ),
        Text(
            "Healthy cooking on a budget",
            "Simple, cheap, healthy meals from what's in the cupboard.",
            "cooking,budget",
        ),
        Text(
            "Relaxation and breathing",
            "Calming breathing exercises that help with stress and sleep.",
            "relaxation,stress",
        ),
    ),
    Category.CHILDREN: (
        Text(
            "School pick-ups in an emergency",
            "DBS checked. Can collect from Riverside Primary when you are stuck.",
            "school,dbs",
        ),
        Text(
            "Reading with children",
            "Listening to young readers and sharing stories.",
            "reading,literacy",
        ),
        Text(
            "Babysitting for an evening",
            "Experienced parent, DBS checked, happy to babysit locally.",
            "babysitting,dbs",
        ),
        Text(
            "Homework club helper",
            "I help at the Tuesday homework club at the library.",
            "homework,library",
        ),
    ),
    Category.NEIGHBOURHOOD: (
        Text(
            "Litter picking",
            "I have pickers and bags and go out on Sunday mornings; join me.",
            "litter,environment",
        ),
        Text(
            "Keeping an eye on houses while neighbours are away",
            "Collecting post, opening curtains, watering plants.",
            "holiday,security",
        ),
        Text(
            "Putting bins out",
            "I can put your bins out and bring them back in on collection day.",
            "bins,recycling",
        ),
        Text(
            "Helping at the community fridge",
            "Sorting and handing out surplus food at the community fridge.",
            "food,community fridge",
        ),
    ),
    Category.CIVIC: (
        Text(
            "Taking notes at residents' meetings",
            "Clear, short notes so everyone knows what was agreed.",
            "meetings,minutes",
        ),
        Text(
            "Sharing my experience on a patient panel",
            "I have used a lot of local health services and want to help improve them.",
            "patient panel,health services",
        ),
        Text(
            "Interpreting at community meetings",
            "Urdu and Punjabi, so more people can have their say.",
            "interpreting,urdu,punjabi",
        ),
        Text(
            "Helping run a co-design workshop",
            "Setting up, welcoming people and making sure quieter voices are heard.",
            "co-design,workshops",
        ),
    ),
}

REQUESTS: dict[str, tuple[Text, ...]] = {
    Category.CARE: (
        Text(
            "Someone to sit with Dad on Thursday afternoons",
            "Dad has dementia and I need two hours to do the shopping.",
            "respite,dementia",
        ),
        Text(
            "Collecting my prescription",
            "I'm not very mobile at the moment and the chemist doesn't deliver.",
            "prescriptions",
        ),
        Text(
            "Feeding my cat while I'm in hospital",
            "In for a small operation next month, probably three nights.",
            "pets,hospital",
        ),
    ),
    Category.COMPANIONSHIP: (
        Text(
            "Someone to chat with over a cuppa",
            "Since my wife passed the days are long. A visitor would be lovely.",
            "chat,bereavement",
        ),
        Text(
            "Walking companion for the park",
            "I'd walk more with someone to go with.",
            "walking",
        ),
        Text(
            "A weekly phone call",
            "I don't get out much; a regular call would brighten the week.",
            "phone,befriending",
        ),
    ),
    Category.TRANSPORT: (
        Text(
            "Lift to the eye clinic",
            "Appointment at the General; I can't drive after the drops.",
            "hospital,car",
        ),
        Text(
            "Lift to the supermarket once a fortnight",
            "I can manage the shopping but not the bags on the bus.",
            "shopping,car",
        ),
        Text(
            "Someone to come with me on the bus into town",
            "I lost confidence after a fall and would like company until I'm used to it again.",
            "bus,confidence",
        ),
    ),
    Category.HOUSEHOLD: (
        Text("Putting up a curtain rail", "New flat, no drill, no idea.", "diy"),
        Text(
            "Help sorting out a cluttered spare room",
            "My daughter is coming to stay and the room is full of boxes.",
            "decluttering",
        ),
        Text("Fixing a dripping tap", "Kitchen tap, probably needs a new washer.", "repairs"),
    ),
    Category.GARDENING: (
        Text(
            "My garden has got away from me",
            "Since my knee operation I can't keep up with the weeds.",
            "weeding,tidying",
        ),
        Text("Someone to mow a small lawn", "About once a fortnight in summer.", "mowing"),
        Text(
            "Help setting up a raised bed",
            "I have the timber and soil, and need a hand putting it together.",
            "vegetables",
        ),
    ),
    Category.LEARNING: (
        Text(
            "Help using video calls to talk to my grandchildren",
            "They live in Canada and I'd love to see them.",
            "digital,video calls",
        ),
        Text(
            "Practise my English",
            "I understand a lot but I am shy to speak. Patient partner please!",
            "english,esol",
        ),
        Text(
            "Help with my son's reading",
            "He is eight and finds reading hard; a bit of extra practice would help.",
            "reading,children",
        ),
    ),
    Category.ADMIN: (
        Text(
            "Help with a Blue Badge application",
            "The form is long and confusing.",
            "forms,blue badge",
        ),
        Text(
            "Understanding a letter from the council",
            "About my council tax; I'm not sure what they are asking for.",
            "letters,council tax",
        ),
        Text("Help writing a CV", "Looking for work after ten years caring for family.", "cv,jobs"),
    ),
    Category.CREATIVE: (
        Text(
            "Someone to take photos at our street party",
            "Mill Lane street party in the summer.",
            "photography,events",
        ),
        Text(
            "Help designing a leaflet for the food bank",
            "We need a clear leaflet about opening times.",
            "design,food bank",
        ),
    ),
    Category.HEALTH: (
        Text(
            "Walking partner to build up my fitness",
            "Recovering from a heart operation; the physio says walk every day.",
            "walking,recovery",
        ),
        Text(
            "Learning to cook simple healthy meals",
            "Newly diagnosed with diabetes and a bit lost in the kitchen.",
            "cooking,diabetes",
        ),
    ),
    Category.CHILDREN: (
        Text(
            "Someone to read with my daughter",
            "She's six and loves stories; I work evenings.",
            "reading",
        ),
        Text(
            "Babysitter so I can go to parents' evening",
            "Two children, 4 and 7, for about two hours.",
            "babysitting",
        ),
    ),
    Category.NEIGHBOURHOOD: (
        Text(
            "Someone to put my bins out on Tuesdays",
            "The bins are heavy and the path is steep.",
            "bins",
        ),
        Text(
            "Help organising a street clean-up",
            "Our street needs a spring clean; looking for a few helpers.",
            "litter,clean-up",
        ),
    ),
    Category.CIVIC: (
        Text(
            "Notes for the tenants' association meeting",
            "We need someone to take the minutes next month.",
            "meetings,minutes",
        ),
        Text(
            "Interpreter for a residents' meeting",
            "Several neighbours speak Somali and want to take part.",
            "interpreting,somali",
        ),
    ),
}

# Help given by several people together (many-to-one).
TEAM_WORK: tuple[tuple[str, str], ...] = (
    ("Help moving furniture", Category.HOUSEHOLD),
    ("Clearing an overgrown garden", Category.GARDENING),
    ("Decorating a room", Category.HOUSEHOLD),
    ("Clearing a loft", Category.HOUSEHOLD),
)


class OrganisationText(NamedTuple):
    key: str
    name: str
    slug: str
    kind: str
    description: str
    # Group sessions the organisation runs for members (it gives back).
    offers: tuple[tuple[Text, str], ...]
    # Help it asks members for (members give to it).
    requests: tuple[tuple[Text, str], ...]


SURGERY = OrganisationText(
    key="surgery",
    name="Riverside Surgery",
    slug="riverside-surgery",
    kind=OrganisationKind.GP_PRACTICE,
    description="The GP practice on Mill Lane. Refers patients into the time bank through its "
    "social prescribing service and runs health walks for members.",
    offers=(
        (
            Text(
                "Health walk around Riverside Park",
                "A gentle hour's walk led by the surgery's health trainer, every week.",
                "walking,group,health walk",
            ),
            Category.HEALTH,
        ),
        (
            Text(
                "Seated exercise class at the surgery",
                "Chair-based exercise in the surgery's community room.",
                "exercise,group",
            ),
            Category.HEALTH,
        ),
    ),
    requests=(
        (
            Text(
                "Join the surgery's patient panel",
                "Help us redesign how appointments are booked. Your experience counts.",
                "patient panel,co-design",
            ),
            Category.CIVIC,
        ),
        (
            Text(
                "Volunteer welcomers for the flu clinic",
                "Greeting people, explaining the queue and making tea on clinic Saturdays.",
                "flu clinic,welcoming",
            ),
            Category.HEALTH,
        ),
        (
            Text(
                "Help in the surgery's community garden",
                "Weeding and planting in the garden behind the surgery.",
                "garden,wellbeing",
            ),
            Category.GARDENING,
        ),
    ),
)

COUNCIL = OrganisationText(
    key="council",
    name="Riverside Council Community Services",
    slug="council-community-services",
    kind=OrganisationKind.COUNCIL,
    description="The council's community services team: libraries, the Mill Lane centre and "
    "neighbourhood projects.",
    offers=(
        (
            Text(
                "Digital skills drop-in at the library",
                "Bring your phone, tablet or laptop and your questions.",
                "digital,library,group",
            ),
            Category.LEARNING,
        ),
        (
            Text(
                "Community lunch at the Mill Lane centre",
                "A hot meal and good company every Thursday.",
                "lunch club,group",
            ),
            Category.COMPANIONSHIP,
        ),
    ),
    requests=(
        (
            Text(
                "Tell us what you think of the new bus routes",
                "A co-design session on the changes to local bus routes.",
                "co-design,buses",
            ),
            Category.CIVIC,
        ),
        (
            Text(
                "Litter pick volunteers for the canal path",
                "Equipment provided; meet at the Canal Basin bridge.",
                "litter,canal",
            ),
            Category.NEIGHBOURHOOD,
        ),
        (
            Text(
                "Helpers for the community lunch",
                "Setting tables, serving and washing up on Thursdays.",
                "lunch club,kitchen",
            ),
            Category.COMPANIONSHIP,
        ),
    ),
)

ORGANISATIONS: tuple[OrganisationText, ...] = (SURGERY, COUNCIL)
