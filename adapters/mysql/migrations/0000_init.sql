CREATE TABLE `support_address_flag` (
	`address` varchar(255) NOT NULL,
	`reason` varchar(255) NOT NULL,
	`ticket_id` int unsigned,
	`flagged_at` datetime(3) NOT NULL,
	CONSTRAINT `support_address_flag_address` PRIMARY KEY(`address`)
);
--> statement-breakpoint
CREATE TABLE `support_attachment` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`message_row_id` bigint unsigned NOT NULL,
	`ticket_id` int unsigned,
	`sha256` char(64),
	`filename` varchar(255) NOT NULL,
	`content_type` varchar(128) NOT NULL,
	`size` bigint unsigned NOT NULL,
	`dropped` varchar(16),
	CONSTRAINT `support_attachment_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `support_customer` (
	`email` varchar(255) NOT NULL,
	`customer_id` int unsigned NOT NULL,
	CONSTRAINT `support_customer_email` PRIMARY KEY(`email`)
);
--> statement-breakpoint
CREATE TABLE `support_event` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`ticket_id` int unsigned,
	`type` varchar(32) NOT NULL,
	`actor` varchar(128) NOT NULL,
	`details` json,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_event_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `support_mailbox_state` (
	`mailbox` varchar(64) NOT NULL,
	`uid_validity` bigint unsigned NOT NULL,
	`last_uid` bigint unsigned NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `support_mailbox_state_mailbox` PRIMARY KEY(`mailbox`)
);
--> statement-breakpoint
CREATE TABLE `support_message` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`message_id` varchar(255) NOT NULL,
	`ticket_id` int unsigned,
	`legacy_msg_id` int unsigned,
	`direction` enum('inbound','outbound') NOT NULL,
	`kind` enum('ticket','reply','automated','rejected','ack','agent_reply') NOT NULL,
	`outcome` varchar(24) NOT NULL,
	`thread_signal` varchar(16),
	`automated_kind` varchar(16),
	`automated_reason` varchar(500),
	`peer_address` varchar(255),
	`subject` varchar(500),
	`in_reply_to` text,
	`references_ids` text,
	`language` varchar(8),
	`body_text` mediumtext,
	`original_text` mediumtext,
	`notes` json,
	`source` varchar(64),
	`raw_size` int unsigned,
	`delivery` enum('pending','sent','failed','suppressed'),
	`delivery_attempts` int unsigned NOT NULL DEFAULT 0,
	`delivery_error` varchar(500),
	`delivery_next_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_message_id` PRIMARY KEY(`id`),
	CONSTRAINT `uq_message_message_id` UNIQUE(`message_id`)
);
--> statement-breakpoint
CREATE TABLE `support_participant` (
	`ticket_id` int unsigned NOT NULL,
	`address` varchar(255) NOT NULL,
	CONSTRAINT `support_participant_ticket_id_address_pk` PRIMARY KEY(`ticket_id`,`address`)
);
--> statement-breakpoint
CREATE TABLE `support_ticket` (
	`ticket_id` int unsigned NOT NULL,
	`customer_id` int unsigned NOT NULL,
	`customer_email` varchar(255) NOT NULL,
	`subject` varchar(500) NOT NULL,
	`status` enum('open','closed') NOT NULL DEFAULT 'open',
	`priority` enum('urgent','high','normal','low') NOT NULL DEFAULT 'normal',
	`category` enum('general','technical','billing','complaint','suggestion') NOT NULL DEFAULT 'general',
	`language` varchar(8),
	`source` varchar(16) NOT NULL DEFAULT 'email',
	`mailbox` varchar(64),
	`order_number` varchar(64),
	`triaged` tinyint NOT NULL DEFAULT 0,
	`triaged_at` datetime(3),
	`assignee_agent_id` int unsigned,
	`message_count` int unsigned NOT NULL DEFAULT 1,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	`last_message_at` datetime(3) NOT NULL,
	`first_response_at` datetime(3),
	`closed_at` datetime(3),
	CONSTRAINT `support_ticket_ticket_id` PRIMARY KEY(`ticket_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_attachment_ticket` ON `support_attachment` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `idx_attachment_message` ON `support_attachment` (`message_row_id`);--> statement-breakpoint
CREATE INDEX `idx_event_ticket` ON `support_event` (`ticket_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_event_type` ON `support_event` (`type`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_message_ticket` ON `support_message` (`ticket_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_message_peer_kind` ON `support_message` (`peer_address`,`kind`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_message_delivery` ON `support_message` (`delivery`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_status_created` ON `support_ticket` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_priority_status` ON `support_ticket` (`priority`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_category_status` ON `support_ticket` (`category`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_created` ON `support_ticket` (`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_closed` ON `support_ticket` (`closed_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_triaged` ON `support_ticket` (`triaged`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ticket_customer` ON `support_ticket` (`customer_id`);