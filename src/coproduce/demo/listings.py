"""What the demo's members offer and ask for, word for word, by kind of help.

Plain data (the rest of the demo's words are in `demo.content`). Every category in `Category`
has offers and requests here, so the demo shows that all kinds of help earn the same credit
(DESIGN.md, "Redefining work").
"""

from __future__ import annotations

from coproduce.core.categories import Category
from coproduce.demo.content import Text

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
