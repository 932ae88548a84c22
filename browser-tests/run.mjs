#!/usr/bin/env node
// Browser acceptance suite entry point: `npm run test:browser` (SQLite) or
// `BROWSER_DB=postgres npm run test:browser` (a throw-away PostgreSQL database).
//
// 1. builds the release binary (`cargo build --release`, a no-op when it is fresh; set
//    BROWSER_NO_BUILD=1 to use the existing one, or SERVER_BIN=path to use another binary),
// 2. starts it on a free port with a fresh database and a random JWT secret,
// 3. waits for /healthz,
// 4. runs browser-tests/scenarios/*.test.mjs with `node --test` (BASE_URL tells them where),
// 5. stops the server, drops the database, removes the temp dir; exits non-zero on any failure.
//
// It fails, never skips, when Chromium, the database or the server is missing.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const backend = (process.env.BROWSER_DB || 'sqlite').toLowerCase();
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const pgAdminUrl = process.env.BROWSER_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const bin = process.env.SERVER_BIN ? resolve(process.env.SERVER_BIN) : join(root, 'target/release/task-dashboard');

const log = (...a) => console.log('[browser-tests]', ...a);
function fail(message) {
  console.error(`[browser-tests] FAIL: ${message}`);
  process.exitCode = 1;
}

const cleanups = [];
async function cleanup() {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch (e) { console.error('[browser-tests] cleanup:', e.message); }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { await cleanup(); process.exit(130); });
}

function freePort() {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', ko);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => ok(port)); });
  });
}

function psql(sql, url = pgAdminUrl) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.error) throw new Error(`psql could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

async function waitForHealth(base, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before answering /healthz`);
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`/healthz did not answer 200 within ${timeoutMs / 1000}s`);
}

async function main() {
  const started = Date.now();
  if (!['sqlite', 'postgres'].includes(backend)) throw new Error(`BROWSER_DB must be sqlite or postgres, not "${backend}"`);
  if (!existsSync(chromium)) throw new Error(`Chromium not found at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`);

  if (!process.env.SERVER_BIN && !process.env.BROWSER_NO_BUILD) {
    log('cargo build --release');
    const r = spawnSync('cargo', ['build', '--release', '--quiet'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('cargo build --release failed');
  }
  if (!existsSync(bin)) throw new Error(`server binary not found at ${bin} (run cargo build --release)`);

  const tmp = mkdtempSync(join(tmpdir(), 'browser-tests-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));

  let databaseUrl;
  let dbName = '';
  if (backend === 'postgres') {
    dbName = `browser_${randomBytes(6).toString('hex')}`;
    psql(`CREATE DATABASE ${dbName}`);
    cleanups.push(() => psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    const u = new URL(pgAdminUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  } else {
    databaseUrl = `sqlite://${join(tmp, 'tasks.db')}`;
  }

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serverLog = join(tmp, 'server.log');
  const out = createWriteStream(serverLog);
  const child = spawn(bin, [], {
    cwd: root,
    env: {
      ...process.env,
      BIND_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      JWT_SECRET: randomBytes(36).toString('base64url'), // 48 characters
      COOKIE_SECURE: 'false',
      APP_ENV: 'development',
      DATA_DIR: tmp,
      RUST_LOG: process.env.RUST_LOG || 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let stopping = false;
  const exited = new Promise((r) => child.once('exit', (code, signal) => {
    if (!stopping) fail(`the server stopped during the run (exit code ${code}, signal ${signal})`);
    r();
  }));
  cleanups.push(async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  });
  child.once('error', (e) => fail(`the server could not start: ${e.message}`));

  try {
    await waitForHealth(base, child);
  } catch (e) {
    await new Promise((r) => setTimeout(r, 200));
    console.error(readFileSync(serverLog, 'utf8').split('\n').slice(-30).join('\n'));
    throw e;
  }
  log(`server up at ${base} on ${backend} (${Date.now() - started} ms)`);

  const screenshots = join(root, 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  const only = process.env.BROWSER_ONLY; // e.g. BROWSER_ONLY=auth runs only matching files
  const files = readdirSync(join(here, 'scenarios'))
    .filter((f) => f.endsWith('.test.mjs') && (!only || f.includes(only)))
    .sort()
    .map((f) => join(here, 'scenarios', f));
  if (!files.length) throw new Error('no scenario files matched');

  const testEnv = {
    ...process.env,
    BASE_URL: base,
    BROWSER_DB: backend,
    CHROMIUM_PATH: chromium,
    SCREENSHOT_DIR: screenshots,
    SERVER_LOG: serverLog,
    DATABASE_URL: databaseUrl,
    BROWSER_PG_ADMIN_URL: pgAdminUrl,
    BROWSER_PG_DB: dbName,
  };
  const concurrency = process.env.BROWSER_CONCURRENCY || '1';
  const runner = spawn(process.execPath, [
    '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', '--test-reporter=spec', ...files,
  ], { cwd: root, env: testEnv, stdio: 'inherit' });
  const code = await new Promise((r) => runner.once('exit', (c, s) => r(c ?? (s ? 1 : 0))));
  if (code !== 0) {
    fail(`scenarios failed (exit ${code}); last server log lines:`);
    console.error(readFileSync(serverLog, 'utf8').split('\n').filter((l) => /WARN|ERROR|panick/i.test(l)).slice(-20).join('\n'));
  }
  log(`${backend}: done in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${screenshots}`);
}

try {
  await main();
} catch (e) {
  fail(e.message);
} finally {
  await cleanup();
}
