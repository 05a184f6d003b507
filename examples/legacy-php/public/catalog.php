<?php
// A category's products, 20 a page, with the visitor's group prices.
require __DIR__ . '/../lib/shop.php';

$cat = max(1, (int) ($_GET['cat'] ?? 1));
$page = max(1, (int) ($_GET['page'] ?? 1));
$group = price_group();

$stmt = db()->prepare('SELECT id, sku, name, price, stock FROM products WHERE category_id = ? ORDER BY name LIMIT 20 OFFSET ' . (($page - 1) * 20));
$stmt->execute([$cat]);
$products = $stmt->fetchAll();

$tags = ['catalog', 'category-' . $cat];
foreach ($products as $p) {
    $tags[] = 'product-' . $p['id'];
}
cache_tags($tags);
page_header('Category ' . $cat);
echo "<table class=\"products\"><tr><th>SKU</th><th>Product</th><th>Price (" . h($group['name']) . ")</th><th>Stock</th></tr>\n";
foreach ($products as $p) {
    echo '<tr><td>' . h($p['sku']) . '</td><td><a href="/product.php?id=' . (int) $p['id'] . '">' . h($p['name']) . '</a></td>',
        '<td class="price" data-product="' . (int) $p['id'] . '">' . price_for((float) $p['price'], $group) . ' EUR</td><td>' . (int) $p['stock'] . "</td></tr>\n";
}
echo "</table>\n";
echo '<p><a href="/catalog.php?cat=' . $cat . '&amp;page=' . ($page + 1) . '">Next page</a></p>';
page_footer();
