-- Seed data, generated server-side from MariaDB's SEQUENCE engine (seq_1_to_N) with INSERT ... SELECT: a few
-- seconds for 4,000 products, 2,000 customers, 100,000 orders and 200,000 order lines.
-- Every customer's password is "secret" (one bcrypt hash, cost 8). user1, user5, user9... are Retail, user2,
-- user6... Silver, user3, user7... Gold, user4, user8... Platinum; "admin" edits products.

INSERT INTO customer_groups VALUES (1, 'Retail', 1.000), (2, 'Silver', 0.900), (3, 'Gold', 0.800), (4, 'Platinum', 0.700);

INSERT INTO customers (id, group_id, username, password_hash, name, email, is_admin)
  SELECT seq, 1 + (seq - 1) % 4, CONCAT('user', seq), '$2y$08$R3izFH.N3eLZsLl4XA8/3eNqw0o/moHh25W70keaaTRY1bMdgIBJe',
    CONCAT('Customer ', seq, ' GmbH'), CONCAT('buyer', seq, '@example.com'), 0
  FROM seq_1_to_2000;
INSERT INTO customers (id, group_id, username, password_hash, name, email, is_admin)
  VALUES (2001, 1, 'admin', '$2y$08$R3izFH.N3eLZsLl4XA8/3eNqw0o/moHh25W70keaaTRY1bMdgIBJe', 'Shop Admin', 'admin@example.com', 1);

INSERT INTO categories SELECT seq, CONCAT('Category ', seq) FROM seq_1_to_40;

INSERT INTO products (id, sku, name, category_id, price, stock, description, updated_at)
  SELECT seq, CONCAT('SKU-', LPAD(seq, 6, '0')), CONCAT('Industrial widget ', seq), 1 + seq % 40,
    10 + (seq * 37) % 990 + 0.50, (seq * 7) % 500,
    CONCAT('Widget ', seq, ' for professional use. ', REPEAT('Robust, tested, in stock. ', 8)), '2026-01-01'
  FROM seq_1_to_4000;

-- Two years of orders; customers and products picked by multiplicative hashing, so every customer has about 50
-- orders at scattered dates and every product about 50 order lines.
INSERT INTO orders (id, customer_id, status, total, created_at, processed_at)
  SELECT seq, 1 + (seq * 7919) % 2000, ELT(1 + (seq * 31) % 4, 'paid', 'shipped', 'shipped', 'cancelled'),
    (seq * 13) % 5000 + 0.99, '2024-06-01' + INTERVAL (seq * 630) SECOND, '2024-06-01' + INTERVAL (seq * 630 + 60) SECOND
  FROM seq_1_to_100000;

INSERT INTO order_items (id, order_id, product_id, qty, price)
  SELECT seq, 1 + (seq - 1) DIV 2, 1 + (seq * 104729) % 4000, 1 + seq % 9, 10 + seq % 500
  FROM seq_1_to_200000;

-- Fresh statistics, as a weekly ANALYZE would leave them.
ANALYZE TABLE customer_groups, customers, categories, products, orders, order_items;
