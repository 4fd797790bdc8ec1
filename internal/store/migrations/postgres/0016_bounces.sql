-- A contact whose address bounced (a delivery status notification came back).
ALTER TABLE contacts ADD COLUMN email_bounced BOOLEAN NOT NULL DEFAULT FALSE;
