-- The old site's web form: the priority and category the customer chose (triage proposes, never overrides them),
-- and a FULLTEXT index on the messages' text so the old pages' search finds words of a ticket's content without
-- reading ___xtr_msg. Written by hand (drizzle-kit cannot declare FULLTEXT indexes).
ALTER TABLE `support_ticket` ADD `customer_priority` enum('urgent','high','normal','low');--> statement-breakpoint
ALTER TABLE `support_ticket` ADD `customer_category` enum('general','technical','billing','complaint','suggestion');--> statement-breakpoint
ALTER TABLE `support_message` ADD FULLTEXT INDEX `ft_message_body` (`body_text`);
