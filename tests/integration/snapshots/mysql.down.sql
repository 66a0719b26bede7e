ALTER TABLE IF EXISTS `department` DROP FOREIGN KEY IF EXISTS `fk_department_employee_manager_id`;

DROP TABLE IF EXISTS `employee`;

DROP TABLE IF EXISTS `department`;

DROP TABLE IF EXISTS `order_line`;

DROP TABLE IF EXISTS `order`;

DROP TABLE IF EXISTS `membership`;

DROP TABLE IF EXISTS `event`;

DROP TABLE IF EXISTS `user`;

DROP TABLE IF EXISTS `group`;

DROP TABLE IF EXISTS `address`;

DROP TABLE IF EXISTS `country`;

DROP TABLE IF EXISTS `category`;

DROP TABLE IF EXISTS `all_types`;

