<?php
// Place an order: insert it, hand the slow part (payment check, confirmation) to the sidecar's job queue with one
// HTTP call, and redirect after POST. The page no longer waits for that work: the job's callback
// (jobs/process_order.php) marks the order paid.
require __DIR__ . '/../lib/shop.php';

$user = require_login();
if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    header('Location: /', true, 302);
    exit;
}
$productId = (int) ($_POST['product_id'] ?? 0);
$qty = max(1, min(999, (int) ($_POST['qty'] ?? 1)));
$db = db();
$stmt = $db->prepare('SELECT price FROM products WHERE id = ?');
$stmt->execute([$productId]);
$listPrice = $stmt->fetchColumn();
if ($listPrice === false) {
    http_response_code(422);
    page_header('No such product');
    page_footer();
    exit;
}
$price = (float) price_for((float) $listPrice, price_group());
$db->beginTransaction();
$db->prepare('INSERT INTO orders (customer_id, status, total, created_at) VALUES (?, \'new\', ?, NOW())')->execute([$user['id'], $price * $qty]);
$orderId = (int) $db->lastInsertId();
$db->prepare('INSERT INTO order_items (order_id, product_id, qty, price) VALUES (?, ?, ?, ?)')->execute([$orderId, $productId, $qty, $price]);
$db->commit();

try {
    // was: the payment check and the confirmation e-mail, inside this request
    $jobId = sidecar_job('process_order', ['orderId' => $orderId], ['priority' => 'high', 'idempotency_key' => 'order-' . $orderId]);
    $db->prepare('UPDATE orders SET job_id = ? WHERE id = ?')->execute([$jobId, $orderId]);
} catch (RuntimeException $e) {
    // The order is stored; a cron sweep of status 'new' orders would pick it up. Don't fail the customer.
    error_log($e->getMessage());
}
header('Location: /order-status.php?id=' . $orderId, true, 303);
