-- /ticket list's words: a FULLTEXT index on support_ticket (subject and the customer's address).
-- Written by hand: drizzle-kit cannot declare FULLTEXT indexes (schema.ts says so beside the table).
ALTER TABLE `support_ticket` ADD FULLTEXT INDEX `ft_ticket_subject_email` (`subject`, `customer_email`);
