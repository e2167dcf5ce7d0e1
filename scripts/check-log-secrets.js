#!/usr/bin/env node
// Fails when any log kept by the e2e run (.local/e2e-logs/<run>/) contains a secret the tests
// used: the Stripe key, the webhook secret, the API key, or anything shaped like a live key.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const secrets = ['sk_test_e2e_key_do_not_log', 'whsec_e2e_secret_do_not_log', 'e2e-api-key-do-not-log-0123456789'];
const shapes = [/sk_live_[A-Za-z0-9]{8,}/, /rk_live_[A-Za-z0-9]{8,}/];
if (!dir || !fs.existsSync(dir)) {
  console.error(`[secrets] no e2e logs in ${dir ?? '(none given)'}: nothing to check`);
  process.exit(0);
}
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
const leaks = [];
for (const f of files) {
  const text = fs.readFileSync(path.join(dir, f), 'utf8');
  for (const s of secrets) if (text.includes(s)) leaks.push(`${f}: contains ${s.slice(0, 12)}…`);
  for (const r of shapes) if (r.test(text)) leaks.push(`${f}: contains a live-key-shaped string`);
}
if (leaks.length) {
  console.error(`[secrets] secrets found in logs:\n  ${leaks.join('\n  ')}`);
  process.exit(1);
}
console.error(`[secrets] ${files.length} process logs checked: no secrets`);
