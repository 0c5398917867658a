-- SLA alerts (issue 20): a post the platform refused is retried with backoff; the alert row counts the
-- attempts, keeps the last refusal (our own words: platform, channel, reason; never a token) and when it
-- was given up. support_sla keeps when the resolution clock stopped and whether late, for /ticket stats.
ALTER TABLE `support_sla_alert` ADD `attempts` tinyint unsigned NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE `support_sla_alert` ADD `last_error` varchar(500);
--> statement-breakpoint
ALTER TABLE `support_sla_alert` ADD `given_up_at` datetime(3);
--> statement-breakpoint
ALTER TABLE `support_sla` ADD `resolved_at` datetime(3);
--> statement-breakpoint
ALTER TABLE `support_sla` ADD `resolution_late` tinyint NOT NULL DEFAULT 0;
--> statement-breakpoint
CREATE INDEX `idx_sla_resolved` ON `support_sla` (`resolved_at`);
