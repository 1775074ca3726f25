"""The sample's HubSpot CRM v3 API: contacts and companies search (`after` paging, the 10,000-result
cap), their property definitions and the archived list."""

from __future__ import annotations

from typing import Any

from ingestion.sample.api_common import ApiError, SampleApi
from ingestion.sample.tickets import iso

HUBSPOT_SEARCH_PAGE = 200
HUBSPOT_SEARCH_CAP = 10_000
CONTACT_PROPERTIES = {
    "email", "phone", "firstname", "lastname", "customer_tier", "region", "returning_customer",
    "zendesk_user_id", "associatedcompanyid", "createdate", "lastmodifieddate", "hs_object_id",
}  # fmt: skip
COMPANY_PROPERTIES = {"name", "industry", "region", "createdate", "hs_lastmodifieddate", "hs_object_id"}


class HubSpotApi(SampleApi):
    def hubspot_search(self, object_type: str, body: dict) -> dict:
        limit = int(body.get("limit", 10))
        if limit > HUBSPOT_SEARCH_PAGE:
            raise ApiError(
                400,
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"limit must be at most {HUBSPOT_SEARCH_PAGE}",
                },
            )
        after = int(body.get("after") or 0)
        if after + limit > HUBSPOT_SEARCH_CAP:
            raise ApiError(
                400,
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "The search API returns at most 10,000 results per query.",
                },
            )
        modified_prop = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        since_ms = 0
        for group in body.get("filterGroups", []):
            for f in group.get("filters", []):
                if f.get("propertyName") == modified_prop and f.get("operator") == "GTE":
                    since_ms = int(f["value"])
        wanted = set(body.get("properties") or [])
        if object_type == "contacts":
            rows = self.source.contacts_modified_since(since_ms)
            to_props = self._contact_properties
            allowed = CONTACT_PROPERTIES
        else:
            rows = self.source.companies_modified_since(since_ms)
            to_props = self._company_properties
            allowed = COMPANY_PROPERTIES
        page = rows[after : after + limit]
        results = []
        for modified, obj in page:
            props = to_props(obj, modified)
            keep = (wanted & allowed) | {"createdate", modified_prop, "hs_object_id"}
            results.append(
                {
                    "id": props["hs_object_id"],
                    "properties": {k: v for k, v in props.items() if k in keep},
                    "createdAt": props["createdate"],
                    "updatedAt": props[modified_prop],
                    "archived": False,
                }
            )
        out: dict[str, Any] = {"total": len(rows), "results": results}
        if after + limit < len(rows):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return out

    @staticmethod
    def hubspot_properties(object_type: str) -> dict:
        """The property definitions the sample portal has, in the Properties API's shape."""
        names = CONTACT_PROPERTIES if object_type == "contacts" else COMPANY_PROPERTIES
        group = "contactinformation" if object_type == "contacts" else "companyinformation"
        return {
            "results": [
                {"name": n, "label": n.replace("_", " ").title(), "type": "string", "fieldType": "text",
                 "groupName": group, "hidden": False, "archived": False, "options": []}
                for n in sorted(names)
            ]
        }  # fmt: skip

    @staticmethod
    def hubspot_archived(query: dict[str, list[str]]) -> dict:
        """The archived list: nothing in the sample is archived (live lists are not served)."""
        if query.get("archived", ["false"])[0] != "true":
            raise ApiError(404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "not served"})
        return {"results": []}

    @staticmethod
    def _hubspot_time(epoch: int) -> str:
        return iso(epoch).replace("Z", ".000Z")

    def _contact_properties(self, c, modified: int) -> dict:
        return {
            "hs_object_id": str(c.contact_id),
            "email": c.email,
            "phone": c.phone,
            "firstname": c.first_name,
            "lastname": c.last_name,
            "customer_tier": c.tier,
            "region": c.region,
            "returning_customer": "true" if c.returning else "false",
            "zendesk_user_id": str(c.zendesk_user_id),
            "associatedcompanyid": str(c.company_id),
            "createdate": self._hubspot_time(c.created_epoch),
            "lastmodifieddate": self._hubspot_time(modified),
        }

    def _company_properties(self, c, modified: int) -> dict:
        return {
            "hs_object_id": str(c.company_id),
            "name": c.name,
            "industry": c.industry,
            "region": c.region,
            "createdate": self._hubspot_time(c.created_epoch),
            "hs_lastmodifieddate": self._hubspot_time(modified),
        }
