-- ListDeadlines for one lead provider walks that provider's deadlines in (due, inspection,
-- ordinal) order and stops after a page: an index in that order, not a join over every
-- deadline row of every provider (which under the live apply's churn became a scan of a
-- bloated table).
ALTER TABLE deadlines ADD COLUMN lead_provider_id uuid;
UPDATE deadlines d SET lead_provider_id = i.lead_provider_id
    FROM inspections i WHERE i.inspection_id = d.inspection_id;
ALTER TABLE deadlines ALTER COLUMN lead_provider_id SET NOT NULL;
CREATE INDEX deadlines_provider_due_idx
    ON deadlines (lead_provider_id, due_at, inspection_id, ordinal);
