-- Reply templates (issue 20, 2.1): one row per key and version; an import that changes a template adds a
-- version, so the audit's key@version always names the text that was sent.
CREATE TABLE `support_template` (
	`template_key` varchar(80) NOT NULL,
	`version` int unsigned NOT NULL,
	`title` varchar(200) NOT NULL,
	`tags` json NOT NULL,
	`actions` json NOT NULL,
	`bodies` json NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `support_template_key_version` PRIMARY KEY(`template_key`,`version`)
);
