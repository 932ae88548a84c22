// Staging a database failure under the running server, for the error-state scenario.
// PostgreSQL: refuse new connections to the test database and end the open ones (the server's
// pool finds nothing to talk to); undone by allowing connections again.
// SQLite: another process holds the write lock, so the server's writes fail once its busy
// time-out (5 s) runs out; undone by releasing the lock.
import { spawn, spawnSync } from 'node:child_process';
import { DB, sleep } from './browser.mjs';

function psql(sql) {
  const r = spawnSync('psql', [process.env.BROWSER_PG_ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

export async function stopDatabase() {
  if (DB === 'postgres') {
    const db = process.env.BROWSER_PG_DB;
    psql(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS false`);
    psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`);
    return async () => { psql(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS true`); };
  }
  const file = process.env.DATABASE_URL.replace(/^sqlite:(\/\/)?/, '').replace(/\?.*$/, '');
  const holder = spawn('sqlite3', [file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  holder.stdout.on('data', (d) => { output += d; });
  holder.stderr.on('data', (d) => { output += d; });
  const failed = new Promise((_, ko) => holder.once('error', (e) => ko(new Error(`sqlite3 (apt-get install sqlite3) could not run: ${e.message}`))));
  holder.stdin.write('.timeout 5000\nBEGIN IMMEDIATE;\nSELECT \'locked\';\n');
  await Promise.race([failed, (async () => {
    for (let i = 0; i < 100 && !output.includes('locked'); i++) await sleep(50);
    if (!output.includes('locked')) throw new Error(`sqlite3 did not take the write lock: ${output}`);
  })()]);
  return async () => {
    holder.stdin.end('ROLLBACK;\n.quit\n');
    await new Promise((r) => (holder.exitCode !== null ? r() : holder.once('exit', r)));
  };
}
