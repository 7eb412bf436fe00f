-- The folded inspection was stored whole in every `inspections` row (about 1.5 kB of JSON),
-- rewritten on every event and read by nothing: queries fold the stored history themselves
-- (they also answer `as_of` the past). Writing it was a third of a rebuild's database time.
ALTER TABLE inspections DROP COLUMN aggregate;
