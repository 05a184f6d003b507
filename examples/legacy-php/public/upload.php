<?php
// Upload a CSV price list (multipart/form-data, several MB). PHP writes the file to its temp dir; the checksum of
// the bytes PHP received is recorded and shown, so a proxy that changed or cut the upload would be caught.
// Needs upload_max_filesize and post_max_size above the file (php -d upload_max_filesize=32M -d post_max_size=34M).
require __DIR__ . '/../lib/shop.php';

$user = require_login();
$result = null;
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $f = $_FILES['pricelist'] ?? null;
    if ($f === null || $f['error'] !== UPLOAD_ERR_OK) {
        http_response_code(400);
        $result = ['error' => 'upload failed (PHP upload error ' . ($f['error'] ?? 'none') . ')'];
    } else {
        $sha = hash_file('sha256', $f['tmp_name']);
        $lines = 0;
        $fh = fopen($f['tmp_name'], 'rb');
        while (fgets($fh) !== false) {
            $lines++;
        }
        fclose($fh);
        db()->prepare('INSERT INTO price_uploads (customer_id, filename, bytes, sha256, line_count, created_at) VALUES (?, ?, ?, ?, ?, NOW())')
            ->execute([$user['id'], basename((string) $f['name']), (int) $f['size'], $sha, $lines]);
        $result = ['id' => (int) db()->lastInsertId(), 'bytes' => (int) $f['size'], 'sha256' => $sha, 'lines' => $lines, 'note' => (string) ($_POST['note'] ?? '')];
    }
}
if ($result !== null && str_contains((string) ($_SERVER['HTTP_ACCEPT'] ?? ''), 'application/json')) {
    header('Content-Type: application/json');
    echo json_encode($result);
    exit;
}
page_header('Upload a price list');
if ($result !== null) {
    echo '<pre class="result">' . h(json_encode($result, JSON_PRETTY_PRINT)) . '</pre>';
}
echo '<form method="post" action="/upload.php" enctype="multipart/form-data"><input type="file" name="pricelist" accept=".csv"> ',
    '<input name="note" placeholder="note"> <button>Upload</button></form>';
page_footer();
