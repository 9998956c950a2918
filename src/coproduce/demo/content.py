"""The words of the demo community: names, neighbourhoods, how often each kind of help is
offered and asked for, team work and the partner organisations. What people offer and ask for,
word for word, is in `demo.listings`.

Plain data, kept apart from the builder so the builder reads as the story of a time bank and
this file can grow without touching it.
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
