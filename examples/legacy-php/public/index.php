<?php
// Home: the categories. Shared by everyone of a customer group (anonymous visitors see list prices).
require __DIR__ . '/../lib/shop.php';

$cats = db()->query('SELECT c.id, c.name, COUNT(p.id) AS n FROM categories c LEFT JOIN products p ON p.category_id = c.id GROUP BY c.id, c.name ORDER BY c.id')->fetchAll();
cache_tags(['catalog', 'home']);
page_header('Catalog');
echo "<ul class=\"categories\">\n";
foreach ($cats as $c) {
    echo '<li><a href="/catalog.php?cat=' . (int) $c['id'] . '">' . h($c['name']) . '</a> (' . (int) $c['n'] . ")</li>\n";
}
echo "</ul>\n";
page_footer();
