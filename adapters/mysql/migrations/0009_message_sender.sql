ALTER TABLE `support_message` ADD `peer_name` varchar(255);--> statement-breakpoint
ALTER TABLE `support_message` ADD `sent_at` datetime(3);