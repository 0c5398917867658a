CREATE TABLE `support_spam` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`message_id` varchar(255) NOT NULL,
	`sender` varchar(255),
	`subject` varchar(500) NOT NULL DEFAULT '',
	`code` varchar(32) NOT NULL,
	`reason` varchar(500) NOT NULL,
	`raw_location` varchar(1024),
	`raw_size` int unsigned,
	`source` varchar(64),
	`received_at` datetime(3) NOT NULL,
	`released_at` datetime(3),
	`released_by` varchar(128),
	`ticket_id` int unsigned,
	CONSTRAINT `support_spam_id` PRIMARY KEY(`id`),
	CONSTRAINT `uq_spam_message_id` UNIQUE(`message_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_spam_released` ON `support_spam` (`released_at`,`id`);--> statement-breakpoint
CREATE INDEX `idx_spam_received` ON `support_spam` (`received_at`);--> statement-breakpoint
CREATE TABLE `support_auto_mail` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`mailbox` varchar(255) NOT NULL,
	`ticket_id` int unsigned,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_auto_mail_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `idx_auto_mail_mailbox` ON `support_auto_mail` (`mailbox`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_auto_mail_ticket` ON `support_auto_mail` (`ticket_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_auto_mail_created` ON `support_auto_mail` (`created_at`);--> statement-breakpoint
CREATE TABLE `support_mail_breaker` (
	`name` varchar(32) NOT NULL,
	`tripped_at` datetime(3),
	`reason` varchar(500),
	`reset_at` datetime(3),
	`reset_by` varchar(128),
	CONSTRAINT `support_mail_breaker_name` PRIMARY KEY(`name`)
);
