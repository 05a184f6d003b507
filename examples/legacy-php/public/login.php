<?php
// Login with a PHP session: a new session id after login (session fixation), then redirect after POST.
require __DIR__ . '/../lib/shop.php';

$error = '';
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $stmt = db()->prepare('SELECT c.id, c.username, c.name, c.password_hash, c.is_admin, c.group_id, g.name AS group_name, g.price_factor FROM customers c JOIN customer_groups g ON g.id = c.group_id WHERE c.username = ?');
    $stmt->execute([trim((string) ($_POST['username'] ?? ''))]);
    $row = $stmt->fetch();
    if ($row !== false && password_verify((string) ($_POST['password'] ?? ''), $row['password_hash'])) {
        unset($row['password_hash']);
        session_regenerate_id(true);
        $_SESSION['user'] = $row;
        // A flag the sidecar can tell logged-in visitors by (cache.loggedIn.cookies): PHP gives every visitor a
        // PHPSESSID, so the session cookie alone doesn't mean logged in. Not a credential: the session is.
        setcookie('logged_in', '1', ['path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
        header('Location: ' . ($row['is_admin'] ? '/admin/product.php?id=1' : '/dashboard.php'), true, 303);
        exit;
    }
    $error = 'Wrong user name or password.';
}
page_header('Log in');
if ($error !== '') {
    echo '<p class="error">' . h($error) . '</p>';
}
echo '<form method="post" action="/login.php"><label>User <input name="username"></label> ',
    '<label>Password <input name="password" type="password"></label> <button>Log in</button></form>';
page_footer();
