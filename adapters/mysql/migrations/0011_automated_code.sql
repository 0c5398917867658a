ALTER TABLE `support_message` ADD `automated_code` varchar(48);--> statement-breakpoint
ALTER TABLE `support_message` ADD `bounce_count` int unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_message_automated_code` ON `support_message` (`automated_code`,`created_at`);
