<?php
// Job callback, the slow one: the monthly sales report that used to run inside an admin page (3 s of work).
require __DIR__ . '/../../lib/job_callback.php';

job_callback(function (array $payload, string $jobId): array {
    $month = preg_match('/^\d{4}-\d{2}$/', (string) ($payload['month'] ?? '')) ? $payload['month'] : date('Y-m');
    $stmt = db()->prepare("SELECT status, COUNT(*) AS n, COALESCE(SUM(total), 0) AS revenue FROM orders WHERE created_at >= ? AND created_at < ? + INTERVAL 1 MONTH GROUP BY status");
    $stmt->execute([$month . '-01', $month . '-01']);
    $rows = $stmt->fetchAll();
    sleep(3); // the rest of the legacy report: PDF rendering, archive upload
    $body = json_encode($rows);
    db()->prepare('INSERT INTO reports (month, body, created_at) VALUES (?, ?, NOW())')->execute([$month, $body]);
    return ['month' => $month, 'rows' => $rows];
});
