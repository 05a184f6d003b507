<?php
require __DIR__ . '/../lib/shop.php';

$_SESSION = [];
session_destroy();
setcookie(session_name(), '', ['expires' => time() - 3600, 'path' => '/']);
setcookie('logged_in', '', ['expires' => time() - 3600, 'path' => '/']);
header('Location: /', true, 303);
