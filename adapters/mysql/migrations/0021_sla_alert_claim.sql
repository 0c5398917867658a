-- SLA alerts (issue 20): an alert's claim names its owner (host:pid:start) and how long it holds; a claim
-- still held (claimed_until set) whose owner died, or whose lease ran out, is taken over by the next check,
-- so an alert claimed by a process that crashed before posting is posted after all, once. NULL: done.
ALTER TABLE `support_sla_alert` ADD `claimed_by` varchar(128);
--> statement-breakpoint
ALTER TABLE `support_sla_alert` ADD `claimed_until` datetime(3);
