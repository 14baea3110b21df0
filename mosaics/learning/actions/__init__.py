"""The learner's journey as workflows (`<entity>_<verb>`): each is atomic, checks its actor,
locks what it changes, writes one audit entry, and queues its e-mail in the same transaction
(`mosaics.notifications`).

- `enrolment`: `enrolment_enrol`, `enrolment_withdraw` (and the waiting list);
- `demonstration`: drafts, evidence items, `demonstration_submit` (freeze), `demonstration_revise`;
- `attestation`: `attestation_request`, `attestation_confirm`, `attestation_dispute`, ...;
- `submission`: the reflection, `submission_submit`, the prior-learning route;
- `assessment`: `assessment_record` (scores and decision; `award_issue` when it is met),
  conflicts of interest.
"""
