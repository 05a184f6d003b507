<?php
// Admin: the monthly sales report used to be built inside this page (3 s and more). Now the page enqueues it and
// answers at once; jobs/generate_report.php builds it in the background and stores it.
require __DIR__ . '/../../lib/shop.php';

$user = require_login();
if (!$user['is_admin']) {
    http_response_code(403);
    exit;
}
$month = preg_match('/^\d{4}-\d{2}$/', (string) ($_POST['month'] ?? '')) ? $_POST['month'] : date('Y-m');
$jobId = null;
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $jobId = sidecar_job('generate_report', ['report' => 'sales', 'month' => $month], ['priority' => 'low']);
}
$reports = db()->query('SELECT month, body, created_at FROM reports ORDER BY id DESC LIMIT 5')->fetchAll();
page_header('Sales reports');
if ($jobId !== null) {
    echo '<p class="queued" data-job="' . h($jobId) . '">Report for ' . h($month) . ' queued as job ' . h($jobId) . '.</p>';
}
echo '<form method="post"><input name="month" value="' . h($month) . '"> <button>Build report</button></form><ul>';
foreach ($reports as $r) {
    echo '<li>' . h($r['month']) . ' (' . h($r['created_at']) . '): ' . h($r['body']) . '</li>';
}
echo '</ul>';
page_footer();
