CREATE TABLE `all_types` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `flag` BOOLEAN NOT NULL DEFAULT 0,
  `small` SMALLINT NOT NULL DEFAULT -1,
  `int` INT NOT NULL,
  `big` BIGINT NOT NULL,
  `real` FLOAT NOT NULL DEFAULT 1.5,
  `double` DOUBLE NOT NULL,
  `text` LONGTEXT NOT NULL DEFAULT ('it''s a \\ test'),
  `short_text` VARCHAR(12),
  `bytes` LONGBLOB NOT NULL,
  `maybe_bytes` LONGBLOB,
  `uuid` BINARY(16) NOT NULL,
  `at` DATETIME(6) NOT NULL,
  `local_at` DATETIME(6),
  `day` DATE NOT NULL,
  `time_of_day` TIME(6),
  `doc` JSON NOT NULL,
  `settings` JSON,
  `role` LONGTEXT,
  `amount` DECIMAL(12,2) NOT NULL,
  CONSTRAINT `pk_all_types` PRIMARY KEY (`id`),
  CONSTRAINT `ck_all_types_role` CHECK (`role` IN ('admin', 'member', 'ro'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='One column of every mapped type, nullable and not, with literal defaults.';

CREATE INDEX `ix_all_types_small_big` ON `all_types` (`small`, `big`);

CREATE TABLE `category` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `name` LONGTEXT NOT NULL,
  `parent_id` BIGINT,
  CONSTRAINT `pk_category` PRIMARY KEY (`id`),
  CONSTRAINT `fk_category_category_parent_id` FOREIGN KEY (`parent_id`) REFERENCES `category` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='A tree: the parent is the same table; deleting a node deletes its subtree.';

CREATE INDEX `ix_category_parent_id` ON `category` (`parent_id`);

CREATE TABLE `country` (
  `code` VARCHAR(2) NOT NULL,
  `name` LONGTEXT NOT NULL,
  CONSTRAINT `pk_country` PRIMARY KEY (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='A text key with a length: columns referring to it take its type.';

CREATE TABLE `address` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `country` VARCHAR(2) NOT NULL,
  `billing_country` VARCHAR(2),
  CONSTRAINT `pk_address` PRIMARY KEY (`id`),
  CONSTRAINT `fk_address_country_country` FOREIGN KEY (`country`) REFERENCES `country` (`code`) ON DELETE RESTRICT ON UPDATE NO ACTION,
  CONSTRAINT `fk_address_country_billing_country` FOREIGN KEY (`billing_country`) REFERENCES `country` (`code`) ON DELETE NO ACTION ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */;

CREATE TABLE `group` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `name` VARCHAR(80) NOT NULL,
  `order` INT NOT NULL DEFAULT 0,
  CONSTRAINT `pk_group` PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */;

CREATE UNIQUE INDEX `uq_group_name` ON `group` (`name`);

CREATE TABLE `user` (
  `id` BINARY(16) NOT NULL,
  `email` VARCHAR(255) NOT NULL,
  `display_name` LONGTEXT,
  `group_id` BIGINT,
  `role` LONGTEXT NOT NULL DEFAULT ('member'),
  `active` BOOLEAN NOT NULL DEFAULT 1,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT `pk_user` PRIMARY KEY (`id`),
  CONSTRAINT `fk_user_group_group_id` FOREIGN KEY (`group_id`) REFERENCES `group` (`id`) ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT `ck_user_role` CHECK (`role` IN ('admin', 'member', 'ro'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */;

CREATE UNIQUE INDEX `uq_user_email` ON `user` (`email`);

CREATE INDEX `ix_user_group_id` ON `user` (`group_id`);

CREATE TABLE `event` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `user_id` BINARY(16),
  `payload` JSON NOT NULL,
  CONSTRAINT `pk_event` PRIMARY KEY (`id`),
  CONSTRAINT `fk_event_user_user_id` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE NO ACTION ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='In schema `archive` on PostgreSQL; schemas are ignored elsewhere.';

CREATE TABLE `membership` (
  `user_id` BINARY(16) NOT NULL,
  `group_id` BIGINT NOT NULL,
  `joined_on` DATE NOT NULL,
  `role` VARCHAR(255) NOT NULL,
  CONSTRAINT `pk_membership` PRIMARY KEY (`user_id`, `group_id`),
  CONSTRAINT `fk_membership_user_user_id` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT `fk_membership_group_group_id` FOREIGN KEY (`group_id`) REFERENCES `group` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT `ck_membership_role` CHECK (`role` IN ('admin', 'member', 'ro'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='Composite primary key; both halves cascade.';

CREATE UNIQUE INDEX `uq_membership_group_id_role` ON `membership` (`group_id`, `role`);

CREATE INDEX `ix_membership_joined_on_group_id` ON `membership` (`joined_on`, `group_id`);

CREATE TABLE `order` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `user_id` BINARY(16) NOT NULL,
  `select` VARCHAR(20) NOT NULL,
  CONSTRAINT `pk_order` PRIMARY KEY (`id`),
  CONSTRAINT `fk_order_user_user_id` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE RESTRICT ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='`order` is reserved everywhere; users with orders cannot be deleted.';

CREATE UNIQUE INDEX `uq_order_select` ON `order` (`select`);

CREATE TABLE `order_line` (
  `order_id` BIGINT NOT NULL,
  `line_no` INT NOT NULL,
  `quantity` INT NOT NULL,
  CONSTRAINT `pk_order_line` PRIMARY KEY (`order_id`, `line_no`),
  CONSTRAINT `fk_order_line_order_order_id` FOREIGN KEY (`order_id`) REFERENCES `order` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */;

CREATE TABLE `department` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `name` LONGTEXT NOT NULL,
  `manager_id` BIGINT,
  CONSTRAINT `pk_department` PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */ COMMENT='Department and Employee refer to each other: a cycle, closed by an `ALTER TABLE … ADD CONSTRAINT` on PostgreSQL and MySQL.';

CREATE TABLE `employee` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `department_id` BIGINT NOT NULL,
  `a_column_name_long_enough_to_push_the_index_name_past_the_limit` VARCHAR(255),
  CONSTRAINT `pk_employee` PRIMARY KEY (`id`),
  CONSTRAINT `fk_employee_department_department_id` FOREIGN KEY (`department_id`) REFERENCES `department` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */;

CREATE INDEX `ix_employee_a_column_name_long_enough_to_push_the_inde_5ae159eb` ON `employee` (`a_column_name_long_enough_to_push_the_index_name_past_the_limit`);

ALTER TABLE `department` ADD CONSTRAINT `fk_department_employee_manager_id` FOREIGN KEY (`manager_id`) REFERENCES `employee` (`id`) ON DELETE SET NULL ON UPDATE NO ACTION;

