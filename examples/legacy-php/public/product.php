<?php
// One product with the visitor's group price, how often it was ordered and when it was last ordered. The two
// statistics scan order_items (no index on product_id or order_id): this is the shop's slow page.
require __DIR__ . '/../lib/shop.php';

$id = (int) ($_GET['id'] ?? 0);
$stmt = db()->prepare('SELECT id, sku, name, category_id, price, stock, description FROM products WHERE id = ?');
$stmt->execute([$id]);
$p = $stmt->fetch();
if ($p === false) {
    http_response_code(404);
    page_header('No such product');
    page_footer();
    exit;
}
$group = price_group();

$stmt = db()->prepare('SELECT COUNT(*) AS orders, COALESCE(SUM(qty), 0) AS units FROM order_items WHERE product_id = ?');
$stmt->execute([$id]);
$popularity = $stmt->fetch();

$stmt = db()->prepare('SELECT o.created_at, oi.qty FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE oi.product_id = ? ORDER BY o.created_at DESC LIMIT 5');
$stmt->execute([$id]);
$recent = $stmt->fetchAll();

cache_tags(['product-' . $id, 'category-' . $p['category_id']]);
page_header($p['name']);
echo '<p class="sku">' . h($p['sku']) . '</p>',
    '<p class="price" data-product="' . $id . '">' . price_for((float) $p['price'], $group) . ' EUR <small>(' . h($group['name']) . ' price)</small></p>',
    '<p>' . h($p['description']) . '</p>',
    '<p>In stock: ' . (int) $p['stock'] . '. Ordered ' . (int) $popularity['orders'] . ' times (' . (int) $popularity['units'] . " units).</p>\n";
if (current_user() !== null) {
    // No per-user token in this form: the page is shared by the customer group.
    echo '<form method="post" action="/order.php"><input type="hidden" name="product_id" value="' . $id . '">',
        '<label>Quantity <input name="qty" type="number" value="1" min="1" max="999"></label> <button>Order</button></form>';
}
echo "<h2>Recently ordered</h2><ul>\n";
foreach ($recent as $r) {
    echo '<li>' . h(substr($r['created_at'], 0, 10)) . ': ' . (int) $r['qty'] . " units</li>\n";
}
echo "</ul>\n";
page_footer();
