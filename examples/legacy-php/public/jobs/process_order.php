<?php
// Job callback: what order.php used to do inside the customer's request (payment check, confirmation e-mail).
require __DIR__ . '/../../lib/job_callback.php';

job_callback(function (array $payload, string $jobId): array {
    $orderId = (int) ($payload['orderId'] ?? 0);
    usleep(300000); // the payment provider's API
    $stmt = db()->prepare("UPDATE orders SET status = 'paid', processed_at = NOW() WHERE id = ? AND status = 'new'");
    $stmt->execute([$orderId]);
    return ['orderId' => $orderId, 'paid' => $stmt->rowCount() === 1];
});
