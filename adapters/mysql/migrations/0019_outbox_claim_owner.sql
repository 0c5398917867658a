ALTER TABLE `support_message` ADD `delivery_claimed_by` varchar(128);
