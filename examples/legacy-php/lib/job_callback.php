<?php
// The callback side of the sidecar's `http` job handler: POST <script> with the job's payload as JSON, signed
// (X-Sidecar-Timestamp, X-Sidecar-Signature: sha256=HMAC(secret, "<timestamp>.<body>")), with X-Sidecar-Job-Id and
// X-Sidecar-Job-Attempt. Delivery is at-least-once, so a job id already done is answered again without redoing
// the work (processed_jobs). A 2xx answer completes the job (its JSON is the job's result); anything else fails the
// attempt and the sidecar retries it.
//
//   require __DIR__ . '/../../lib/job_callback.php';
//   job_callback(function (array $payload, string $jobId): array { ...; return ['ok' => true]; });

declare(strict_types=1);

const SHOP_NO_SESSION = true;
require_once __DIR__ . '/shop.php';

function job_answer(int $status, array $body): never
{
    http_response_code($status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    echo json_encode($body, JSON_UNESCAPED_SLASHES);
    exit;
}

function job_callback(callable $work): never
{
    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        job_answer(405, ['error' => 'POST only']);
    }
    $body = file_get_contents('php://input');
    $ts = $_SERVER['HTTP_X_SIDECAR_TIMESTAMP'] ?? '';
    $sig = $_SERVER['HTTP_X_SIDECAR_SIGNATURE'] ?? '';
    $secret = env('SIDECAR_JOBS_SECRET');
    $expected = 'sha256=' . hash_hmac('sha256', $ts . '.' . $body, $secret);
    if ($secret === '' || !hash_equals($expected, $sig) || abs(time() - (int) $ts) > 300) {
        job_answer(401, ['error' => 'bad signature']);
    }
    $jobId = (string) ($_SERVER['HTTP_X_SIDECAR_JOB_ID'] ?? '');
    $type = basename($_SERVER['SCRIPT_NAME'], '.php');
    $done = db()->prepare('SELECT result FROM processed_jobs WHERE job_id = ?');
    $done->execute([$jobId]);
    $previous = $done->fetchColumn();
    if ($previous !== false) {
        job_answer(200, ['duplicate' => true, 'result' => json_decode((string) $previous, true)]);
    }
    $payload = json_decode($body, true);
    if (!is_array($payload)) {
        job_answer(400, ['error' => 'payload is not a JSON object']);
    }
    $result = $work($payload, $jobId);
    db()->prepare('INSERT IGNORE INTO processed_jobs (job_id, type, done_at, result) VALUES (?, ?, NOW(), ?)')
        ->execute([$jobId, $type, json_encode($result)]);
    job_answer(200, $result);
}
