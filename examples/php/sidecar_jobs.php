<?php
// Hand slow work to sipup-sidecar's job endpoint with one HTTP call: no composer, only the curl extension.
//
//   require_once 'sidecar_jobs.php';
//   $id = sidecar_job('send_email', ['to' => $email, 'subject' => 'Your order'], ['priority' => 'high']);
//
// The request is signed (HMAC-SHA256 of "<unix time>.<body>", header X-Sidecar-Signature) and carries an
// Idempotency-Key, so a retry after a timeout returns the first job instead of queueing a second one. Returns the
// job id; throws RuntimeException when the sidecar did not store the job (then nothing was stored: retry later).
//
// Settings: SIDECAR_JOBS_URL (default http://127.0.0.1:8080/_jobs) and SIDECAR_JOBS_SECRET (jobs.secret, or the
// type's own secret) from the environment, or pass them in $options.

function sidecar_job(string $type, array $payload, array $options = []): string
{
    $base = rtrim($options['url'] ?? (getenv('SIDECAR_JOBS_URL') ?: 'http://127.0.0.1:8080/_jobs'), '/');
    $secret = $options['secret'] ?? (getenv('SIDECAR_JOBS_SECRET') ?: '');
    if ($secret === '') {
        throw new RuntimeException('sidecar_job: no secret (set SIDECAR_JOBS_SECRET or $options["secret"])');
    }
    // One key per logical job: the caller may pass its own (e.g. "order-42-confirmation") to make repeats harmless.
    $key = $options['idempotency_key'] ?? bin2hex(random_bytes(16));
    $query = [];
    foreach (['priority', 'delay', 'runAt'] as $opt) {
        if (isset($options[$opt])) {
            $query[$opt] = (string) $options[$opt];
        }
    }
    $url = $base . '/' . rawurlencode($type) . ($query ? '?' . http_build_query($query) : '');
    $body = json_encode($payload === [] ? new stdClass() : $payload, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);

    $attempts = $options['attempts'] ?? 3;
    $last = '';
    for ($attempt = 1; $attempt <= $attempts; $attempt++) {
        // Signed anew each attempt: the sidecar accepts a signature once.
        $ts = (string) time();
        $signature = 'sha256=' . hash_hmac('sha256', $ts . '.' . $body, $secret);
        $ch = curl_init($url);
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT_MS => 500,
            CURLOPT_TIMEOUT_MS => $options['timeout_ms'] ?? 2000,
            CURLOPT_HTTPHEADER => [
                'Content-Type: application/json',
                'Idempotency-Key: ' . $key,
                'X-Sidecar-Timestamp: ' . $ts,
                'X-Sidecar-Signature: ' . $signature,
            ],
        ]);
        $response = curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $error = curl_error($ch);
        curl_close($ch);
        if ($status === 202) {
            $job = json_decode((string) $response, true);
            if (is_array($job) && isset($job['id'])) {
                return (string) $job['id'];
            }
        }
        $last = $response === false ? "curl: $error" : "HTTP $status: " . substr((string) $response, 0, 300);
        // 4xx is the caller's mistake (bad payload, unknown type, wrong secret): retrying won't help.
        if ($status >= 400 && $status < 500) {
            break;
        }
        usleep(200000 * $attempt);
    }
    throw new RuntimeException("sidecar_job($type) not stored: $last");
}
