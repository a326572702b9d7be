"""Hand-written records several test files share."""

from __future__ import annotations

# A plausible outpatient claim (acute bronchitis, office visit): passes every schema rule.
BILL = {
    "patient_id": 482913,
    "patient_name": "Marisol Okafor",
    "diagnosis_code": "J20.9",
    "procedure_code": "99213",
    "total_charge": 185.0,
    "insurance_claim_amount": 148.0,
}
