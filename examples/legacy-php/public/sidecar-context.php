<?php
// For the sidecar's `scope: context` rules: what a visitor's shared pages depend on, as one opaque hash. Asked
// once per session (with the visitor's cookies), remembered for cache.context.ttl. Here the pages depend on the
// customer group only (its prices); a visitor holding a session but not logged in gets the anonymous hash, so
// all of them share one entry.
declare(strict_types=1);

// Don't create a session for a visitor who has none, and don't lock or rewrite the session file.
if (isset($_COOKIE[session_name()])) {
    session_start(['read_and_close' => true]);
}
$user = $_SESSION['user'] ?? null;
$context = $user === null ? 'anonymous' : 'group:' . (int) $user['group_id'];
header('Cache-Control: no-store');
header('X-User-Context-Hash: ' . hash('sha256', $context . '|' . (getenv('SHOP_CONTEXT_SALT') ?: 'change-this-salt')));
http_response_code(200); // the sidecar reads the hash from a 200 only
