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

    $job = sidecar_jobs_post($url, $body, $secret, ['Idempotency-Key: ' . $key], $options, "sidecar_job($type)");
    if (!isset($job['id'])) {
        throw new RuntimeException("sidecar_job($type) not stored: answer without an id");
    }
    return (string) $job['id'];
}

// Many jobs of one type in one request (POST <prefix>/<type>/batch): stored all or none. Each entry is
// ['payload' => [...]] with optional 'idempotency_key', 'priority', 'delay', 'runAt'. An entry without a key gets a
// random one, so a retry after a timeout returns the jobs already stored instead of queueing them twice. Returns
// the job ids in entry order; throws RuntimeException when nothing was stored (a 400 names the entry and field).
//
//   $ids = sidecar_job_batch('send_email', array_map(fn ($m) => ['payload' => $m], $mails));
function sidecar_job_batch(string $type, array $jobs, array $options = []): array
{
    $base = rtrim($options['url'] ?? (getenv('SIDECAR_JOBS_URL') ?: 'http://127.0.0.1:8080/_jobs'), '/');
    $secret = $options['secret'] ?? (getenv('SIDECAR_JOBS_SECRET') ?: '');
    if ($secret === '') {
        throw new RuntimeException('sidecar_job_batch: no secret (set SIDECAR_JOBS_SECRET or $options["secret"])');
    }
    $items = [];
    foreach (array_values($jobs) as $i => $job) {
        if (!is_array($job) || !array_key_exists('payload', $job) || !is_array($job['payload'])) {
            throw new InvalidArgumentException("sidecar_job_batch($type): entry $i must be ['payload' => [...]]");
        }
        $item = [
            'payload' => $job['payload'] === [] ? new stdClass() : $job['payload'],
            'idempotencyKey' => (string) ($job['idempotency_key'] ?? bin2hex(random_bytes(16))),
        ];
        foreach (['priority', 'delay', 'runAt'] as $opt) {
            if (isset($job[$opt])) {
                $item[$opt] = (string) $job[$opt];
            }
        }
        $items[] = $item;
    }
    $url = $base . '/' . rawurlencode($type) . '/batch';
    $body = json_encode($items, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    $answer = sidecar_jobs_post($url, $body, $secret, [], $options, "sidecar_job_batch($type)");
    if (!isset($answer['jobs']) || !is_array($answer['jobs']) || count($answer['jobs']) !== count($items)) {
        throw new RuntimeException("sidecar_job_batch($type): answer without the job ids");
    }
    return array_map(fn ($j) => (string) $j['id'], $answer['jobs']);
}

// The signed POST with retries both functions share; returns the decoded 202 answer.
function sidecar_jobs_post(string $url, string $body, string $secret, array $headers, array $options, string $what): array
{
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
                'X-Sidecar-Timestamp: ' . $ts,
                'X-Sidecar-Signature: ' . $signature,
                ...$headers,
            ],
        ]);
        $response = curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $error = curl_error($ch);
        curl_close($ch);
        if ($status === 202) {
            $answer = json_decode((string) $response, true);
            if (is_array($answer)) {
                return $answer;
            }
        }
        $last = $response === false ? "curl: $error" : "HTTP $status: " . substr((string) $response, 0, 300);
        // 4xx is the caller's mistake (bad payload, unknown type, wrong secret): retrying won't help.
        if ($status >= 400 && $status < 500) {
            break;
        }
        usleep(200000 * $attempt);
    }
    throw new RuntimeException("$what not stored: $last");
}
