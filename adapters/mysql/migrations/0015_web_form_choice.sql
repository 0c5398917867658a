-- The old site's web form: the priority and category the customer chose (triage proposes, never overrides them).
ALTER TABLE `support_ticket` ADD `customer_priority` enum('urgent','high','normal','low');--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `customer_category` enum('general','technical','billing','complaint','suggestion');--> statement-breakpoint
-- The customer's text of each ticket (its first 20,000 characters, without the metadata block), with a FULLTEXT
-- index: the old pages' search finds a ticket by the words of its message without reading ___xtr_msg. Filled by
-- intake and by the adoption of the old site's tickets; the tickets already there are copied once, here (one
-- primary-key read of ___xtr_msg per ticket), before the index is built. Written by hand: drizzle-kit cannot
-- declare FULLTEXT indexes.
CREATE TABLE `support_ticket_text` (
	`ticket_id` int unsigned NOT NULL,
	`body` mediumtext NOT NULL,
	CONSTRAINT `support_ticket_text_ticket_id` PRIMARY KEY(`ticket_id`)
);--> statement-breakpoint
INSERT IGNORE INTO `support_ticket_text` (`ticket_id`, `body`)
SELECT t.`ticket_id`, LEFT(SUBSTRING_INDEX(COALESCE(m.`msg_content`, ''), '--- MÉTADONNÉES ---', 1), 20000)
  FROM `support_ticket` t JOIN `___xtr_msg` m ON m.`msg_id` = t.`ticket_id`;--> statement-breakpoint
ALTER TABLE `support_ticket_text` ADD FULLTEXT INDEX `ft_ticket_text_body` (`body`);
