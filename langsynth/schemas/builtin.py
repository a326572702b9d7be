"""The built-in schemas: each model with its subject, examples, dedup key, pools and text fields."""

from __future__ import annotations

import random

from langsynth.pools import ChoicePool, CountPool, FakerPool, FunctionPool, RangePool
from langsynth.schemas import (
    actor_filmography,
    children_story,
    credit_card_transaction,
    instruction_example,
    labeled_text,
    medical_billing,
    movie_recommendation,
    textbook_excerpt,
)
from langsynth.schemas.actor_filmography import ActorFilmography
from langsynth.schemas.children_story import ChildrenStory
from langsynth.schemas.credit_card_transaction import (
    CATEGORIES,
    PAYMENT_METHODS,
    STATUSES,
    CreditCardTransaction,
)
from langsynth.schemas.info import SchemaInfo
from langsynth.schemas.instruction_example import InstructionExample
from langsynth.schemas.labeled_text import LabeledText
from langsynth.schemas.medical_billing import MedicalBilling
from langsynth.schemas.movie_recommendation import MovieRecommendation
from langsynth.schemas.textbook_excerpt import TextbookExcerpt
from langsynth.vocabulary import vocabulary_pools

# Common ICD-10-CM codes of outpatient billing and what they mean. A generation hint gives the
# bare code (the meaning was only more prompt tokens per record; the field guide and the grammar
# say what a code looks like); the judge is shown the meaning beside the code.
ICD10_MEANINGS: dict[str, str] = {
    "J20.9": "acute bronchitis",
    "M54.5": "low back pain",
    "E11.9": "type 2 diabetes without complications",
    "I10": "essential hypertension",
    "J06.9": "acute upper respiratory infection",
    "K21.9": "gastro-esophageal reflux disease",
    "F41.1": "generalized anxiety disorder",
    "F32.9": "major depressive disorder, single episode",
    "E78.5": "hyperlipidemia",
    "N39.0": "urinary tract infection",
    "J45.909": "asthma, uncomplicated",
    "M17.11": "osteoarthritis of right knee",
    "R51.9": "headache",
    "S93.401A": "sprain of right ankle ligament, initial encounter",
    "H10.9": "conjunctivitis",
    "L30.9": "dermatitis",
    "R10.9": "abdominal pain",
    "G43.909": "migraine",
    "E66.9": "obesity",
    "Z00.00": "general adult medical examination",
    "J02.9": "acute pharyngitis",
    "K52.9": "gastroenteritis and colitis",
    "M25.561": "pain in right knee",
    "R05.9": "cough",
    "B34.9": "viral infection",
    "E03.9": "hypothyroidism",
    "I25.10": "coronary artery disease",
    "J30.9": "allergic rhinitis",
    "M79.1": "myalgia",
    "S52.501A": "fracture of right radius, initial encounter",
}
ICD10_CODES = tuple(ICD10_MEANINGS)

# Common CPT procedure codes of outpatient claims (bare codes in the hints, as above).
CPT_MEANINGS: dict[str, str] = {
    "99202": "new patient office visit, 15-29 min",
    "99203": "new patient office visit, 30-44 min",
    "99204": "new patient office visit, 45-59 min",
    "99212": "established patient visit, 10-19 min",
    "99213": "established patient visit, 20-29 min",
    "99214": "established patient visit, 30-39 min",
    "99215": "established patient visit, 40-54 min",
    "99283": "emergency department visit, moderate",
    "99284": "emergency department visit, high",
    "99395": "preventive visit, 18-39 years",
    "99396": "preventive visit, 40-64 years",
    "36415": "venipuncture",
    "80053": "comprehensive metabolic panel",
    "85025": "complete blood count",
    "83036": "hemoglobin A1c",
    "81002": "urinalysis",
    "71046": "chest x-ray, 2 views",
    "73610": "ankle x-ray, 3 views",
    "73560": "knee x-ray, 1-2 views",
    "93000": "electrocardiogram",
    "90471": "immunization administration",
    "97110": "therapeutic exercise, 15 min",
    "20610": "large joint injection",
    "12001": "simple wound repair",
    "29515": "short leg splint",
}
CPT_CODES = tuple(CPT_MEANINGS)

MOVIE_REQUESTS = (
    "a horror movie to watch alone on a rainy night",
    "a comedy the whole family can watch together",
    "a romantic movie for a first date",
    "a science fiction film that makes you think",
    "a thriller with a twist ending",
    "an animated film for young children",
    "a documentary about nature",
    "an action movie with great car chases",
    "a fantasy adventure with dragons or magic",
    "a crime drama about a heist",
    "a musical with memorable songs",
    "a western set in the 19th century",
    "a mystery where the detective solves a murder",
    "a war film based on real events",
    "a Korean film that became famous worldwide",
    "a Japanese animated classic",
    "a French film for a quiet evening",
    "a sports drama about an underdog team",
    "a coming-of-age story about high school",
    "a movie from the 1980s that still holds up",
    "a black-and-white classic",
    "a superhero movie that is not too long",
    "a psychological horror film",
    "a feel-good movie after a bad day",
    "a courtroom drama",
    "a space exploration movie",
    "a biopic about a musician",
    "a disaster movie",
    "a zombie movie",
    "a movie about artificial intelligence",
)

MOVIE_GENRES = (
    "horror",
    "comedy",
    "drama",
    "science fiction",
    "thriller",
    "romance",
    "animation",
    "documentary",
    "action",
    "fantasy",
    "crime",
    "musical",
    "western",
    "mystery",
    "war",
)


# Code -> meaning, shown to the judge beside the codes of a record.
CODE_GLOSSARY = {"diagnosis_code": ICD10_MEANINGS, "procedure_code": CPT_MEANINGS}


def _billing_amounts(rng: random.Random) -> dict[str, float]:
    charge = round(rng.uniform(60, 4000), 2)
    return {
        "total_charge": charge,
        "insurance_claim_amount": round(charge * rng.uniform(0.4, 1.0), 2),
    }


BUILTIN: dict[str, SchemaInfo] = {
    "medical_billing": SchemaInfo(
        name="medical_billing",
        judge_criteria=medical_billing.JUDGE_CRITERIA,
        glossary=CODE_GLOSSARY,
        model=MedicalBilling,
        description="Medical billing claims (LangChain tutorial, seed 001)",
        subject="medical_billing",
        extra="the name must be chosen at random. Make it something you wouldn't normally choose",
        examples_file="medical_billing.jsonl",
        dedup_fields=(
            "patient_name",
            "diagnosis_code",
            "procedure_code",
            "total_charge",
            "insurance_claim_amount",
        ),
        pools={
            "patient_id": RangePool(100000, 999999),
            "patient_name": FakerPool("full_name"),
            "diagnosis_code": ChoicePool(ICD10_CODES),
            "procedure_code": ChoicePool(CPT_CODES),
            # Charge and claim drawn together, so the claim never exceeds the charge; without
            # a claim hint the small model copies the claim amount of the last example.
            "amounts": FunctionPool(
                _billing_amounts,
                template=(
                    "total_charge={total_charge}; insurance_claim_amount={insurance_claim_amount}"
                ),
            ),
        },
    ),
    "movie_recommendation": SchemaInfo(
        name="movie_recommendation",
        judge_criteria=movie_recommendation.JUDGE_CRITERIA,
        request_template=movie_recommendation.REQUEST_TEMPLATE,
        model=MovieRecommendation,
        description="Movie recommendations with a reason (course exercise, seed 000)",
        subject="movie recommendations",
        extra=(
            "recommend exactly one real movie that fits the hints and explain why in 1-3 sentences"
        ),
        examples_file="movie_recommendation.jsonl",
        persona=(
            "You are 'CineMaster', a film expert who knows every movie in the world. "
            "You recommend exactly one movie per answer, following the user's request."
        ),
        dedup_fields=("title",),
        pools={
            # A user request per record, as in the course exercise; the year is left to the
            # model (a year hint made it misdate real films).
            "request": ChoicePool(MOVIE_REQUESTS, template="the user asks for {value}"),
        },
        text_fields=("reason",),
    ),
    "actor_filmography": SchemaInfo(
        name="actor_filmography",
        judge_criteria=actor_filmography.JUDGE_CRITERIA,
        model=ActorFilmography,
        description="An actor and their films (extraction schema of seed 001)",
        subject="actors and the films they starred in",
        extra="invent a fictional actor with fictional but plausible film titles",
        examples_file="actor_filmography.jsonl",
        dedup_fields=("Actor",),
        pools={
            "Actor": FakerPool("full_name"),
            "Film": CountPool(2, 5, template="{field}=exactly {value} film titles"),
        },
    ),
    "credit_card_transaction": SchemaInfo(
        name="credit_card_transaction",
        judge_criteria=credit_card_transaction.JUDGE_CRITERIA,
        model=CreditCardTransaction,
        description="Card transactions (rule-based synthesis template, seed 004)",
        subject="credit card transactions",
        extra="make the merchant, amount and description consistent with the category",
        examples_file="credit_card_transaction.jsonl",
        dedup_fields=("date", "time", "amount", "merchant", "location"),
        pools={
            "transaction_id": FakerPool("numerify", kwargs={"text": "TX##########"}),
            "merchant": FakerPool("company"),
            "category": ChoicePool(CATEGORIES),
            "location": FakerPool("city"),
            "payment_method": ChoicePool(PAYMENT_METHODS, (0.55, 0.3, 0.05, 0.1)),
            "status": ChoicePool(STATUSES, (0.85, 0.1, 0.05)),
            "date": FakerPool(
                "date_between",
                kwargs={"start_date": "-2y", "end_date": "today"},
                fmt="{value:%m/%d/%Y}",
            ),
        },
        text_fields=("description",),
    ),
    "children_story": SchemaInfo(
        name="children_story",
        judge_criteria=children_story.JUDGE_CRITERIA,
        model=ChildrenStory,
        description="TinyStories-style children's stories with drawn words (seed 002)",
        subject="short stories for a 3 year old child",
        extra=(
            "write a story of 4 to 6 sentences in very simple words; fill verb, noun and "
            "adjective with the words the story uses and features with its features"
        ),
        examples_file="children_story.jsonl",
        dedup_fields=("story",),
        pools=vocabulary_pools(("story",), tuple(ChildrenStory.model_fields)),
        text_fields=("story",),
    ),
    "instruction_example": SchemaInfo(
        name="instruction_example",
        judge_criteria=instruction_example.JUDGE_CRITERIA,
        model=InstructionExample,
        description="Instruction-tuning examples: instruction, input, response (seed 004)",
        subject="instruction-following examples for an AI assistant",
        extra="vary the task type (advice, rewriting, classification, code, math, facts)",
        examples_file="instruction_example.jsonl",
        dedup_fields=("instruction", "input"),
        text_fields=("instruction", "response"),
    ),
    "textbook_excerpt": SchemaInfo(
        name="textbook_excerpt",
        judge_criteria=textbook_excerpt.JUDGE_CRITERIA,
        model=TextbookExcerpt,
        description="Computer science textbook excerpts per topic and audience (seed 002)",
        subject="computer science textbook excerpts",
        dedup_fields=("topic", "audience", "excerpt"),
        text_fields=("excerpt",),
    ),
    "labeled_text": SchemaInfo(
        name="labeled_text",
        judge_criteria=labeled_text.JUDGE_CRITERIA,
        model=LabeledText,
        description="Texts with the class label they were written for (seed 002)",
        subject="product reviews labeled with their sentiment",
        dedup_fields=("text",),
        text_fields=("text",),
    ),
}
