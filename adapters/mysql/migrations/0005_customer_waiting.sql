ALTER TABLE `support_ticket` ADD `awaiting_reply_since` datetime(3);--> statement-breakpoint
CREATE INDEX `idx_ticket_status_awaiting` ON `support_ticket` (`status`,`awaiting_reply_since`);--> statement-breakpoint
-- Tickets already there: the customer waits since their first message after our last reply.
UPDATE `support_ticket` t
  JOIN (
    SELECT m.`ticket_id`, MIN(m.`created_at`) AS since
      FROM `support_message` m
      LEFT JOIN (SELECT `ticket_id`, MAX(`created_at`) AS answered FROM `support_message` WHERE `kind` = 'agent_reply' GROUP BY `ticket_id`) r ON r.`ticket_id` = m.`ticket_id`
     WHERE m.`direction` = 'inbound' AND m.`kind` IN ('ticket', 'reply') AND m.`ticket_id` IS NOT NULL AND (r.`answered` IS NULL OR m.`created_at` > r.`answered`)
     GROUP BY m.`ticket_id`
  ) w ON w.`ticket_id` = t.`ticket_id`
   SET t.`awaiting_reply_since` = w.since;
