CREATE TABLE `support_ticket_tally` (
	`status` enum('open','closed') NOT NULL,
	`priority` enum('urgent','high','normal','low') NOT NULL,
	`category` enum('general','technical','billing','complaint','suggestion') NOT NULL,
	`shard` tinyint unsigned NOT NULL,
	`tickets` bigint NOT NULL,
	CONSTRAINT `support_ticket_tally_status_priority_category_shard_pk` PRIMARY KEY(`status`,`priority`,`category`,`shard`)
);
--> statement-breakpoint
CREATE INDEX `idx_ticket_customer_email` ON `support_ticket` (`customer_email`,`created_at`);--> statement-breakpoint
-- Hand-written below: the triggers that keep support_ticket_tally (drizzle cannot declare triggers).
CREATE TRIGGER `trg_ticket_tally_insert` AFTER INSERT ON `support_ticket` FOR EACH ROW
  INSERT INTO `support_ticket_tally` (`status`, `priority`, `category`, `shard`, `tickets`)
  VALUES (NEW.`status`, NEW.`priority`, NEW.`category`, CONNECTION_ID() % 64, 1)
  ON DUPLICATE KEY UPDATE `tickets` = `tickets` + 1;
--> statement-breakpoint
CREATE TRIGGER `trg_ticket_tally_update` AFTER UPDATE ON `support_ticket` FOR EACH ROW
BEGIN
  IF NOT (NEW.`status` <=> OLD.`status` AND NEW.`priority` <=> OLD.`priority` AND NEW.`category` <=> OLD.`category`) THEN
    INSERT INTO `support_ticket_tally` (`status`, `priority`, `category`, `shard`, `tickets`)
    VALUES (OLD.`status`, OLD.`priority`, OLD.`category`, CONNECTION_ID() % 64, -1)
    ON DUPLICATE KEY UPDATE `tickets` = `tickets` - 1;
    INSERT INTO `support_ticket_tally` (`status`, `priority`, `category`, `shard`, `tickets`)
    VALUES (NEW.`status`, NEW.`priority`, NEW.`category`, CONNECTION_ID() % 64, 1)
    ON DUPLICATE KEY UPDATE `tickets` = `tickets` + 1;
  END IF;
END;
--> statement-breakpoint
CREATE TRIGGER `trg_ticket_tally_delete` AFTER DELETE ON `support_ticket` FOR EACH ROW
  INSERT INTO `support_ticket_tally` (`status`, `priority`, `category`, `shard`, `tickets`)
  VALUES (OLD.`status`, OLD.`priority`, OLD.`category`, CONNECTION_ID() % 64, -1)
  ON DUPLICATE KEY UPDATE `tickets` = `tickets` - 1;
--> statement-breakpoint
-- The tickets already there (a shard of their own, 64, which no connection writes to).
INSERT INTO `support_ticket_tally` (`status`, `priority`, `category`, `shard`, `tickets`)
  SELECT `status`, `priority`, `category`, 64, COUNT(*) FROM `support_ticket` GROUP BY `status`, `priority`, `category`;
