CREATE TABLE "all_types" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "flag" BOOLEAN NOT NULL DEFAULT 0,
  "small" SMALLINT NOT NULL DEFAULT -1,
  "int" INTEGER NOT NULL,
  "big" BIGINT NOT NULL,
  "real" REAL NOT NULL DEFAULT 1.5,
  "double" DOUBLE NOT NULL,
  "text" TEXT NOT NULL DEFAULT 'it''s a \ test',
  "short_text" VARCHAR(12),
  "bytes" BLOB NOT NULL,
  "maybe_bytes" BLOB,
  "uuid" BLOB NOT NULL,
  "at" DATETIME NOT NULL,
  "local_at" DATETIME,
  "day" DATE NOT NULL,
  "time_of_day" TIME,
  "doc" TEXT NOT NULL,
  "settings" TEXT,
  "role" TEXT,
  "amount" NUMERIC(12,2) NOT NULL,
  CONSTRAINT "ck_all_types_role" CHECK ("role" IN ('admin', 'member', 'ro'))
);

CREATE INDEX "ix_all_types_small_big" ON "all_types" ("small", "big");

CREATE TABLE "category" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" TEXT NOT NULL,
  "parent_id" BIGINT,
  CONSTRAINT "fk_category_category_parent_id" FOREIGN KEY ("parent_id") REFERENCES "category" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
);

CREATE INDEX "ix_category_parent_id" ON "category" ("parent_id");

CREATE TABLE "country" (
  "code" VARCHAR(2) NOT NULL,
  "name" TEXT NOT NULL,
  CONSTRAINT "pk_country" PRIMARY KEY ("code")
);

CREATE TABLE "address" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "country" VARCHAR(2) NOT NULL,
  "billing_country" VARCHAR(2),
  CONSTRAINT "fk_address_country_country" FOREIGN KEY ("country") REFERENCES "country" ("code") ON DELETE RESTRICT ON UPDATE NO ACTION,
  CONSTRAINT "fk_address_country_billing_country" FOREIGN KEY ("billing_country") REFERENCES "country" ("code") ON DELETE NO ACTION ON UPDATE NO ACTION
);

CREATE TABLE "group" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" VARCHAR(80) NOT NULL,
  "order" INTEGER NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX "uq_group_name" ON "group" ("name");

CREATE TABLE "user" (
  "id" BLOB NOT NULL,
  "email" VARCHAR(255) NOT NULL,
  "display_name" TEXT,
  "group_id" BIGINT,
  "role" TEXT NOT NULL DEFAULT 'member',
  "active" BOOLEAN NOT NULL DEFAULT 1,
  "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "pk_user" PRIMARY KEY ("id"),
  CONSTRAINT "fk_user_group_group_id" FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "ck_user_role" CHECK ("role" IN ('admin', 'member', 'ro'))
);

CREATE UNIQUE INDEX "uq_user_email" ON "user" ("email");

CREATE INDEX "ix_user_group_id" ON "user" ("group_id");

CREATE TABLE "event" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "user_id" BLOB,
  "payload" TEXT NOT NULL,
  CONSTRAINT "fk_event_user_user_id" FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION
);

CREATE TABLE "membership" (
  "user_id" BLOB NOT NULL,
  "group_id" BIGINT NOT NULL,
  "joined_on" DATE NOT NULL,
  "role" TEXT NOT NULL,
  CONSTRAINT "pk_membership" PRIMARY KEY ("user_id", "group_id"),
  CONSTRAINT "fk_membership_user_user_id" FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT "fk_membership_group_group_id" FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT "ck_membership_role" CHECK ("role" IN ('admin', 'member', 'ro'))
);

CREATE UNIQUE INDEX "uq_membership_group_id_role" ON "membership" ("group_id", "role");

CREATE INDEX "ix_membership_joined_on_group_id" ON "membership" ("joined_on", "group_id");

CREATE TABLE "order" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "user_id" BLOB NOT NULL,
  "select" VARCHAR(20) NOT NULL,
  CONSTRAINT "fk_order_user_user_id" FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
);

CREATE UNIQUE INDEX "uq_order_select" ON "order" ("select");

CREATE TABLE "order_line" (
  "order_id" BIGINT NOT NULL,
  "line_no" INTEGER NOT NULL,
  "quantity" INTEGER NOT NULL,
  CONSTRAINT "pk_order_line" PRIMARY KEY ("order_id", "line_no"),
  CONSTRAINT "fk_order_line_order_order_id" FOREIGN KEY ("order_id") REFERENCES "order" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
);

CREATE TABLE "department" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" TEXT NOT NULL,
  "manager_id" BIGINT,
  CONSTRAINT "fk_department_employee_manager_id" FOREIGN KEY ("manager_id") REFERENCES "employee" ("id") ON DELETE SET NULL ON UPDATE NO ACTION
);

CREATE TABLE "employee" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "department_id" BIGINT NOT NULL,
  "a_column_name_long_enough_to_push_the_index_name_past_the_limit" TEXT,
  CONSTRAINT "fk_employee_department_department_id" FOREIGN KEY ("department_id") REFERENCES "department" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
);

CREATE INDEX "ix_employee_a_column_name_long_enough_to_push_the_inde_5ae159eb" ON "employee" ("a_column_name_long_enough_to_push_the_index_name_past_the_limit");

