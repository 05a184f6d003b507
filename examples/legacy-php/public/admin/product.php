<?php
// Admin: edit a product's price and stock. After the UPDATE, purge every cached page that shows the product (by
// its Surrogate-Key tag: its product page and the catalog pages that list it, in every customer group's variant)
// and hand the customer notification to the job queue.
require __DIR__ . '/../../lib/shop.php';

$user = require_login();
if (!$user['is_admin']) {
    http_response_code(403);
    page_header('Forbidden');
    page_footer();
    exit;
}
$id = (int) ($_GET['id'] ?? $_POST['id'] ?? 0);
$db = db();
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $price = round((float) ($_POST['price'] ?? 0), 2);
    $stock = (int) ($_POST['stock'] ?? 0);
    if ($price <= 0) {
        http_response_code(422);
        page_header('Price must be positive');
        page_footer();
        exit;
    }
    $db->prepare('UPDATE products SET price = ?, stock = ?, updated_at = NOW() WHERE id = ?')->execute([$price, $stock, $id]);
    $purged = sidecar_purge(['tags' => ['product-' . $id]]);
    try {
        sidecar_job('send_notification', ['productId' => $id, 'message' => "Price of product $id is now $price EUR"]);
    } catch (RuntimeException $e) {
        error_log($e->getMessage());
    }
    header('X-Shop-Purged: ' . $purged);
    header('Location: /admin/product.php?id=' . $id . '&saved=1', true, 303);
    exit;
}
$stmt = $db->prepare('SELECT id, sku, name, price, stock FROM products WHERE id = ?');
$stmt->execute([$id]);
$p = $stmt->fetch();
if ($p === false) {
    http_response_code(404);
    page_header('No such product');
    page_footer();
    exit;
}
page_header('Edit ' . $p['name']);
if (isset($_GET['saved'])) {
    echo '<p class="saved">Saved; the sidecar\'s cache was purged.</p>';
}
echo '<form method="post" action="/admin/product.php"><input type="hidden" name="id" value="' . (int) $p['id'] . '">',
    '<label>List price <input name="price" value="' . h($p['price']) . '"></label> ',
    '<label>Stock <input name="stock" value="' . (int) $p['stock'] . '"></label> <button>Save</button></form>',
    '<p><a href="/product.php?id=' . (int) $p['id'] . '">View</a> · <a href="/admin/report.php">Monthly report</a></p>';
page_footer();
