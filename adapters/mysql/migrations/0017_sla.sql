-- SLA clocks (issue 20): one row per ticket with the policy chosen (and why), the clocks as last computed
-- and when to look again; one row per alert, whose primary key makes it fire once per ticket, metric,
-- cycle and kind whoever races (two workers, a restart).
CREATE TABLE `support_sla` (
	`ticket_id` int unsigned NOT NULL,
	`policy` varchar(40) NOT NULL,
	`policy_json` json NOT NULL,
	`reason` varchar(500) NOT NULL,
	`priority` varchar(16) NOT NULL,
	`category` varchar(16) NOT NULL,
	`ticket_updated_at` datetime(3) NOT NULL,
	`computed_at` datetime(3) NOT NULL,
	`next_check_at` datetime(3),
	`next_due_at` datetime(3),
	`first_response_met_at` datetime(3),
	`first_response_late` tinyint NOT NULL DEFAULT 0,
	`at_risk` tinyint NOT NULL DEFAULT 0,
	`breached` tinyint NOT NULL DEFAULT 0,
	`clocks` json NOT NULL,
	CONSTRAINT `support_sla_ticket_id` PRIMARY KEY(`ticket_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_sla_next_check` ON `support_sla` (`next_check_at`);
--> statement-breakpoint
CREATE INDEX `idx_sla_next_due` ON `support_sla` (`next_due_at`);
--> statement-breakpoint
CREATE INDEX `idx_sla_first_response_met` ON `support_sla` (`first_response_met_at`);
--> statement-breakpoint
CREATE TABLE `support_sla_alert` (
	`ticket_id` int unsigned NOT NULL,
	`metric` varchar(16) NOT NULL,
	`cycle` int unsigned NOT NULL,
	`kind` varchar(8) NOT NULL,
	`due_at` datetime(3) NOT NULL,
	`fired_at` datetime(3) NOT NULL,
	`posted` tinyint NOT NULL DEFAULT 1,
	CONSTRAINT `support_sla_alert_pk` PRIMARY KEY(`ticket_id`,`metric`,`cycle`,`kind`)
);
--> statement-breakpoint
CREATE INDEX `idx_sla_alert_fired` ON `support_sla_alert` (`kind`,`fired_at`);
