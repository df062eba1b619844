-- The Contact tab's editable details.
ALTER TABLE contacts ADD COLUMN email TEXT;
ALTER TABLE contacts ADD COLUMN notes TEXT;
