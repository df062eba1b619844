-- The Contact tab's details (mirrors the hub).
ALTER TABLE contacts ADD COLUMN email TEXT;
ALTER TABLE contacts ADD COLUMN notes TEXT;
