<?php
// Included by every page, as in a legacy shop: settings from the environment, one PDO connection, the PHP
// session started on every page (so PHP sends Set-Cookie and its no-cache headers on every page, anonymous or not),
// output buffering on (so header() still works after HTML was echoed), and the page layout.
//
// Environment: SHOP_DB_DSN (default mysql:host=127.0.0.1;port=3306;dbname=legacy_shop), SHOP_DB_USER (root),
// SHOP_DB_PASS (''), SIDECAR_ADMIN_URL and SIDECAR_ADMIN_TOKEN (purge API), SIDECAR_JOBS_URL and
// SIDECAR_JOBS_SECRET (job endpoint and callback signatures), SHOP_CONTEXT_SALT (sidecar-context.php).

declare(strict_types=1);

ob_start();
require_once __DIR__ . '/../../php/sidecar_jobs.php';
require_once __DIR__ . '/sidecar_cache.php';

function env(string $name, string $default = ''): string
{
    $v = getenv($name);
    return $v === false || $v === '' ? $default : $v;
}

function db(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        $pdo = new PDO(
            env('SHOP_DB_DSN', 'mysql:host=127.0.0.1;port=3306;dbname=legacy_shop;charset=utf8mb4'),
            env('SHOP_DB_USER', 'root'),
            env('SHOP_DB_PASS', ''),
            [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC]
        );
    }
    return $pdo;
}

function h(mixed $s): string
{
    return htmlspecialchars((string) $s, ENT_QUOTES, 'UTF-8');
}

/** The logged-in customer (id, username, name, group_id, group_name, price_factor, is_admin) or null. */
function current_user(): ?array
{
    return $_SESSION['user'] ?? null;
}

function require_login(): array
{
    $user = current_user();
    if ($user === null) {
        header('Location: /login.php', true, 302);
        exit;
    }
    return $user;
}

/** The group whose prices this visitor sees: the customer's, or Retail (list prices) for anonymous visitors. */
function price_group(): array
{
    $user = current_user();
    if ($user !== null) {
        return ['id' => (int) $user['group_id'], 'name' => $user['group_name'], 'factor' => (float) $user['price_factor']];
    }
    return ['id' => 1, 'name' => 'Retail', 'factor' => 1.0];
}

function price_for(float $listPrice, array $group): string
{
    return number_format(round($listPrice * $group['factor'], 2), 2, '.', '');
}

/**
 * Tags for the sidecar's cache (purged by tag after an edit). Header name the sidecar reads: Surrogate-Key,
 * space-separated.
 */
function cache_tags(array $tags): void
{
    header('Surrogate-Key: ' . implode(' ', array_unique($tags)));
}

/**
 * The layout. Deliberately no user name in the header of shared pages: catalog and product pages are cached per
 * customer group (scope: context), so anything personal on them would be shown to the group. The name is on the
 * dashboard, which is cached per user.
 */
function page_header(string $title): void
{
    $group = price_group();
    $user = current_user();
    echo "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" . h($title) . " - Legacy B2B Shop</title>",
        '<link rel="stylesheet" href="/static/shop.css"></head><body>',
        '<header><a href="/">Legacy B2B Shop</a> <span class="group">Prices for: ' . h($group['name']) . '</span> ',
        $user === null ? '<a href="/login.php">Log in</a>' : '<a href="/dashboard.php">My account</a> <a href="/logout.php">Log out</a>',
        "</header>\n<main><h1>" . h($title) . "</h1>\n";
}

function page_footer(): void
{
    echo "</main><footer>Legacy B2B Shop, plain PHP " . PHP_MAJOR_VERSION . "</footer></body></html>\n";
}

// Job callbacks (called by the sidecar's worker, not a browser) have no session.
if (!defined('SHOP_NO_SESSION')) {
    session_start();
}
