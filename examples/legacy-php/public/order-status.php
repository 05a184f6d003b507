<?php
// One order of the logged-in customer with its status (never cached: the sidecar's rules bypass it).
require __DIR__ . '/../lib/shop.php';

$user = require_login();
$id = (int) ($_GET['id'] ?? 0);
$stmt = db()->prepare('SELECT id, status, total, created_at, processed_at, job_id FROM orders WHERE id = ? AND customer_id = ?');
$stmt->execute([$id, $user['id']]);
$o = $stmt->fetch();
if ($o === false) {
    http_response_code(404);
    page_header('No such order');
    page_footer();
    exit;
}
$lines = db()->prepare('SELECT p.name, oi.qty, oi.price FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = ?');
$lines->execute([$id]);
page_header('Order #' . $id);
echo '<p>Status: <strong class="status" data-status="' . h($o['status']) . '">' . h($o['status']) . '</strong>',
    $o['processed_at'] ? ' (processed ' . h($o['processed_at']) . ')' : ' (being processed)', '</p>',
    '<p>Total ' . h($o['total']) . ' EUR, job ' . h($o['job_id'] ?? '-') . "</p>\n<ul>";
foreach ($lines->fetchAll() as $l) {
    echo '<li>' . (int) $l['qty'] . ' x ' . h($l['name']) . ' at ' . h($l['price']) . "</li>\n";
}
echo "</ul>\n";
page_footer();
