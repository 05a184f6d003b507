<?php
// The customer's own page: name, group, order count and the last 10 orders with their lines. Cached per user by
// the sidecar (scope: per-user), never shared. Legacy N+1: one query for the orders, one per order for its lines,
// each scanning orders / order_items (no index on customer_id or order_id).
require __DIR__ . '/../lib/shop.php';

$user = require_login();
$db = db();
$stmt = $db->prepare('SELECT COUNT(*) AS n, COALESCE(SUM(total), 0) AS revenue FROM orders WHERE customer_id = ?');
$stmt->execute([$user['id']]);
$summary = $stmt->fetch();
$stmt = $db->prepare('SELECT id, status, total, created_at FROM orders WHERE customer_id = ? ORDER BY created_at DESC LIMIT 10');
$stmt->execute([$user['id']]);
$orders = $stmt->fetchAll();
$lines = $db->prepare('SELECT p.name, oi.qty, oi.price FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = ?');

page_header('Dashboard');
echo '<p class="who" data-user="' . (int) $user['id'] . '">' . h($user['name']) . ' (' . h($user['username']) . '), group ' . h($user['group_name']) . '</p>',
    '<p>' . (int) $summary['n'] . ' orders, ' . number_format((float) $summary['revenue'], 2, '.', '') . " EUR in total. <a href=\"/upload.php\">Upload a price list</a></p>\n",
    "<table class=\"orders\"><tr><th>Order</th><th>Date</th><th>Status</th><th>Total</th><th>Lines</th></tr>\n";
foreach ($orders as $o) {
    $lines->execute([$o['id']]);
    $items = array_map(fn ($l) => (int) $l['qty'] . ' x ' . h($l['name']), $lines->fetchAll());
    echo '<tr><td><a href="/order-status.php?id=' . (int) $o['id'] . '">#' . (int) $o['id'] . '</a></td><td>' . h($o['created_at']) . '</td><td>' . h($o['status']) . '</td>',
        '<td>' . h($o['total']) . '</td><td>' . implode(', ', $items) . "</td></tr>\n";
}
echo "</table>\n";
page_footer();
