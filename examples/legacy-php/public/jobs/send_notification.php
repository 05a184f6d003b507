<?php
// Job callback: tell the customers who ordered a product that its price changed (here: one notification row).
require __DIR__ . '/../../lib/job_callback.php';

job_callback(function (array $payload, string $jobId): array {
    db()->prepare('INSERT INTO notifications (product_id, message, created_at) VALUES (?, ?, NOW())')
        ->execute([(int) ($payload['productId'] ?? 0), substr((string) ($payload['message'] ?? ''), 0, 255)]);
    return ['notified' => (int) db()->lastInsertId()];
});
