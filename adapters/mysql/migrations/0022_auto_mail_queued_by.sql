-- The hourly caps of automatic mail (issue 8) count exactly: each row names the intake that queued it
-- (random per intake, per start), so an intake counts its own from memory, exactly, and the database's
-- rows of every other. The total is counted row by row (the span of ids also counted ids lost to
-- rolled-back inserts, one acknowledgement fewer than the cap). Rows from before have no name: they
-- count as another intake's.
ALTER TABLE `support_auto_mail` ADD `queued_by` varchar(64);
--> statement-breakpoint
DROP INDEX `idx_auto_mail_created` ON `support_auto_mail`;
--> statement-breakpoint
CREATE INDEX `idx_auto_mail_created` ON `support_auto_mail` (`created_at`,`queued_by`);
--> statement-breakpoint
DROP INDEX `idx_auto_mail_mailbox` ON `support_auto_mail`;
--> statement-breakpoint
CREATE INDEX `idx_auto_mail_mailbox` ON `support_auto_mail` (`mailbox`,`created_at`,`queued_by`);
