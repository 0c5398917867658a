CREATE TABLE `support_sync_state` (
	`name` varchar(64) NOT NULL,
	`position` bigint unsigned NOT NULL DEFAULT 0,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `support_sync_state_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
ALTER TABLE `support_message` ADD `cc_addresses` varchar(2600);