"""The sample support organisation: teams, agents, customers and companies.

Everything is derived from one seed, so every process that builds it gets the same organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

# Zendesk `via.channel` values the sample uses, with the taxonomy channel they stand for and their
# share of contacts. "api" is deliberately a value the channel mapping does not know (-> other).
VIA_CHANNELS: tuple[tuple[str, str, float], ...] = (
    ("voice", "phone", 0.24),
    ("chat", "chat", 0.22),
    ("email", "email", 0.15),
    ("mobile_sdk", "app", 0.10),
    ("wechat", "wechat", 0.13),
    ("twitter", "social", 0.03),
    ("facebook", "social", 0.02),
    ("web", "web_form", 0.10),
    ("api", "other", 0.01),
)

REGIONS = ("north", "east", "south", "central", "southwest", "northwest", "northeast")
CATEGORIES = ("billing", "delivery", "product_defect", "account", "refund", "usage_question")
BOT_USER_ID = 9_000_999
RESPONSE_LEVEL_FIELD_ID = 360_000_000_001
CATEGORY_FIELD_ID = 360_000_000_002


@dataclass(frozen=True)
class Team:
    group_id: int
    name: str
    speed: float  # multiplies response and handle times: <1 is faster
    resolution: float  # probability a ticket gets solved, before channel effects
    agent_count: int


TEAMS: tuple[Team, ...] = (
    Team(360_001, "Phone Support", 0.85, 0.95, 11),
    Team(360_002, "Live Chat", 0.75, 0.94, 11),
    Team(360_003, "Email & Web", 1.35, 0.90, 8),
    Team(360_004, "WeChat Care", 0.95, 0.93, 7),
    Team(360_005, "Social Media", 1.20, 0.88, 5),
    Team(360_006, "Billing", 1.50, 0.86, 7),
    Team(360_007, "Complaints Desk", 1.10, 0.91, 5),
    Team(360_008, "Technical Escalations", 1.60, 0.84, 6),
)
# A team since deleted in Zendesk: its tickets still point to it, the groups list leaves it out,
# and `GET /api/v2/groups/{id}.json` still returns it with `deleted: true`. Its one agent was
# deleted with it (absent from the agents list, readable by id with `active: false`).
RETIRED_TEAM = Team(360_009, "Returns Desk", 1.0, 1.0, 1)  # its tickets are timed as the front team's
TEAM_BY_ID = {t.group_id: t for t in (*TEAMS, RETIRED_TEAM)}
COMPLAINTS_DESK = 360_007
ESCALATIONS = 360_008

# Which team takes first contact on each taxonomy channel.
FRONT_TEAM = {
    "phone": 360_001,
    "chat": 360_002,
    "app": 360_002,
    "email": 360_003,
    "web_form": 360_003,
    "other": 360_003,
    "wechat": 360_004,
    "social": 360_005,
}

_FIRST = ("wei", "fang", "min", "jing", "li", "qiang", "lei", "yan", "jun", "hui", "xin", "ting", "hao", "yu")
_LAST = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma")
_EMAIL_DOMAINS = ("example.com", "example.cn", "example.net", "example.org")


@dataclass(frozen=True)
class Agent:
    user_id: int
    name: str
    email: str
    group_id: int
    deleted: bool = False


@dataclass(frozen=True)
class Customer:
    contact_id: int
    zendesk_user_id: int
    company_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    tier: str
    region: str
    returning: bool
    created_epoch: int
    modify_period_days: int


@dataclass(frozen=True)
class Company:
    company_id: int
    name: str
    region: str
    industry: str
    created_epoch: int
    modify_period_days: int


@dataclass(frozen=True)
class Organisation:
    agents: tuple[Agent, ...]
    agents_by_group: dict[int, tuple[Agent, ...]]
    customers: tuple[Customer, ...]
    companies: tuple[Company, ...]


def _phone(rng: random.Random) -> str:
    digits = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    style = rng.random()
    if style < 0.4:
        return digits
    if style < 0.8:
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"


# Customers exist long before any ticket: the CRM's history starts here (2023-01-01 UTC).
CRM_EPOCH = 1_672_531_200
# The n-th customer is Zendesk end user FIRST_CUSTOMER_USER_ID + n (and CRM contact 1_000_000 + n).
FIRST_CUSTOMER_USER_ID = 5_000_000


@lru_cache(maxsize=4)
def build_organisation(seed: int, customer_count: int) -> Organisation:
    rng = random.Random(f"{seed}:organisation")
    agents: list[Agent] = []
    next_id = 9_000_001
    for team in TEAMS:
        for _ in range(team.agent_count):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            agents.append(
                Agent(next_id, f"{first.title()} {last.title()}", f"agent{next_id}@support.example.com", team.group_id)
            )
            next_id += 1
    # The retired team's agent from its own generator, so every other draw stays as it was.
    retired = random.Random(f"{seed}:retired")
    first, last = retired.choice(_FIRST), retired.choice(_LAST)
    agents.append(
        Agent(9_000_901, f"{first.title()} {last.title()}", "agent9000901@support.example.com", RETIRED_TEAM.group_id,
              deleted=True)
    )  # fmt: skip
    by_group: dict[int, tuple[Agent, ...]] = {
        t.group_id: tuple(a for a in agents if a.group_id == t.group_id) for t in (*TEAMS, RETIRED_TEAM)
    }
    company_count = max(1, customer_count // 10)
    industries = ("retail", "manufacturing", "services", "education", "healthcare", "logistics")
    companies = tuple(
        Company(
            company_id=100_000 + i,
            name=f"Company {i:05d}",
            region=rng.choice(REGIONS),
            industry=rng.choice(industries),
            created_epoch=CRM_EPOCH + rng.randrange(0, 700 * 86_400),
            modify_period_days=rng.randint(60, 240),
        )
        for i in range(company_count)
    )
    customers = []
    for i in range(customer_count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company = companies[rng.randrange(company_count)]
        customers.append(
            Customer(
                contact_id=1_000_000 + i,
                zendesk_user_id=FIRST_CUSTOMER_USER_ID + i,
                company_id=company.company_id,
                first_name=first.title(),
                last_name=last.title(),
                email=f"{first}.{last}{i}@{rng.choice(_EMAIL_DOMAINS)}".upper()
                if rng.random() < 0.05
                else f"{first}.{last}{i}@{rng.choice(_EMAIL_DOMAINS)}",
                phone=_phone(rng),
                tier="VIP" if rng.random() < 0.08 else "regular",
                region=company.region if rng.random() < 0.7 else rng.choice(REGIONS),
                returning=rng.random() < 0.55,
                created_epoch=CRM_EPOCH + rng.randrange(0, 900 * 86_400),
                modify_period_days=rng.randint(20, 200),
            )
        )
    return Organisation(tuple(agents), by_group, tuple(customers), companies)


def customer_by_user_id(org: Organisation, user_id: int) -> Customer | None:
    """The customer who is Zendesk user `user_id`, if any: by position, not by a scan of them all."""
    n = user_id - FIRST_CUSTOMER_USER_ID
    return org.customers[n] if 0 <= n < len(org.customers) else None


def last_modified(created_epoch: int, period_days: int, now_epoch: int) -> int | None:
    """A CRM record is edited every `period_days`; its version as of `now` is the latest edit."""
    if created_epoch > now_epoch:
        return None
    period = period_days * 86_400
    return created_epoch + ((now_epoch - created_epoch) // period) * period
