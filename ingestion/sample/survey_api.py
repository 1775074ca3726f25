"""The sample's Delighted survey API: /v1/survey_responses.json paged by number."""

from __future__ import annotations

import zlib

from ingestion.sample.api_common import SampleApi
from ingestion.sample.surveys import SurveyResponse, api_responses, api_updated_at
from ingestion.survey_api_config import load_config

SURVEY_PAGE = 100
# The sample's survey project sends the ticket, channel and dimension answers where the shipped
# config/survey_api.yaml reads them.
SURVEY_API_CONFIG = load_config()
_NO_VALUE = {"free_response": None, "scale": None, "select_one": None, "select_many": None}
_DIMENSION_TEXT = {
    "speed": "Response speed",
    "accuracy": "Answer accuracy",
    "attitude": "Agent attitude",
    "resolution": "Problem resolved",
}


class SurveyApi(SampleApi):
    def survey_responses(self, query: dict[str, list[str]]) -> list[dict]:
        """One page of GET /v1/survey_responses.json as the reference documents it: a JSON list in
        creation order, `page` (from 1) and `per_page` (default 20, at most 100), filtered by
        `since`/`until` (created) or `updated_since`/`updated_until` (updated), both inclusive; a
        page past the last is an empty list."""
        per_page = min(int(query.get("per_page", [20])[0]), SURVEY_PAGE)
        page = max(int(query.get("page", [1])[0]), 1)
        if "updated_since" in query or "updated_until" in query:
            by, lo, hi = "updated", query.get("updated_since", [0])[0], query.get("updated_until", [self.source.now])[0]
        else:
            by, lo, hi = "created", query.get("since", [0])[0], query.get("until", [self.source.now])[0]
        rows = self._drawn(
            ("survey_api", by, int(lo), int(hi)),
            lambda: [
                self._survey_payload(r)
                for r in api_responses(self.source.config, int(lo), int(hi) + 1, self.source.now, by)
            ],
        )
        return rows[(page - 1) * per_page : page * per_page]

    @staticmethod
    def _survey_payload(r: SurveyResponse) -> dict:
        """The response as Delighted sends it: one survey type, its answer in `score`. The sample's
        response carries both a 1-5 overall and a 0-10 NPS answer; a fixed half of them (by id) is
        sent as an NPS survey, the rest as a CSAT survey with the four dimension questions."""
        if r.defect == "unknown survey scale":
            survey_type, score = "xyz", r.overall  # a project type the config does not map
        elif r.defect == "nps out of range":
            survey_type, score = "nps", 11
        elif r.defect == "overall out of range":
            survey_type, score = "csat", 7
        elif zlib.crc32(r.response_id.encode()) % 2:
            survey_type, score = "nps", r.nps
        else:
            survey_type, score = "csat", r.overall
        answers = []
        if survey_type != "nps":
            answers = [
                {
                    "id": f"{r.response_id}-{name}",
                    "value": {**_NO_VALUE, "scale": r.dimensions[name]},
                    "question": {"id": question, "type": "scale", "text": _DIMENSION_TEXT[name]},
                }
                for name, question in SURVEY_API_CONFIG.dimension_questions.items()
                if r.dimensions[name] is not None
            ]
        properties: dict[str, str] = {}
        if r.ticket_id and SURVEY_API_CONFIG.ticket_id_property:
            properties[SURVEY_API_CONFIG.ticket_id_property] = str(r.ticket_id)
        if SURVEY_API_CONFIG.channel_property:
            properties[SURVEY_API_CONFIG.channel_property] = r.channel
        return {
            "id": r.response_id,
            "person": f"p-{r.ticket_id or r.response_id}",
            "survey_type": survey_type,
            "score": score,
            "comment": r.comment,
            "permalink": f"https://sample.delighted.example/r/{r.response_id}",
            "created_at": r.submitted,
            "updated_at": api_updated_at(r),
            "person_properties": properties,
            "notes": [],
            "tags": [],
            "additional_answers": answers,
        }
