-- The legacy B2B shop's schema, as such shops are found: primary keys and the one UNIQUE the login needs, and
-- none of the secondary indexes the pages' queries want. Missing on purpose (the DB advisor finds them from the
-- shop's own workload):
--   orders(customer_id, created_at)   the dashboard's order history and order count
--   order_items(product_id)           the product page's "ordered N times"
--   order_items(order_id)             the order detail page
-- MariaDB 10.6+ (the seed uses the SEQUENCE engine's seq_1_to_N tables).

CREATE TABLE customer_groups (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(40) NOT NULL,
  price_factor DECIMAL(4,3) NOT NULL          -- the group's prices are list price x factor
) ENGINE=InnoDB;

CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  group_id INT UNSIGNED NOT NULL,
  username VARCHAR(40) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  name VARCHAR(120) NOT NULL,
  email VARCHAR(120) NOT NULL,
  is_admin TINYINT(1) NOT NULL DEFAULT 0,
  UNIQUE KEY ux_username (username)
) ENGINE=InnoDB;

CREATE TABLE categories (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(80) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE products (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(20) NOT NULL,
  name VARCHAR(120) NOT NULL,
  category_id INT UNSIGNED NOT NULL,
  price DECIMAL(10,2) NOT NULL,                -- list price (the Retail group, and anonymous visitors)
  stock INT NOT NULL DEFAULT 0,
  description TEXT NOT NULL,
  updated_at DATETIME NOT NULL,
  KEY ix_category (category_id)
) ENGINE=InnoDB;

CREATE TABLE orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
  total DECIMAL(12,2) NOT NULL,
  created_at DATETIME NOT NULL,
  processed_at DATETIME NULL,
  job_id VARCHAR(64) NULL
) ENGINE=InnoDB;

CREATE TABLE order_items (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  qty SMALLINT UNSIGNED NOT NULL,
  price DECIMAL(10,2) NOT NULL
) ENGINE=InnoDB;

-- CSV price lists uploaded by customers: the checksum PHP computed over the bytes it received.
CREATE TABLE price_uploads (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  filename VARCHAR(255) NOT NULL,
  bytes INT UNSIGNED NOT NULL,
  sha256 CHAR(64) NOT NULL,
  line_count INT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;

-- Job ids the callback scripts already handled: delivery is at-least-once, a re-run must do nothing twice.
CREATE TABLE processed_jobs (
  job_id VARCHAR(64) NOT NULL PRIMARY KEY,
  type VARCHAR(40) NOT NULL,
  done_at DATETIME NOT NULL,
  result TEXT NULL
) ENGINE=InnoDB;

CREATE TABLE notifications (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id INT UNSIGNED NOT NULL,
  message VARCHAR(255) NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;

CREATE TABLE reports (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  month CHAR(7) NOT NULL,
  body TEXT NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;
