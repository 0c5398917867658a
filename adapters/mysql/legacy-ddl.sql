-- Development copy of the shop's legacy tables (from shared/legacy-schema.sql), used only by
-- `ticketrelay db create-legacy` to create them in a development or test database. Never run against
-- the shop: there they exist already, and this project never alters them.

CREATE TABLE `___xtr_customer` (
  `cst_id`       INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `cst_mail`     VARCHAR(255) NULL,             -- looked up case-insensitively; not unique in the data
  `cst_pswd`     VARCHAR(255) NULL,
  `cst_keylog`   VARCHAR(255) NULL,
  `cst_civility` VARCHAR(16)  NULL,             -- 'Mr.' | 'Mme.' | 'Mlle.'
  `cst_name`     VARCHAR(255) NULL,             -- last name
  `cst_fname`    VARCHAR(255) NULL,             -- first name
  `cst_address`  TEXT         NULL,
  `cst_zip_code` VARCHAR(16)  NULL,
  `cst_city`     VARCHAR(255) NULL,
  `cst_country`  VARCHAR(64)  NULL,
  `cst_tel`      VARCHAR(32)  NULL,             -- landline (there is no cst_phone column)
  `cst_gsm`      VARCHAR(32)  NULL,             -- mobile
  `cst_is_cpy`   VARCHAR(1)   NULL DEFAULT '0',
  `cst_rs`       VARCHAR(255) NULL,             -- company name
  `cst_siret`    VARCHAR(32)  NULL,
  `cst_is_pro`   VARCHAR(1)   NULL DEFAULT '0',
  `cst_activ`    VARCHAR(1)   NULL DEFAULT '1',
  `cst_level`    VARCHAR(8)   NULL DEFAULT '1',
  PRIMARY KEY (`cst_id`),
  KEY `idx_cst_mail` (`cst_mail`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `___xtr_msg` (
  `msg_id`           INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `msg_cst_id`       VARCHAR(32)  NULL,         -- ___xtr_customer.cst_id (no foreign key in the data)
  `msg_ord_id`       VARCHAR(64)  NULL,         -- order number, when the customer gave one
  `msg_orl_id`       VARCHAR(32)  NULL,
  `msg_orl_equiv_id` VARCHAR(32)  NULL,
  `msg_cnfa_id`      VARCHAR(32)  NULL,         -- staff id of the author; NULL or '0' = written by the customer
  `msg_date`         VARCHAR(32)  NULL,         -- TEXT dates in mixed formats: 'Y-m-j H:i:s' (day not padded) and ISO-8601
  `msg_subject`      TEXT         NULL,
  `msg_content`      MEDIUMTEXT   NULL,         -- HTML or text; support tickets end with a metadata block (see DESIGN.md)
  `msg_parent_id`    VARCHAR(32)  NULL,         -- msg_id of the ticket a reply belongs to
  `msg_open`         VARCHAR(1)   NULL DEFAULT '0',
  `msg_close`        VARCHAR(1)   NULL DEFAULT '0',
  PRIMARY KEY (`msg_id`),
  KEY `idx_msg_cst_id`    (`msg_cst_id`),
  KEY `idx_msg_parent_id` (`msg_parent_id`),
  KEY `idx_msg_ord_id`    (`msg_ord_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
