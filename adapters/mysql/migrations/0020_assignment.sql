-- Automatic assignment (issue 20, 2.4): each agent's place in the rotation and absence (locked by every
-- decision, so two workers never exceed a capacity), and the decision on each ticket with its reason;
-- queued tickets wait here, longest first. An index to count an agent's open tickets.
CREATE TABLE `support_assignment_agent` (
	`agent_id` int unsigned NOT NULL,
	`sequence` bigint unsigned NOT NULL DEFAULT 0,
	`last_assigned_at` datetime(3),
	`away_since` datetime(3),
	`away_until` datetime(3),
	CONSTRAINT `support_assignment_agent_agent_id` PRIMARY KEY(`agent_id`)
);
--> statement-breakpoint
CREATE TABLE `support_assignment` (
	`ticket_id` int unsigned NOT NULL,
	`state` varchar(8) NOT NULL,
	`agent_id` int unsigned,
	`strategy` varchar(20),
	`rule` varchar(40),
	`reason` varchar(2000) NOT NULL,
	`queued_since` datetime(3),
	`decided_at` datetime(3) NOT NULL,
	CONSTRAINT `support_assignment_ticket_id` PRIMARY KEY(`ticket_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_assignment_queue` ON `support_assignment` (`state`,`queued_since`);
--> statement-breakpoint
CREATE INDEX `idx_ticket_assignee_status` ON `support_ticket` (`assignee_agent_id`,`status`);
