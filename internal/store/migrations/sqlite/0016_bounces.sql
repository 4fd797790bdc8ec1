-- A contact whose address bounced (a delivery status notification came back).
ALTER TABLE contacts ADD COLUMN email_bounced INTEGER NOT NULL DEFAULT 0;
