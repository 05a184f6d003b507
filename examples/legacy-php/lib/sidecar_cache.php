<?php
// Purge the sidecar's cache right after an edit: one POST to the admin purge API with the admin token (a Bearer
// token needs no CSRF token). Tags are the ones the pages sent in Surrogate-Key; a tiered/redis store broadcasts the
// purge to every sidecar instance. Returns the number of entries purged, or -1 when the sidecar could not be told
// (the page then shows the old price until the rule's ttl: log it, don't fail the edit).
//
//   sidecar_purge(['tags' => ['product-42']]);
//   sidecar_purge(['urls' => ['/product.php?id=42'], 'prefix' => '/catalog.php']);
//
// Settings: SIDECAR_ADMIN_URL (default http://127.0.0.1:8080/_admin) and SIDECAR_ADMIN_TOKEN (admin.token).

function sidecar_purge(array $what): int
{
    $base = rtrim(getenv('SIDECAR_ADMIN_URL') ?: 'http://127.0.0.1:8080/_admin', '/');
    $token = getenv('SIDECAR_ADMIN_TOKEN') ?: '';
    $ch = curl_init($base . '/api/cache/purge');
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => json_encode($what, JSON_UNESCAPED_SLASHES),
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT_MS => 500,
        CURLOPT_TIMEOUT_MS => 2000,
        CURLOPT_HTTPHEADER => ['Content-Type: application/json', 'Authorization: Bearer ' . $token],
    ]);
    $response = curl_exec($ch);
    $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    $body = is_string($response) ? json_decode($response, true) : null;
    if ($status !== 200 || !is_array($body)) {
        error_log("sidecar_purge: HTTP $status " . substr((string) $response, 0, 200));
        return -1;
    }
    return (int) ($body['purged'] ?? 0);
}
