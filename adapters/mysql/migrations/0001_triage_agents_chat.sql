CREATE TABLE `support_agent` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(128) NOT NULL,
	`staff_id` int unsigned,
	`role` enum('agent','manager') NOT NULL DEFAULT 'agent',
	`active` tinyint NOT NULL DEFAULT 1,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_agent_id` PRIMARY KEY(`id`),
	CONSTRAINT `uq_agent_name` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `support_agent_identity` (
	`platform` varchar(16) NOT NULL,
	`kind` varchar(16) NOT NULL,
	`value` varchar(191) NOT NULL,
	`agent_id` int unsigned NOT NULL,
	CONSTRAINT `support_agent_identity_platform_kind_value_pk` PRIMARY KEY(`platform`,`kind`,`value`)
);
--> statement-breakpoint
CREATE TABLE `support_chat_post` (
	`platform` varchar(16) NOT NULL,
	`channel` varchar(64) NOT NULL,
	`ticket_id` int unsigned NOT NULL,
	`kind` varchar(16) NOT NULL,
	`message_ref` varchar(64) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_chat_post_platform_channel_ticket_id_kind_pk` PRIMARY KEY(`platform`,`channel`,`ticket_id`,`kind`)
);
--> statement-breakpoint
CREATE TABLE `support_digest_post` (
	`channel` varchar(128) NOT NULL,
	`day` char(10) NOT NULL,
	`status` enum('claimed','posted') NOT NULL,
	`claimed_at` datetime(3) NOT NULL,
	`posted_at` datetime(3),
	`message_ref` varchar(64),
	CONSTRAINT `support_digest_post_channel_day_pk` PRIMARY KEY(`channel`,`day`)
);
--> statement-breakpoint
CREATE TABLE `support_triage_correction` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`ticket_id` int unsigned NOT NULL,
	`field` enum('category','priority') NOT NULL,
	`from_value` varchar(16),
	`to_value` varchar(16) NOT NULL,
	`agent_id` int unsigned,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_triage_correction_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `category_confidence` double;--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `priority_confidence` double;--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `sentiment` double;--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `triage_reasons` json;--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `model_version` varchar(64);--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `escalated_at` datetime(3);--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `corrected` tinyint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_agent_identity_agent` ON `support_agent_identity` (`agent_id`);--> statement-breakpoint
CREATE INDEX `idx_chat_post_ticket` ON `support_chat_post` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `idx_correction_ticket` ON `support_triage_correction` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `idx_correction_created` ON `support_triage_correction` (`created_at`);